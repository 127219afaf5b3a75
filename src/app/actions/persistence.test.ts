import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, type LayerPlan } from '../../domain';
import { resetStudio, useStudio } from '../../state/store';
import { store } from './context';
import { persist, restore } from './persistence';
import { endRun, finishedRun, memoryStorage, settle, teachingInfo } from './testing';

const PLAN: LayerPlan = { modes: { conv1: 'fine-tune' }, featureLayer: 'global_pool' };

beforeEach(() => resetStudio());

describe('storage and restore', () => {
  it('brings back runs, the memory budget, the dataset, plan, parameters and the model to load', async () => {
    const storage = memoryStorage();
    store().setModel(teachingInfo());
    await storage.saveRun(finishedRun('train-1'));
    await storage.saveSettings({
      modelId: 'teaching-cnn',
      resolution: 28,
      plan: PLAN,
      params: { ...DEFAULT_PARAMS, epochs: 3 },
      imageBudgetBytes: 64 * 2 ** 20,
    });
    const files = [{ path: 'd/a/1.png', file: new Blob([new Uint8Array([1])]) }];
    await storage.saveDataset({ name: 'd', files, skipped: [] });
    resetStudio();
    const sent: unknown[][] = [];
    const model = await restore(storage, (...args) => sent.push(args));
    expect(model).toEqual({ modelId: 'teaching-cnn', resolution: 28 });
    expect(store().runs.map((r) => r.id)).toEqual(['train-1']);
    expect(store().imageBudgetBytes).toBe(64 * 2 ** 20);
    expect(sent).toEqual([['d', files, [], false]]); // sent, not stored again
    expect(store()).toMatchObject({ plan: PLAN, modelId: 'teaching-cnn', storedBytes: 1234 });
    expect(store().params.epochs).toBe(3);
  });

  it('with nothing stored, or no storage, the default model loads', async () => {
    expect(await restore(undefined, () => {})).toEqual({
      modelId: store().modelId,
      resolution: null,
    });
    expect(await restore(memoryStorage(), () => {})).toEqual({
      modelId: store().modelId,
      resolution: null,
    });
  });

  it('stored work that cannot be read gets a sentence, and the studio starts anyway', async () => {
    const storage = memoryStorage({ loadRuns: 'The database is damaged.' });
    expect(await restore(storage, () => {})).toEqual({
      modelId: store().modelId,
      resolution: null,
    });
    expect(store().storageError).toBe(
      'Some stored work could not be read and was left out (it stays stored): runs: The database is damaged.',
    );
  });

  it('a damaged part keeps only itself from coming back: settings and dataset restore beside unreadable runs', async () => {
    const storage = memoryStorage({ loadRuns: 'run train-2: epochs must be at least 1.' });
    await storage.saveSettings({
      modelId: 'teaching-cnn',
      resolution: 28,
      plan: PLAN,
      params: { ...DEFAULT_PARAMS, epochs: 4 },
      imageBudgetBytes: 32 * 2 ** 20,
    });
    const files = [{ path: 'd/a/1.png', file: new Blob([new Uint8Array([1])]) }];
    await storage.saveDataset({ name: 'd', files, skipped: [] });
    const sent: unknown[][] = [];
    expect(await restore(storage, (...args) => sent.push(args))).toEqual({
      modelId: 'teaching-cnn',
      resolution: 28,
    });
    expect(store().params.epochs).toBe(4);
    expect(sent).toHaveLength(1);
    expect(store().runs).toEqual([]);
    expect(store().storageError).toContain('runs: run train-2: epochs must be at least 1.');
  });

  it('saves each run as it changes, and the settings when the plan or model changes', async () => {
    const storage = memoryStorage();
    const stop = persist(storage);
    store().setModel(teachingInfo());
    await vi.waitFor(async () =>
      expect((await storage.loadSettings())?.modelId).toBe('teaching-cnn'),
    );
    store().setPlan(PLAN);
    await vi.waitFor(async () => expect((await storage.loadSettings())?.plan).toEqual(PLAN));
    store().startRun('train-1');
    endRun('done');
    await vi.waitFor(() => expect(storage.runs.get('train-1')?.status).toBe('done'));
    stop();
    store().setRuns([]);
    store().setPlan({ ...PLAN, modes: {} });
    await settle();
    expect(storage.runs.size).toBe(1);
    expect((await storage.loadSettings())?.plan).toEqual(PLAN);
  });

  it('a full disk while saving a run is reported, not thrown', async () => {
    const storage = memoryStorage({ saveRun: 'The storage is full.' });
    const stop = persist(storage);
    store().setModel(teachingInfo());
    store().startRun('train-1');
    await vi.waitFor(() => expect(store().storageError).toBe('The storage is full.'));
    expect(useStudio.getState().runs).toHaveLength(1);
    stop();
  });
});
