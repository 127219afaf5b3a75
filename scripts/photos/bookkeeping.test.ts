import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  emptyConclusions,
  fineTuneAfter,
  keptConclusions,
  medianGapSeconds,
  paired,
  summarize,
  table,
  type Row,
} from './bookkeeping';
import { blockSpan, settingsFor } from './experiment';

/** The tail of a MobileNetV2 as name + parameter count. */
const LAYERS = [
  { name: 'block_15_project_BN', params: 224 },
  { name: 'block_15_add', params: 0 },
  { name: 'block_16_expand', params: 18816 },
  { name: 'block_16_expand_BN', params: 1344 },
  { name: 'block_16_expand_relu', params: 0 },
  { name: 'block_16_depthwise', params: 3024 },
  { name: 'block_16_project', params: 37632 },
  { name: 'Conv_1', params: 143360 },
  { name: 'Conv_1_bn', params: 5120 },
  { name: 'out_relu', params: 0 },
  { name: 'global_average_pooling2d', params: 0 },
];

describe('photo experiment bookkeeping', () => {
  it('fine-tunes exactly the weighted layers after the boundary, up to the feature layer', () => {
    const plan = fineTuneAfter(LAYERS, 'block_15_add', 'global_average_pooling2d');
    expect(plan.featureLayer).toBe('global_average_pooling2d');
    expect(Object.keys(plan.modes)).toEqual([
      'block_16_expand',
      'block_16_expand_BN',
      'block_16_depthwise',
      'block_16_project',
      'Conv_1',
      'Conv_1_bn',
    ]);
    expect(new Set(Object.values(plan.modes))).toEqual(new Set(['fine-tune']));
    expect(blockSpan(Object.keys(plan.modes))).toBe('block 16 + Conv_1');
    expect(blockSpan(['block_13_expand', 'block_16_project', 'Conv_1'])).toBe(
      'blocks 13–16 + Conv_1',
    );
    expect(() => fineTuneAfter(LAYERS, 'Conv_1', 'block_16_expand')).toThrow(/not after/);
    expect(() => fineTuneAfter(LAYERS, 'nope', 'Conv_1')).toThrow(/no layer/);
  });

  it('lists the reference head first, the other input range, two mid taps, then fine-tuning', () => {
    const s = settingsFor(
      { featureLayer: 'global_average_pooling2d', valueRange: [-1, 1] },
      LAYERS,
      ['block_15_add'],
      [1e-4, 1e-5],
    );
    expect(s.map((x) => x.id)).toEqual([
      'head-feature',
      'head-feature-other-range',
      'head-block_12_add',
      'head-block_9_add',
      'ft-after-block_15_add-lr-0.0001',
      'ft-after-block_15_add-lr-0.00001',
    ]);
    expect(s.filter((x) => x.reference).map((x) => x.id)).toEqual(['head-feature']);
    expect(s[1]!.valueRange).toEqual([0, 1]);
    expect(s[2]!.plan).toEqual({ modes: {}, featureLayer: 'block_12_add' });
    expect(s[4]!.fineTuneLearningRate).toBe(1e-4);
  });

  it('scores test predictions against the labels of the split rows', () => {
    const labels = [0, 1, 2, 0, 1, 2];
    expect(accuracyOf([1, 1], [1, 3], labels)).toBe(0.5);
    expect(accuracyOf([2, 0, 1], [2, 3, 4], labels)).toBe(1);
    expect(() => accuracyOf([1], [1, 2], labels)).toThrow();
  });

  it('summarises seeds with sample sd and min–max, and pairs differences seed by seed', () => {
    const s = summarize([0.8, 0.9, 1.0]);
    expect(s.mean).toBeCloseTo(0.9);
    expect(s.sd).toBeCloseTo(0.1);
    expect([s.min, s.max]).toEqual([0.8, 1.0]);
    expect(summarize([0.5]).sd).toBe(0);
    // A constant gain on every seed is beyond noise; the same means with a large spread are not.
    expect(paired([0.9, 0.8, 0.85], [0.85, 0.75, 0.8]).significant).toBe(true);
    const noisy = paired([0.9, 0.7, 0.85], [0.8, 0.8, 0.8]);
    expect(noisy.mean).toBeCloseTo(0.05 / 3);
    expect(noisy.significant).toBe(false);
    expect(paired([0.9], [0.8]).significant).toBe(false);
  });

  it('times an epoch as the median gap between epoch ends', () => {
    expect(medianGapSeconds([0, 1000, 3000, 4000])).toBe(1);
    expect(medianGapSeconds([0])).toBeNaN();
  });

  it('writes one table row per setting with the paired Δ and a star only beyond noise', () => {
    const row: Row = {
      backbone: 'B',
      setting: 'S',
      test: [0.9, 0.8, 1.0],
      bestEpoch: [3, 4, 5],
      epochsRun: [8, 9, 10],
      vsReference: paired([0.9, 0.8, 1.0], [0.8, 0.7, 0.9]),
      featuresPerSecond: 12.345,
      secondsPerEpoch: 1.5,
    };
    const md = table([row, { ...row, vsReference: null, featuresPerSecond: null }]).split('\n');
    expect(md).toHaveLength(4);
    expect(md[2]).toBe(
      '| B | S | 90.0 ± 10.0 | 80.0–100.0 | 90.0 / 80.0 / 100.0 | +10.0 ± 0.0 * | 4.0; 9.0 | 12.3 | 1.50 |',
    );
    expect(md[3]).toContain('(reference)');
  });

  it('keeps the hand-written conclusions of an earlier report', () => {
    const block = emptyConclusions().replace('_Not written yet', 'Fine-tuning wins');
    expect(keptConclusions(`# Title\n\n${block}\n\ntrailer`)).toBe(block);
    expect(keptConclusions('# no block')).toBeNull();
    expect(keptConclusions(null)).toBeNull();
  });
});
