import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type RunRecord } from '../domain';
import { differingConfig, planSummary } from './compare';

const run = (patch: Partial<RunRecord>): RunRecord => ({
  id: 'r',
  status: 'done',
  createdAt: 0,
  model: 'M',
  modelId: 'm',
  resolution: 224,
  dataset: 'D',
  plan: { modes: {}, featureLayer: 'pool' },
  params: DEFAULT_PARAMS,
  weighted: 4,
  frozen: 4,
  fineTuned: 0,
  reinitialized: 0,
  epochs: [],
  bestEpoch: 0,
  valAccuracy: 0,
  testAccuracy: null,
  stopped: false,
  timings: null,
  batches: [],
  evaluation: null,
  classNames: [],
  ...patch,
});

describe('differingConfig', () => {
  it('lists only what differs between the runs', () => {
    const a = run({});
    const b = run({
      frozen: 2,
      fineTuned: 2,
      plan: { modes: { c3: 'fine-tune', c4: 'fine-tune' }, featureLayer: 'pool' },
      params: { ...DEFAULT_PARAMS, seed: 7 },
    });
    expect(differingConfig([a, b])).toEqual([
      { label: 'Layers frozen', values: ['4/4', '2/4'] },
      { label: 'Trained layers', values: ['none (head only)', 'c3: Fine-tune, c4: Fine-tune'] },
      { label: 'Seed', values: ['42', '7'] },
    ]);
    expect(differingConfig([a, run({})])).toEqual([]);
  });

  it('summarises a plan in one line', () => {
    expect(planSummary(run({ frozen: 2, fineTuned: 1, reinitialized: 1 }))).toBe(
      '2/4 frozen, 1 fine-tuned, 1 re-initialized, softmax',
    );
  });
});
