import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type BackendReport } from '../domain';
import type { FromWorker, ToWorker } from '../worker/protocol';
import { createWorkerClient, jobOf, type Job } from './worker-client';

/** Stands in for the browser's Worker: records what the client sends, lets a test answer or crash it. */
class FakeWorker {
  sent: ToWorker[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
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

function setup() {
  const workers: FakeWorker[] = [];
  const heard: { type: string; job: Job }[] = [];
  const crashes: { reason: string; running: Job[] }[] = [];
  const client = createWorkerClient(
    {
      onMessage: (msg, job) => heard.push({ type: msg.type, job }),
      onCrash: (reason, running) => crashes.push({ reason, running }),
    },
    () => {
      const w = new FakeWorker();
      workers.push(w);
      return w as unknown as Worker;
    },
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
    expect(crashes).toEqual([{ reason: 'out of memory', running: ['train'] }]);
  });

  it('does not report a finished run as cut off by a later crash', () => {
    const { client, workers, crashes } = setup();
    const runId = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    workers[0]!.answer({
      type: 'done',
      runId,
      stopped: false,
      valAccuracy: 1,
      epochsRun: 1,
      bestEpoch: 1,
      stoppedEarly: false,
      timings: null,
      numTensors: 0,
      numTensorsBefore: 0,
    });
    workers[0]!.crash('boom');
    expect(crashes[0]!.running).toEqual([]);
  });

  it('hands on only answers to the newest request of each kind', () => {
    const { client, workers, heard } = setup();
    const first = client.setBackend('auto');
    const second = client.setBackend('cpu');
    workers[0]!.answer({ type: 'backend', runId: second, report: report('cpu') });
    workers[0]!.answer({ type: 'backend', runId: first, report: report('webgpu') });
    expect(heard).toEqual([{ type: 'backend', job: 'init' }]);
    const oldRun = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    const newRun = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    workers[0]!.answer({ type: 'batches', runId: oldRun, points: [{ x: 1, loss: 1 }] });
    workers[0]!.answer({ type: 'batches', runId: newRun, points: [{ x: 1, loss: 1 }] });
    expect(heard.filter((h) => h.job === 'train')).toHaveLength(1);
  });

  it('sends stop to the running training job only', () => {
    const { client, workers } = setup();
    const runId = client.train(DEFAULT_PARAMS, { modes: {}, featureLayer: 'f' });
    client.stop();
    expect(workers[0]!.sent.at(-1)).toEqual({ type: 'stop', runId });
    expect(jobOf(runId)).toBe('train');
  });
});
