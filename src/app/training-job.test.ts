import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type ModelCard } from '../domain';
import { importRunnerRun, jobJson } from './training-job';

/** A run.json as runner/thaw_runner/run.py writes it (2 classes, 2 epochs). */
const runJson = () => ({
  format: 'thaw-run',
  version: 1,
  name: 'photos',
  modelId: 'teaching-cnn',
  classNames: ['cat', 'dog'],
  plan: { modes: { conv2: 'fine-tune' }, featureLayer: 'global_pool' },
  params: (({ augment: _, ...p }) => p)(DEFAULT_PARAMS),
  history: [
    { epoch: 1, trainLoss: 0.9, trainAccuracy: 0.5, valLoss: 0.8, valAccuracy: 0.6, seconds: 1 },
    { epoch: 2, trainLoss: 0.5, trainAccuracy: 0.8, valLoss: 0.6, valAccuracy: 0.7, seconds: 1 },
  ],
  bestEpoch: 2,
  stoppedEarly: false,
  valAccuracy: 0.7,
  testAccuracy: 0.65,
  layers: { weighted: 3, frozen: 2, fineTuned: 1, reinitialized: 0 },
  evaluation: {
    split: 'test',
    classNames: ['cat', 'dog'],
    accuracy: 0.65,
    confusion: [
      [7, 3],
      [4, 6],
    ],
    perClass: [
      { precision: 0.64, recall: 0.7, support: 10 },
      { precision: 0.67, recall: 0.6, support: 10 },
    ],
    misclassified: { '0-1': ['cat/1.png'] },
  },
  dataset: { images: 100, classes: [], skipped: 1, split: { train: 60, validation: 20, test: 20 } },
  reference: null,
  trainableParams: 10,
  timings: { seconds: 12, trainSeconds: 10, epochSeconds: [5, 5], processes: 2, device: 'cpu' },
  runner: { version: '1', torch: '2' },
  engine: 'pytorch',
});

const modelJson = {
  format: 'layers-model',
  modelTopology: {
    class_name: 'Model',
    config: {
      layers: [
        { class_name: 'InputLayer', config: { batch_input_shape: [null, 28, 28, 1] } },
        { class_name: 'Dense', config: { name: 'thaw_head' } },
      ],
    },
  },
  weightsManifest: [
    {
      paths: ['weights.bin'],
      weights: [
        { name: 'conv2/kernel', shape: [2, 1], dtype: 'float32' },
        { name: 'thaw_head/kernel', shape: [2, 2], dtype: 'float32' },
        { name: 'thaw_head/bias', shape: [2], dtype: 'float32' },
      ],
    },
  ],
};
const weights = new Float32Array([0.5, -0.5, 1, 2, 3, 4, 0.1, 0.2]).buffer;

const load = (run: unknown, model: unknown = modelJson, w: ArrayBuffer = weights) =>
  importRunnerRun(
    { run: JSON.stringify(run), modelJson: JSON.stringify(model), weights: w },
    (id) => `Model ${id}`,
  );
const refusal = (run: unknown, model?: unknown, w?: ArrayBuffer) => {
  try {
    load(run, model, w);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the run was accepted');
};
const withParam = (key: string, value: unknown) => {
  const r = runJson();
  return { ...r, params: { ...r.params, [key]: value } };
};

describe('importing a run of the runner', () => {
  it("turns run.json, model.json and weights.bin into a run and its weights; accepts the runner's skipped list", () => {
    const { run, weights: w } = load({
      ...runJson(),
      skipped: [{ path: 'cat/grapes.png', reason: 'could not be decoded' }],
    });
    expect(run.model).toBe('Model teaching-cnn · PyTorch (2 processes, cpu)');
    expect(run.resolution).toBe(28);
    expect(run.params.augment).toEqual({ flip: false, crop: false, brightness: false });
    expect(run.epochs).toHaveLength(2);
    expect(run.valAccuracy).toBe(0.7);
    expect(run.evaluation?.confusion).toEqual([
      [7, 3],
      [4, 6],
    ]);
    expect(w.layers.map((l) => l.name)).toEqual(['conv2/kernel']);
    expect(Array.from(w.head.bias)).toEqual([Math.fround(0.1), Math.fround(0.2)]);
  });

  it.each([
    ['learningRate', 1e9, 'params.learningRate must be between 1e-7 and 10 (got 1000000000)'],
    ['epochs', -5, 'params.epochs must be between 1 and 500 (got -5)'],
    ['batchSize', 0, 'params.batchSize must be between 1 and 1024 (got 0)'],
    [
      'learningRate',
      'fast',
      'params.learningRate must be a number between 1e-7 and 10 (got "fast")',
    ],
    ['seed', [1], 'params.seed must be a whole number between 0 and 4294967295 (got a list of 1)'],
  ])('refuses params.%s = %j with the field and range', (key, value, words) => {
    expect(refusal(withParam(key, value))).toBe(`"run.json": ${words}.`);
  });

  it('refuses a foreign or damaged run.json, a wrong skipped list, a model.json that does not fit', () => {
    expect(refusal({ ...runJson(), format: 'other' })).toMatch(/not written by the Thaw runner/);
    expect(refusal({ ...runJson(), version: 3 })).toMatch(
      /run version 3; this studio reads version 1/,
    );
    expect(refusal([1])).toMatch(/"run\.json" is not a JSON object/);
    const noHistory: Partial<ReturnType<typeof runJson>> = runJson();
    delete noHistory.history;
    expect(refusal(noHistory)).toBe('"run.json": history is missing.');
    expect(refusal({ ...runJson(), bestEpoch: 9 })).toMatch(/bestEpoch must be between 0 and 2/);
    expect(refusal({ ...runJson(), valAccuracy: 'NaN' })).toMatch(
      /valAccuracy must be a number between 0 and 1 \(got "NaN"\)/,
    );
    expect(refusal({ ...runJson(), skipped: [{ path: 1, reason: 'x' }] })).toBe(
      '"run.json": skipped[0].path must be text (got 1).',
    );
    expect(refusal({ ...runJson(), name: 'n'.repeat(10 * 2 ** 20) })).toMatch(
      /name must be text of at most 1000 characters \(got text of 10485760 characters\)/,
    );
    expect(refusal({ ...runJson(), classNames: ['cat', 'cat'] })).toMatch(
      /classNames must not name a class twice/,
    );
    expect(refusal({ ...runJson(), classNames: ['a', 'b', 'c'] })).toMatch(
      /names 3 classes but the model has 2 outputs/,
    );
    expect(refusal(runJson(), { ...modelJson, weightsManifest: 'all' })).toBe(
      '"model.json": weightsManifest must be a list (got "all").',
    );
    expect(refusal(runJson(), modelJson, new Float32Array(3).buffer)).toMatch(
      /weights\.bin is shorter/,
    );
  });

  it('ignores __proto__ keys in run.json without polluting any prototype', () => {
    const text = JSON.stringify(runJson()).replace('{', '{"__proto__":{"polluted":"yes"},');
    const { run } = importRunnerRun(
      {
        run: text.replace('"modes":{', '"modes":{"__proto__":{"polluted":1},'),
        modelJson: JSON.stringify(modelJson),
        weights,
      },
      (id) => id,
    );
    expect(run.plan.modes).toEqual({ conv2: 'fine-tune' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('job.json', () => {
  const card = {
    id: 'teaching-cnn',
    name: 'Teaching CNN',
    channels: 1,
    valueRange: [0, 1],
  } as ModelCard;
  const setup = {
    name: 'photos',
    card,
    resolution: 28,
    plan: { modes: { conv2: 'fine-tune' as const }, featureLayer: 'global_pool' },
    params: DEFAULT_PARAMS,
    classNames: ['cat', 'dog'],
  };

  it('is written in the format the runner reads', () => {
    const job = jobJson(setup);
    expect(job.format).toBe('thaw-training-job');
    expect(job.params).toEqual(DEFAULT_PARAMS);
    expect(job.inputSize).toBe(28);
  });

  it('is never written with a value the runner would refuse', () => {
    expect(() => jobJson({ ...setup, params: { ...DEFAULT_PARAMS, epochs: 0 } })).toThrow(
      '"job.json": params.epochs must be between 1 and 500 (got 0).',
    );
    expect(() => jobJson({ ...setup, classNames: ['only'] })).toThrow(
      'classNames must list at least two class names',
    );
  });
});
