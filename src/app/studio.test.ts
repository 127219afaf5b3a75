import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ThawDb } from '../storage/db';
import { createStudioStorage } from '../storage/studio-storage';
import { resetStudio, useStudio } from '../state/store';
import { createStudio } from './studio';
import { teachingInfo, weightsOf } from './actions/testing';
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
  it('starts with the backend choice and the default model, and shows answers in the store', async () => {
    const studio = createStudio(make);
    await studio.start();
    const worker = FakeWorker.all[0]!;
    expect(worker.sent.map((m) => m.type)).toEqual(['init', 'load-model']);
    worker.onmessage?.({
      data: {
        type: 'backend',
        id: (worker.sent[0] as Extract<ToWorker, { type: 'init' }>).id,
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

  it('tells the user when the worker crashed mid-run and keeps their work', async () => {
    const studio = createStudio(make);
    await studio.start();
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

  it('after a reload, runs, the dataset and the plan come back; a run cut off mid-way is interrupted', async () => {
    const db = new ThawDb('thaw-reload-test');
    const info = teachingInfo();
    // First visit: a dataset, a model, a plan, one finished run and one still running.
    {
      const studio = createStudio(make, createStudioStorage(db));
      await studio.start();
      const worker = FakeWorker.all.at(-1)!;
      const modelReq = worker.sent.find((m) => m.type === 'load-model')!;
      worker.onmessage?.({
        data: { type: 'model', id: modelReq.id, info },
      } as MessageEvent<FromWorker>);
      useStudio.getState().setPlan({ modes: { conv1: 'fine-tune' }, featureLayer: 'global_pool' });
      useStudio.getState().setImageBudget(64 * 2 ** 20);
      const file = new File([new Uint8Array([1, 2, 3])], '1.png', { type: 'image/png' });
      studio.actions.loadPickedFolder(
        Object.assign([Object.assign(file, { webkitRelativePath: 'd/a/1.png' })], {
          item: () => null,
        }) as unknown as FileList,
      );
      // The folder is stored once the worker has read it to the end.
      await vi.waitFor(() => expect(worker.sent.some((m) => m.type === 'load-dataset')).toBe(true));
      const datasetReq = worker.sent.find((m) => m.type === 'load-dataset')!;
      expect(await db.datasets.count()).toBe(0);
      worker.onmessage?.({
        data: {
          type: 'dataset',
          id: datasetReq.id,
          classes: [{ name: 'a', count: 1 }],
          skipped: [],
          inputSize: 224,
          examples: [],
          where: 'memory',
        },
      } as unknown as MessageEvent<FromWorker>);
      for (const finish of [true, false]) {
        studio.actions.train();
        const id = (worker.sent.at(-1) as Extract<ToWorker, { type: 'train' }>).id;
        const answer = (m: FromWorker) =>
          worker.onmessage?.({ data: m } as MessageEvent<FromWorker>);
        answer({
          type: 'epoch',
          id,
          metrics: { epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.7 },
        });
        if (finish)
          answer({
            type: 'done',
            id,
            stopped: false,
            valAccuracy: 0.7,
            bestEpoch: 1,
            stoppedEarly: false,
            timings: {
              images: 1,
              featuresMs: 1,
              featuresBackend: 'cpu',
              headMs: 1,
              headBackend: 'cpu',
              frozenPrefixLayers: 0,
              trainableParams: 1,
            },
            numTensors: 1,
            numTensorsBefore: 1,
          });
      }
      await vi.waitFor(async () => expect(await db.runs.count()).toBe(2));
      await vi.waitFor(async () =>
        expect((await db.runs.toArray()).every((r) => r.epochs.length === 1)).toBe(true),
      );
      await vi.waitFor(async () => expect(await db.datasets.count()).toBe(1));
    }
    // Reload: a fresh store and worker.
    resetStudio();
    FakeWorker.all = [];
    const studio = createStudio(make, createStudioStorage(db));
    await studio.start();
    const runs = useStudio.getState().runs;
    expect(runs.map((r) => r.status)).toEqual(['done', 'interrupted']);
    expect(runs[1]!.epochs).toHaveLength(1); // its curve so far
    const sent = FakeWorker.all[0]!.sent;
    expect(sent.map((m) => m.type)).toEqual(['init', 'load-dataset', 'load-model']);
    // The memory budget the user set applies to the restored folder too.
    expect(sent[1]).toMatchObject({ type: 'load-dataset', memoryBudgetBytes: 64 * 2 ** 20 });
    expect(useStudio.getState().datasetName).toBe('d');
    expect(useStudio.getState().modelId).toBe('teaching-cnn');
    expect(useStudio.getState().plan.modes).toEqual({ conv1: 'fine-tune' });
  });

  for (const stored of [true, false])
    it(`predicts with a run as soon as it is trained (${stored ? 'its weights stored first' : 'no storage: weights kept in memory'})`, async () => {
      const db = new ThawDb(`thaw-predict-test-${stored}`);
      const studio = createStudio(make, stored ? createStudioStorage(db) : undefined);
      await studio.start();
      const worker = FakeWorker.all.at(-1)!;
      const answer = (m: FromWorker) => worker.onmessage?.({ data: m } as MessageEvent<FromWorker>);
      const modelReq = worker.sent.find((m) => m.type === 'load-model')!;
      answer({ type: 'model', id: modelReq.id, info: teachingInfo() });
      answer({ type: 'model-ready', id: modelReq.id, imagesResized: false });
      studio.actions.train();
      const id = (worker.sent.at(-1) as Extract<ToWorker, { type: 'train' }>).id;
      answer({
        type: 'epoch',
        id,
        metrics: { epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.7 },
      });
      answer({ type: 'weights', id, weights: weightsOf(id) });
      answer({
        type: 'done',
        id,
        stopped: false,
        valAccuracy: 0.7,
        bestEpoch: 1,
        stoppedEarly: false,
        timings: {
          images: 1,
          featuresMs: 1,
          featuresBackend: 'cpu',
          headMs: 1,
          headBackend: 'cpu',
          frozenPrefixLayers: 0,
          trainableParams: 1,
        },
        numTensors: 1,
        numTensorsBefore: 1,
      });
      const request = await vi.waitFor(() => {
        const r = worker.sent.find((m) => m.type === 'use-classifier');
        expect(r).toBeDefined();
        return r as Extract<ToWorker, { type: 'use-classifier' }>;
      });
      expect(request.classifier).toMatchObject({ key: id, weights: weightsOf(id) });
      if (stored) expect(await db.weights.get(id)).toBeDefined();
      expect(useStudio.getState().predict).toMatchObject({ runId: id, justTrained: true });
    });
});
