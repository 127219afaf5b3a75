import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetStudio, useStudio } from '../../state/store';
import { store } from './context';
import { modelActions, whenModelLoaded } from './model';
import { fakeContext, teachingInfo } from './testing';

/** Counts the store listeners that `whenModelLoaded` adds and removes. */
function trackListeners() {
  const subscribe = useStudio.subscribe;
  const open = new Set<unknown>();
  vi.spyOn(useStudio, 'subscribe').mockImplementation((listener) => {
    const unsubscribe = subscribe(listener);
    const token = {};
    open.add(token);
    return () => {
      open.delete(token);
      unsubscribe();
    };
  });
  return open;
}

beforeEach(() => {
  resetStudio();
  vi.stubGlobal('location', { href: 'http://localhost/' });
});
afterEach(() => vi.restoreAllMocks());

describe('whenModelLoaded', () => {
  it('resolves at once when the model is already loaded', async () => {
    store().setModel(teachingInfo());
    await expect(whenModelLoaded('teaching-cnn', 28)).resolves.toEqual({ loaded: true });
  });

  it('resolves when the model arrives, and stops listening', async () => {
    const listeners = trackListeners();
    const wait = whenModelLoaded('teaching-cnn', 28);
    store().setModelLoading('teaching-cnn');
    expect(listeners.size).toBe(1);
    store().setModel(teachingInfo());
    await expect(wait).resolves.toEqual({ loaded: true });
    expect(listeners.size).toBe(0);
  });

  it('gives up with the reason when the load fails, and stops listening', async () => {
    const listeners = trackListeners();
    const wait = whenModelLoaded('teaching-cnn', 28);
    store().setModelLoading('teaching-cnn');
    store().setModelError('model.json: HTTP 404');
    await expect(wait).resolves.toEqual({ loaded: false, reason: 'model.json: HTTP 404' });
    expect(listeners.size).toBe(0);
  });

  it('gives up when another model is chosen before it loads', async () => {
    const listeners = trackListeners();
    const wait = whenModelLoaded('teaching-cnn', 28);
    store().setModelLoading('teaching-cnn');
    store().setModelLoading('mobilenet-v2');
    await expect(wait).resolves.toMatchObject({ loaded: false, reason: /another model/ });
    expect(listeners.size).toBe(0);
  });

  it('gives up when the network loads at another input size than the one asked for', async () => {
    const wait = whenModelLoaded('teaching-cnn', 56);
    store().setModelLoading('teaching-cnn');
    store().setModel(teachingInfo(28));
    await expect(wait).resolves.toMatchObject({ loaded: false, reason: /28 px/ });
  });

  it('waits for a reload at a new input size of the model on screen', async () => {
    store().setModel(teachingInfo(28));
    store().setModelLoading('teaching-cnn');
    const wait = whenModelLoaded('teaching-cnn', 56);
    let settled = false;
    void wait.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    store().setModel(teachingInfo(56));
    await expect(wait).resolves.toEqual({ loaded: true });
  });
});

describe('model actions', () => {
  it('ensureModel loads a model that is not loaded, and not one that is', async () => {
    const ctx = fakeContext();
    const model = modelActions(ctx);
    const wait = model.ensureModel('teaching-cnn', 28);
    expect(ctx.fake.sent('loadModel')).toHaveLength(1);
    expect(ctx.fake.sent('loadModel')[0]!.args).toEqual([
      {
        kind: 'catalog',
        modelId: 'teaching-cnn',
        url: 'http://localhost/models/teaching-cnn/model.json',
      },
      28,
    ]);
    store().setModel(teachingInfo());
    await expect(wait).resolves.toEqual({ loaded: true });
    await expect(model.ensureModel('teaching-cnn', 28)).resolves.toEqual({ loaded: true });
    expect(ctx.fake.sent('loadModel')).toHaveLength(1);
  });

  it('ensureModel of an unknown model fails at once with its message', async () => {
    const ctx = fakeContext();
    await expect(modelActions(ctx).ensureModel('no-such-net', null)).resolves.toEqual({
      loaded: false,
      reason: 'Unknown model "no-such-net".',
    });
    expect(ctx.fake.requests).toHaveLength(0);
  });

  it('ensureModel not exact: the network at any input size will do', async () => {
    store().setModel(teachingInfo(28));
    const ctx = fakeContext();
    await expect(modelActions(ctx).ensureModel('teaching-cnn', 56, false)).resolves.toEqual({
      loaded: true,
    });
    // It still asks for the size wanted.
    expect(ctx.fake.sent('loadModel')[0]!.args[1]).toBe(56);
  });

  it('refuses a URL that is not one, and reloads the model for a new size or pixel range', () => {
    const ctx = fakeContext();
    const { actions } = modelActions(ctx);
    actions.loadModelUrl('http://[bad');
    expect(store().modelError).toBe('"http://[bad" is not a URL.');
    actions.setResolution(56);
    expect(ctx.fake.requests).toHaveLength(0); // no model yet
    store().setModel(teachingInfo());
    actions.setResolution(56);
    actions.setValueRange([-1, 1]);
    expect(ctx.fake.sent('reloadModel').map((r) => r.args)).toEqual([[56], [28, [-1, 1]]]);
    expect(store().modelLoading).toBe(true);
  });

  it('a new backend choice clears the old report and asks the worker', () => {
    const ctx = fakeContext();
    modelActions(ctx).actions.setBackend('wasm');
    expect(store().backendChoice).toBe('wasm');
    expect(store().backend).toBeNull();
    expect(ctx.fake.sent('setBackend')[0]!.args).toEqual(['wasm']);
  });
});
