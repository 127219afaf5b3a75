import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, type BackendReport } from '../domain';
import type { FromWorker, LockHeldMessage, ToWorker } from '../worker/protocol';
import {
  createWorkerClient,
  HANDOFF_CHUNK,
  SILENT_STOP,
  type Job,
  type LockManagerLike,
} from './worker-client';

/**
 * Stands in for navigator.locks: exclusive locks by name, a request waits while the lock is
 * held and is granted (its callback run, then the lock let go) when the holder releases it.
 */
class FakeLocks implements LockManagerLike {
  held = new Set<string>();
  waiting = new Map<string, (() => unknown)[]>();
  requested: string[] = [];
  request(name: string, callback: () => unknown): Promise<unknown> {
    this.requested.push(name);
    if (this.held.has(name)) this.waiting.set(name, [...(this.waiting.get(name) ?? []), callback]);
    else callback();
    return Promise.resolve();
  }
  hold(name: string) {
    this.held.add(name);
  }
  release(name: string) {
    this.held.delete(name);
    const next = this.waiting.get(name) ?? [];
    this.waiting.delete(name);
    for (const callback of next) callback();
  }
}

/**
 * Stands in for the browser's Worker: records what the client sends, lets a test answer or
 * crash it. With locks, it takes the lock it is asked to hold, and lets it go when it ends.
 */
class FakeWorker {
  sent: ToWorker[] = [];
  terminated = false;
  lock: string | null = null;
  onmessage: ((e: MessageEvent<FromWorker | LockHeldMessage>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  constructor(private locks: FakeLocks | null) {}
  postMessage(m: ToWorker) {
    this.sent.push(m);
    if (m.type === 'hold-lock' && this.locks) {
      this.lock = m.name;
      this.locks.hold(m.name);
      this.onmessage?.({
        data: { type: 'lock-held', name: m.name },
      } as MessageEvent<LockHeldMessage>);
    }
  }
  terminate() {
    this.terminated = true;
    this.end();
  }
  /** `self.close()`, or the browser killing it: no error event, only the lock let go. */
  close() {
    this.end();
  }
  private end() {
    if (this.lock) this.locks?.release(this.lock);
    this.lock = null;
  }
  answer(m: FromWorker) {
    this.onmessage?.({ data: m } as MessageEvent<FromWorker>);
  }
  crash(message: string) {
    this.onerror?.({ message, preventDefault: () => {} } as ErrorEvent);
  }
}

function setup(locks: FakeLocks | null = null) {
  const workers: FakeWorker[] = [];
  const heard: { type: string; job: Job }[] = [];
  const crashes: { reason: string; running: Job[]; silent: boolean }[] = [];
  const client = createWorkerClient(
    {
      onMessage: (msg, job) => heard.push({ type: msg.type, job }),
      onCrash: (reason, running, silent) => crashes.push({ reason, running, silent }),
    },
    () => {
      const w = new FakeWorker(locks);
      workers.push(w);
      return w as unknown as Worker;
    },
    locks,
  );
  return { client, workers, heard, crashes };
}

const report = (active: 'webgpu' | 'cpu'): BackendReport => ({
  active,
  requested: 'auto',
  gpu: 'none',
  jobs: { features: active, head: active, fineTune: active },
  note: '',
});

const TIMINGS = {
  images: 1,
  featuresMs: 1,
  featuresBackend: 'cpu',
  headMs: 1,
  headBackend: 'cpu',
  frozenPrefixLayers: 0,
  trainableParams: 1,
} as const;

describe('worker client', () => {
  it('restarts a crashed worker, re-sends backend, model and dataset, and names the cut-off run', () => {
    const { client, workers, crashes } = setup();
    client.setBackend('wasm');
    client.loadModel({ kind: 'url', url: 'http://x/model.json' }, 96);
    const files = [{ path: 'd/a/1.png', file: new Blob(['x'], { type: 'image/png' }) }];
    client.loadDataset(files, []);
    client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });

    workers[0]!.crash('out of memory');

    expect(workers[0]!.terminated).toBe(true);
    const second = workers[1]!;
    expect(second.sent.map((m) => m.type)).toEqual(['init', 'load-model', 'load-dataset']);
    expect((second.sent[0] as Extract<ToWorker, { type: 'init' }>).backend).toBe('wasm');
    expect((second.sent[1] as Extract<ToWorker, { type: 'load-model' }>).resolution).toBe(96);
    const dataset = second.sent[2] as Extract<ToWorker, { type: 'load-dataset' }>;
    expect(dataset.files.map((f) => f.path)).toEqual(['d/a/1.png']);
    expect(crashes).toEqual([{ reason: 'out of memory', running: ['train'], silent: false }]);
  });

  it('does not report a finished run as cut off by a later crash', () => {
    const { client, workers, crashes } = setup();
    const runId = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    workers[0]!.answer({
      type: 'done',
      id: runId,
      stopped: false,
      valAccuracy: 1,
      bestEpoch: 1,
      stoppedEarly: false,
      timings: TIMINGS,
      numTensors: 0,
      numTensorsBefore: 0,
    });
    workers[0]!.crash('boom');
    expect(crashes[0]!.running).toEqual([]);
  });

  it('ends a stopped probe with its own answer: no longer running, and the app hears probe-stopped', () => {
    const { client, workers, heard, crashes } = setup();
    const id = client.probe(30, 1);
    client.stop();
    expect(workers[0]!.sent.at(-1)).toEqual({ type: 'stop', id });
    workers[0]!.answer({ type: 'probe-stopped', id });
    expect(heard).toEqual([{ type: 'probe-stopped', job: 'probe' }]);
    workers[0]!.crash('boom');
    expect(crashes[0]!.running).toEqual([]);
  });

  it('hands on every answer of a model load until its final one, and nothing after it', () => {
    const { client, workers, heard } = setup();
    const id = client.loadModel({ kind: 'url', url: 'http://x/model.json' }, 96);
    workers[0]!.answer({ type: 'resize-progress', id, done: 1, total: 2 });
    workers[0]!.answer({ type: 'model-ready', id, imagesResized: true });
    workers[0]!.answer({ type: 'resize-progress', id, done: 2, total: 2 });
    expect(heard).toEqual([
      { type: 'resize-progress', job: 'load-model' },
      { type: 'model-ready', job: 'load-model' },
    ]);
  });

  it('names each answer with the job, the type of the request it answers', () => {
    const { client, workers, heard } = setup();
    const maps = client.featureMaps('d/a/1.png', 'conv1');
    const job = client.exportJob('pool');
    workers[0]!.answer({ type: 'error', id: job, message: 'no dataset' });
    workers[0]!.answer({ type: 'error', id: maps, message: 'no such image' });
    expect(heard).toEqual([
      { type: 'error', job: 'export-job' },
      { type: 'error', job: 'feature-maps' },
    ]);
    expect(workers[0]!.sent.map((m) => [m.type, 'id' in m && m.id])).toEqual([
      ['feature-maps', maps],
      ['export-job', job],
    ]);
  });

  it('drops answers under ids it never sent or that a restart cut off', () => {
    const { client, workers, heard } = setup();
    const id = client.setBackend('cpu');
    workers[0]!.answer({ type: 'backend', id: 'init-1', report: report('cpu') });
    workers[0]!.crash('boom');
    workers[0]!.answer({ type: 'backend', id, report: report('cpu') });
    expect(heard).toEqual([]);
  });

  it('gives ids that another client (after a reload) does not repeat: a run id is kept in storage', () => {
    const first = setup().client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    const second = setup().client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    expect(first).not.toBe(second);
  });

  it('hands on only answers to the newest request of each kind', () => {
    const { client, workers, heard } = setup();
    const first = client.setBackend('auto');
    const second = client.setBackend('cpu');
    workers[0]!.answer({ type: 'backend', id: second, report: report('cpu') });
    workers[0]!.answer({ type: 'backend', id: first, report: report('webgpu') });
    expect(heard).toEqual([{ type: 'backend', job: 'init' }]);
    const oldRun = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    const newRun = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    workers[0]!.answer({ type: 'batches', id: oldRun, points: [{ x: 1, loss: 1 }] });
    workers[0]!.answer({ type: 'batches', id: newRun, points: [{ x: 1, loss: 1 }] });
    expect(heard.filter((h) => h.job === 'train')).toHaveLength(1);
  });

  it('sends stop to the running training job only', () => {
    const { client, workers } = setup();
    client.featureMaps('d/a/1.png', 'conv1');
    const id = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    client.stop();
    expect(workers[0]!.sent.map((m) => m.type)).toEqual(['feature-maps', 'train', 'stop']);
    expect(workers[0]!.sent.at(-1)).toEqual({ type: 'stop', id });
  });

  it('sends no lock request without a lock manager', () => {
    const { workers } = setup(null);
    expect(workers[0]!.sent.map((m) => m.type)).not.toContain('hold-lock');
  });
});

describe('worker client: a worker that stops silently', () => {
  const trainAfterSetup = (locks: FakeLocks) => {
    const ctx = setup(locks);
    ctx.client.setBackend('cpu');
    ctx.client.loadModel({ kind: 'url', url: 'http://x/model.json' }, 28);
    ctx.client.loadDataset(
      [{ path: 'd/a/1.png', file: new Blob(['x'], { type: 'image/png' }) }],
      [],
    );
    ctx.client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    return ctx;
  };

  it('asks each worker to hold a lock of its own first, and waits for it only once the worker holds it', () => {
    const locks = new FakeLocks();
    const { workers } = setup(locks);
    const hold = workers[0]!.sent[0] as Extract<ToWorker, { type: 'hold-lock' }>;
    expect(hold.type).toBe('hold-lock');
    expect(locks.requested).toEqual([hold.name]);
    expect(locks.waiting.get(hold.name)).toHaveLength(1);
    // Another client (another tab) picks another name.
    const other = setup(new FakeLocks());
    expect((other.workers[0]!.sent[0] as typeof hold).name).not.toBe(hold.name);
  });

  it('notices a worker that closed itself, restarts it with backend, model and dataset, and names the cut-off run', () => {
    const locks = new FakeLocks();
    const { workers, crashes } = trainAfterSetup(locks);

    workers[0]!.close();

    expect(crashes).toEqual([{ reason: SILENT_STOP, running: ['train'], silent: true }]);
    const second = workers[1]!;
    expect(second.sent.map((m) => m.type)).toEqual([
      'hold-lock',
      'init',
      'load-model',
      'load-dataset',
    ]);
    expect((second.sent[1] as Extract<ToWorker, { type: 'init' }>).backend).toBe('cpu');
    // The new worker is watched too: a second silent stop is noticed again.
    second.close();
    expect(crashes).toHaveLength(2);
    expect(workers).toHaveLength(3);
  });

  it('ignores the lock of a worker it ended itself: on a crash restart, and on terminate', () => {
    const locks = new FakeLocks();
    const { client, workers, crashes } = trainAfterSetup(locks);

    workers[0]!.crash('out of memory'); // terminates it: its lock is let go
    expect(crashes).toEqual([{ reason: 'out of memory', running: ['train'], silent: false }]);
    expect(workers).toHaveLength(2);

    client.terminate();
    expect(workers[1]!.terminated).toBe(true);
    expect(crashes).toHaveLength(1);
    expect(workers).toHaveLength(2);
  });

  it('does not report a run as cut off when the worker stops silently while idle', () => {
    const locks = new FakeLocks();
    const { workers, crashes } = setup(locks);
    workers[0]!.close();
    expect(crashes).toEqual([{ reason: SILENT_STOP, running: [], silent: true }]);
    expect(workers).toHaveLength(2);
  });
});

describe('handing a large folder to the worker', () => {
  // The hand-off yields to the page with a zero-delay timer between parts: with fake timers,
  // `runAllTimersAsync` runs it to its end (no timer left), with no sleep in the test.
  afterEach(() => {
    vi.useRealTimers();
  });
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      path: `d/${i % 2 ? 'a' : 'b'}/${i}.png`,
      file: new Blob(['x'], { type: 'image/png' }),
    }));
  const kinds = (w: FakeWorker) =>
    w.sent.map((m) =>
      m.type === 'dataset-files'
        ? `files ${m.files.length}`
        : m.type === 'load-dataset'
          ? `load ${m.files.length}${m.chunked ? ' chunked' : ''}`
          : m.type,
    );

  it('sends a small folder in one message and a large one in parts, counting what was passed', async () => {
    vi.useFakeTimers();
    const { client, workers } = setup();
    client.loadDataset(many(HANDOFF_CHUNK), []);
    expect(kinds(workers[0]!)).toEqual([`load ${HANDOFF_CHUNK}`]);
    const handed: number[] = [];
    const files = many(2 * HANDOFF_CHUNK + 7);
    const id = client.loadDataset(files, [], 1234, (done) => handed.push(done));
    // The first part goes at once; the page gets a turn before each next one.
    expect(kinds(workers[0]!)).toEqual([`load ${HANDOFF_CHUNK}`, `files ${HANDOFF_CHUNK}`]);
    await vi.runAllTimersAsync();
    expect(kinds(workers[0]!).slice(1)).toEqual([
      `files ${HANDOFF_CHUNK}`,
      `files ${HANDOFF_CHUNK}`,
      'load 7 chunked',
    ]);
    expect(handed).toEqual([HANDOFF_CHUNK, 2 * HANDOFF_CHUNK]);
    const parts = workers[0]!.sent.slice(1) as Extract<
      ToWorker,
      { type: 'dataset-files' | 'load-dataset' }
    >[];
    expect(parts.every((m) => m.id === id)).toBe(true);
    expect(parts.flatMap((m) => m.files.map((f) => f.path))).toEqual(files.map((f) => f.path));
    expect((parts[2] as Extract<ToWorker, { type: 'load-dataset' }>).memoryBudgetBytes).toBe(1234);
  });

  it('cancelled while handing over: stops sending, tells the worker to stop, then closes the read empty', async () => {
    vi.useFakeTimers();
    const { client, workers } = setup();
    client.loadDataset(many(5 * HANDOFF_CHUNK), []);
    client.cancelDataset();
    await vi.runAllTimersAsync();
    expect(kinds(workers[0]!)).toEqual([`files ${HANDOFF_CHUNK}`, 'stop', 'load 0 chunked']);
  });

  it('a newer folder supersedes one still being handed over', async () => {
    vi.useFakeTimers();
    const { client, workers } = setup();
    client.loadDataset(many(5 * HANDOFF_CHUNK), []);
    client.loadDataset(many(3), []);
    await vi.runAllTimersAsync();
    expect(vi.getTimerCount()).toBe(0);
    expect(kinds(workers[0]!)).toEqual([`files ${HANDOFF_CHUNK}`, 'load 3']);
  });
});
