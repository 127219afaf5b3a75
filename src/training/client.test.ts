import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FromWorker, ToWorker } from './protocol';

/** Stands in for the browser's Worker: records what the client sends, lets a test answer or crash it. */
class FakeWorker {
  static all: FakeWorker[] = [];
  sent: ToWorker[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  constructor() {
    FakeWorker.all.push(this);
  }
  postMessage(m: ToWorker) {
    this.sent.push(m);
  }
  terminate() {
    this.terminated = true;
  }
  answer(m: FromWorker) {
    this.onmessage?.({ data: m } as MessageEvent<FromWorker>);
  }
  crash(message: string) {
    this.onerror?.({ message, preventDefault: () => {} } as ErrorEvent);
  }
}

beforeEach(() => {
  vi.resetModules();
  FakeWorker.all = [];
  vi.stubGlobal('Worker', FakeWorker);
  vi.stubGlobal('location', { href: 'http://localhost/' });
});

describe('worker client', () => {
  it('restarts a crashed worker, re-sends backend, model and dataset, and tells the user', async () => {
    const client = await import('./client');
    const { useStudio } = await import('../state/store');
    client.startStudio();
    const first = FakeWorker.all[0]!;
    expect(first.sent.map((m) => m.type)).toEqual(['init', 'load-model']);
    const files = [{ path: 'd/a/1.png', file: new Blob(['x'], { type: 'image/png' }) }];
    const list = Object.assign(
      files.map((f) => Object.assign(f.file, { webkitRelativePath: f.path, name: '1.png' })),
      { item: () => null },
    );
    client.loadPickedFolder(list as unknown as FileList);
    useStudio.getState().startRun('train-x');

    first.crash('out of memory');

    expect(first.terminated).toBe(true);
    const second = FakeWorker.all[1]!;
    expect(second.sent.map((m) => m.type)).toEqual(['init', 'load-model', 'load-dataset']);
    const dataset = second.sent[2] as Extract<ToWorker, { type: 'load-dataset' }>;
    expect(dataset.files.map((f) => f.path)).toEqual(['d/a/1.png']);
    expect(useStudio.getState().phase).toBe('error');
    expect(useStudio.getState().trainingError).toMatch(
      /crashed \(out of memory\).*your dataset and settings are kept/,
    );
  });

  it('ignores the answer to a backend request the user has already overridden', async () => {
    const client = await import('./client');
    const { useStudio } = await import('../state/store');
    client.startStudio();
    const worker = FakeWorker.all[0]!;
    const firstInit = worker.sent[0] as Extract<ToWorker, { type: 'init' }>;
    client.setBackend('cpu');
    const secondInit = worker.sent.at(-1) as Extract<ToWorker, { type: 'init' }>;
    const report = (active: 'webgpu' | 'cpu') => ({
      active,
      requested: 'auto' as const,
      gpu: 'none' as const,
      jobs: { features: active, head: active, fineTune: active },
      note: '',
    });
    worker.answer({ type: 'backend', runId: secondInit.runId, report: report('cpu') });
    worker.answer({ type: 'backend', runId: firstInit.runId, report: report('webgpu') });
    expect(useStudio.getState().backend?.active).toBe('cpu');
  });
});
