import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type RunRecord } from '../domain';
import { StorageFullError, ThawDb } from './db';
import { createStudioStorage } from './studio-storage';

let n = 0;
let db: ThawDb;
beforeEach(() => {
  db = new ThawDb(`thaw-test-${++n}`);
});

const run = (id: string, patch: Partial<RunRecord> = {}): RunRecord => ({
  id,
  status: 'done',
  createdAt: n * 1000 + Number(id.replace(/\D/g, '')),
  model: 'MobileNetV2',
  modelId: 'mobilenet-v2',
  resolution: 224,
  dataset: 'Fashion target',
  plan: { modes: { conv2: 'fine-tune' }, featureLayer: 'pool' },
  params: DEFAULT_PARAMS,
  weighted: 3,
  frozen: 2,
  fineTuned: 1,
  reinitialized: 0,
  epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.6 }],
  bestEpoch: 1,
  valAccuracy: 0.6,
  testAccuracy: 0.55,
  stopped: false,
  timings: null,
  batches: [{ x: 0.5, loss: 1.1 }],
  evaluation: null,
  classNames: ['a', 'b'],
  ...patch,
});

describe('studio storage (IndexedDB)', () => {
  it('round-trips runs, oldest first, and brings back a run cut off by a reload as interrupted', async () => {
    const storage = createStudioStorage(db);
    await storage.saveRun(run('train-2'));
    await storage.saveRun(run('train-1'));
    await storage.saveRun(run('train-3', { status: 'running' }));
    const back = await storage.loadRuns();
    expect(back.map((r) => [r.id, r.status])).toEqual([
      ['train-1', 'done'],
      ['train-2', 'done'],
      ['train-3', 'interrupted'],
    ]);
    expect(back[0]).toEqual(run('train-1'));
    // The interrupted mark is stored, not just shown.
    expect((await db.runs.get('train-3'))?.status).toBe('interrupted');
  });

  it('round-trips a dataset with its files and a run with its weights, and deletes both', async () => {
    const storage = createStudioStorage(db);
    const bytes = new Uint8Array([137, 80, 78, 71, 1, 2, 3]);
    await storage.saveDataset({
      name: 'my photos',
      files: [{ path: 'my photos/cat/1.png', file: new Blob([bytes], { type: 'image/png' }) }],
      skipped: [{ path: 'my photos/notes.txt', reason: 'not an image (.txt)' }],
    });
    const dataset = await storage.loadDataset();
    expect(dataset?.name).toBe('my photos');
    expect(new Uint8Array(await dataset!.files[0]!.file.arrayBuffer())).toEqual(bytes);
    expect(dataset?.skipped).toHaveLength(1);

    await storage.saveRun(run('train-1'));
    await storage.saveWeights({
      runId: 'train-1',
      layers: [{ name: 'conv2/kernel', shape: [2], values: new Float32Array([0.5, -1]) }],
      head: {
        kernel: new Float32Array([1, 2, 3, 4]),
        bias: new Float32Array([0, 1]),
        mean: new Float32Array([0.1, 0.2]),
        std: new Float32Array([1, 1]),
        featureDim: 2,
        numClasses: 2,
      },
    });
    const weights = await storage.loadWeights('train-1');
    expect(Array.from(weights!.layers[0]!.values)).toEqual([0.5, -1]);
    expect(Array.from(weights!.head.kernel)).toEqual([1, 2, 3, 4]);

    await storage.deleteRun('train-1');
    await storage.deleteDataset();
    expect(await storage.loadRuns()).toEqual([]);
    expect(await storage.loadWeights('train-1')).toBeUndefined();
    expect(await storage.loadDataset()).toBeUndefined();
  });

  it('a full quota gets a clear message and loses nothing already stored', async () => {
    const storage = createStudioStorage(db);
    await storage.saveRun(run('train-1'));
    const put = db.runs.put.bind(db.runs);
    db.runs.put = (() =>
      Promise.reject(
        new DOMException('quota', 'QuotaExceededError'),
      )) as unknown as typeof db.runs.put;
    const failed = storage.saveRun(run('train-2'));
    await expect(failed).rejects.toThrow(StorageFullError);
    await expect(failed).rejects.toThrow(
      /storage for this page is full.*Everything saved before is kept/,
    );
    db.runs.put = put;
    expect((await storage.loadRuns()).map((r) => r.id)).toEqual(['train-1']);
  });

  it('keeps the settings: model, resolution, plan and parameters', async () => {
    const storage = createStudioStorage(db);
    await storage.saveSettings({
      modelId: 'teaching-cnn',
      resolution: 28,
      plan: { modes: { conv1: 'reinit' }, featureLayer: 'global_pool' },
      params: { ...DEFAULT_PARAMS, epochs: 33 },
    });
    expect(await storage.loadSettings()).toMatchObject({
      modelId: 'teaching-cnn',
      params: { epochs: 33 },
    });
  });

  const settings = (params: Record<string, unknown>) => ({
    id: 'studio' as const,
    modelId: 'teaching-cnn',
    resolution: 28,
    plan: { modes: {}, featureLayer: 'global_pool' },
    params: { ...DEFAULT_PARAMS, ...params } as typeof DEFAULT_PARAMS,
  });

  it.each([
    [
      { learningRate: 1e9 },
      'settings.params.learningRate must be between 1e-7 and 10 (got 1000000000)',
    ],
    [
      { learningRate: NaN },
      'settings.params.learningRate must be a number between 1e-7 and 10 (got NaN)',
    ],
    [
      { learningRate: Infinity },
      'settings.params.learningRate must be a number between 1e-7 and 10 (got Infinity)',
    ],
    [{ epochs: -5 }, 'settings.params.epochs must be between 1 and 500 (got -5)'],
    [{ batchSize: 0 }, 'settings.params.batchSize must be between 1 and 1024 (got 0)'],
    [{ epochs: '5' }, 'settings.params.epochs must be a whole number between 1 and 500 (got "5")'],
    [
      { batchSize: [16] },
      'settings.params.batchSize must be a whole number between 1 and 1024 (got a list of 1)',
    ],
  ])('refuses stored settings with %j, naming the field and range', async (params, words) => {
    const storage = createStudioStorage(db);
    await db.settings.put(settings(params));
    await expect(storage.loadSettings()).rejects.toThrow(`"this browser's storage": ${words}.`);
  });

  it('refuses a stored memory budget out of range, a damaged run, a dataset file that is not a file', async () => {
    const storage = createStudioStorage(db);
    await db.settings.put({ ...settings({}), imageBudgetBytes: 1 });
    await expect(storage.loadSettings()).rejects.toThrow(
      /settings\.imageBudgetBytes must be between 16777216 and 17179869184 \(got 1\)/,
    );
    await db.runs.put(run('train-1', { bestEpoch: -1 }));
    await expect(storage.loadRuns()).rejects.toThrow(
      '"this browser\'s storage": runs[0].bestEpoch must be at least 0 (got -1).',
    );
    await db.runs.put(run('train-1', { params: { ...DEFAULT_PARAMS, epochs: 1e9 } }));
    await expect(storage.loadRuns()).rejects.toThrow(
      'runs[0].params.epochs must be between 1 and 500 (got 1000000000)',
    );
    await db.datasets.put({
      id: 'current',
      name: 'd',
      files: [{ path: 'd/a/1.png', file: 'x'.repeat(10 * 2 ** 20) as unknown as Blob }],
      skipped: [],
      savedAt: 1,
    });
    await expect(storage.loadDataset()).rejects.toThrow(
      '"this browser\'s storage": dataset.files[0].file must be a file (got text of 10485760 characters).',
    );
  });

  it('drops __proto__ keys from stored settings without polluting any prototype', async () => {
    const storage = createStudioStorage(db);
    const hostile = settings({});
    hostile.plan.modes = JSON.parse('{"__proto__": {"polluted": "yes"}, "conv1": "reinit"}');
    await db.settings.put(hostile);
    expect((await storage.loadSettings())?.plan.modes).toEqual({ conv1: 'reinit' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
