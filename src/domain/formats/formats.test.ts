import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../params';
import { PARAM_RANGES } from '../ranges';
import { FormatError, numberIn, object, parseWith, shown, text } from './common';
import { layerPlan, trainParams } from './params';

const TEN_MB = 'x'.repeat(10 * 2 ** 20);
const params = (patch: Record<string, unknown>) => ({ ...DEFAULT_PARAMS, ...patch });
const refusal = (input: unknown, schema: v.GenericSchema = trainParams) => {
  try {
    parseWith(schema, input, 'f.json');
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('training parameters in a file', () => {
  it('accepts the defaults and returns a copy holding only known fields', () => {
    const out = parseWith(trainParams, { ...DEFAULT_PARAMS, extra: 1 }, 'f.json');
    expect(out).toEqual(DEFAULT_PARAMS);
    expect(out).not.toBe(DEFAULT_PARAMS);
    expect(parseWith(trainParams, params({ splitSeed: 7 }), 'f.json').splitSeed).toBe(7);
  });

  it.each([
    ['learningRate', 1e9, 'learningRate must be between 1e-7 and 10 (got 1000000000)'],
    ['learningRate', 0, 'learningRate must be between 1e-7 and 10 (got 0)'],
    ['learningRate', -5, 'learningRate must be between 1e-7 and 10 (got -5)'],
    ['learningRate', NaN, 'learningRate must be a number between 1e-7 and 10 (got NaN)'],
    ['learningRate', Infinity, 'learningRate must be a number between 1e-7 and 10 (got Infinity)'],
    ['learningRate', '0.001', 'learningRate must be a number between 1e-7 and 10 (got "0.001")'],
    [
      'learningRate',
      [0.001],
      'learningRate must be a number between 1e-7 and 10 (got a list of 1)',
    ],
    ['epochs', -5, 'epochs must be between 1 and 500 (got -5)'],
    ['epochs', 1e9, 'epochs must be between 1 and 500 (got 1000000000)'],
    ['epochs', 2.5, 'epochs must be a whole number between 1 and 500 (got 2.5)'],
    ['batchSize', 0, 'batchSize must be between 1 and 1024 (got 0)'],
    ['fineTuneLearningRate', 11, 'fineTuneLearningRate must be between 1e-9 and 10 (got 11)'],
    ['seed', -1, 'seed must be between 0 and 4294967295 (got -1)'],
    ['conservation', -5, 'conservation must be at least 0 (got -5)'],
    ['head', 'tree', 'head must be one of "softmax", "svm" (got "tree")'],
    ['augment', 'yes', 'augment must be an object (got "yes")'],
    ['batchNormTraining', 1, 'batchNormTraining must be true or false (got 1)'],
  ])('refuses %s = %s, naming the field and its range', (key, value, words) => {
    expect(refusal(params({ [key]: value }))).toBe(`"f.json": ${words}.`);
  });

  it('refuses a patience out of range, shares that leave nothing to train on, a missing field', () => {
    expect(refusal(params({ earlyStopping: { enabled: true, patience: 0, minDelta: 0 } }))).toBe(
      '"f.json": earlyStopping.patience must be between 1 and 100 (got 0).',
    );
    expect(refusal(params({ validationFraction: 0.6, testFraction: 0.5 }))).toMatch(
      /testFraction must leave images for training/,
    );
    const noEpochs: Partial<typeof DEFAULT_PARAMS> = { ...DEFAULT_PARAMS };
    delete noEpochs.epochs;
    expect(refusal(noEpochs)).toBe('"f.json": epochs is missing.');
    expect(refusal(null)).toBe('"f.json": the file must be an object (got null).');
    expect(refusal([1, 2])).toBe('"f.json": the file must be an object (got a list of 2).');
  });

  it('counts further problems instead of listing them all', () => {
    expect(refusal(params({ epochs: 0, batchSize: 0, learningRate: 0 }))).toMatch(
      /It has 2 more problems\.$/,
    );
  });

  it('keeps a message short for a 10 MB string', () => {
    const message = refusal(params({ learningRate: TEN_MB }));
    expect(message).toBe(
      `"f.json": learningRate must be a number between 1e-7 and 10 (got text of ${TEN_MB.length} characters).`,
    );
    expect(refusal({ name: TEN_MB }, object({ name: text() }))).toMatch(
      /name must be text of at most 1000 characters \(got text of 10485760 characters\)/,
    );
    expect(shown({ a: 1 })).toBe('an object');
  });

  it('drops __proto__ keys without polluting any prototype', () => {
    const hostile = JSON.parse(
      `{"modes": {"__proto__": {"polluted": "yes"}, "conv1": "fine-tune"}, "featureLayer": "f", "__proto__": {"polluted": "yes"}}`,
    ) as unknown;
    const plan = parseWith(layerPlan, hostile, 'f.json');
    expect(plan).toEqual({ modes: { conv1: 'fine-tune' }, featureLayer: 'f' });
    expect(Object.getPrototypeOf(plan.modes)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const p = parseWith(
      trainParams,
      JSON.parse(`{"__proto__": {"polluted": 1}, ${JSON.stringify(DEFAULT_PARAMS).slice(1)}`),
      'f.json',
    );
    expect((p as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a list where the plan wants a map of modes, and an unknown mode', () => {
    expect(refusal({ modes: ['frozen'], featureLayer: 'f' }, layerPlan)).toBe(
      '"f.json": modes must be an object (got a list of 1).',
    );
    expect(refusal({ modes: { conv1: 'melt' }, featureLayer: 'f' }, layerPlan)).toBe(
      '"f.json": modes.conv1 must be one of "frozen", "fine-tune", "reinit" (got "melt").',
    );
  });

  it('uses the ranges the number fields use', () => {
    const lr = numberIn(PARAM_RANGES.learningRate);
    expect(v.is(lr, PARAM_RANGES.learningRate.min)).toBe(true);
    expect(v.is(lr, PARAM_RANGES.learningRate.max)).toBe(true);
    expect(v.is(lr, PARAM_RANGES.learningRate.max * 1.0001)).toBe(false);
  });
});
