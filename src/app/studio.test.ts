import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetStudio, useStudio } from '../state/store';
import { applyMessage, createStudio } from './studio';
import type { FromWorker, ToWorker } from '../worker/protocol';

class FakeWorker {
  static all: FakeWorker[] = [];
  sent: ToWorker[] = [];
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  constructor() {
    FakeWorker.all.push(this);
  }
  postMessage(m: ToWorker) {
    this.sent.push(m);
  }
  terminate() {}
}

beforeEach(() => {
  resetStudio();
  FakeWorker.all = [];
  vi.stubGlobal('location', { href: 'http://localhost/' });
});

const make = () => new FakeWorker() as unknown as Worker;

describe('studio wiring', () => {
  it('starts with the backend choice and the default model, and shows answers in the store', () => {
    const studio = createStudio(make);
    studio.start();
    const worker = FakeWorker.all[0]!;
    expect(worker.sent.map((m) => m.type)).toEqual(['init', 'load-model']);
    worker.onmessage?.({
      data: {
        type: 'backend',
        runId: worker.sent[0]!.runId,
        report: {
          active: 'wasm',
          requested: 'auto',
          gpu: 'software',
          jobs: { features: 'wasm', head: 'cpu', fineTune: 'wasm' },
          note: '',
        },
      },
    } as MessageEvent<FromWorker>);
    expect(useStudio.getState().backend?.active).toBe('wasm');
  });

  it('tells the user when the worker crashed mid-run and keeps their work', () => {
    const studio = createStudio(make);
    studio.start();
    studio.actions.train();
    expect(useStudio.getState().phase).toBe('features');
    FakeWorker.all[0]!.onerror?.({
      message: 'out of memory',
      preventDefault: () => {},
    } as ErrorEvent);
    expect(useStudio.getState().phase).toBe('error');
    expect(useStudio.getState().trainingError).toMatch(
      /crashed \(out of memory\).*your dataset and settings are kept/,
    );
    expect(FakeWorker.all).toHaveLength(2);
  });

  it('routes an error to the panel of the job that failed', () => {
    applyMessage({ type: 'error', runId: 'model-3', message: 'no such file' }, 'model', () => {});
    expect(useStudio.getState().modelError).toBe('no such file');
    applyMessage({ type: 'error', runId: 'probe-4', message: 'too few' }, 'probe', () => {});
    expect(useStudio.getState().probe).toMatchObject({ status: 'error', error: 'too few' });
    expect(useStudio.getState().trainingError).toBeNull();
  });

  it('says so when a model change makes the images be decoded again', () => {
    applyMessage(
      { type: 'decode-progress', runId: 'model-2', done: 3, total: 10 },
      'model',
      () => {},
    );
    expect(useStudio.getState().decoding?.note).toMatch(/new input size/);
    applyMessage({ type: 'dataset-resized', runId: 'model-2', inputSize: 96 }, 'model', () => {});
    expect(useStudio.getState().decoding).toBeNull();
  });
});
