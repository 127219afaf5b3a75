import { describe, expect, it } from 'vitest';
import type { PlanLayer } from '../domain';
import { candidateDepths, defaultDepths, planAtDepth, summarizeSweep, timeLeft } from './sweep';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

const L = (name: string, params: number, cutPoint = true): PlanLayer => ({
  name,
  params,
  cutPoint,
});
// conv1 → bn1 → relu1 → [conv2 → add] (conv2 inside a residual block) → conv3 → pool → head
const layers = [
  L('input', 0),
  L('conv1', 10),
  L('bn1', 4),
  L('relu1', 0),
  L('conv2', 10, false),
  L('add', 0),
  L('conv3', 10),
  L('pool', 0),
  L('head', 5),
];

describe('sweep depths', () => {
  it('lists distinct depths at cut points, from nothing frozen to all frozen, up to the feature layer', () => {
    const depths = candidateDepths(layers, 'pool');
    expect(depths.map((d) => [d.boundary, d.frozen])).toEqual([
      [null, 0],
      ['conv1', 1],
      ['relu1', 2], // bn1 and relu1 freeze the same layers: the later boundary is kept
      ['add', 3], // not conv2: a skip connection crosses it
      ['pool', 4],
    ]);
    expect(depths.at(-1)!.label).toMatch(/^all frozen/);
  });

  it('spreads about six depths over a real network, both ends kept', () => {
    const real = teachingCnn as PlanLayer[];
    const feature = 'global_pool';
    const picked = defaultDepths(real, feature, 6);
    const all = candidateDepths(real, feature);
    expect(picked.length).toBe(Math.min(6, all.length));
    expect(picked[0]!.frozen).toBe(0);
    expect(picked.at(-1)!.frozen).toBe(all.at(-1)!.frozen);
  });

  it('builds the plan at a depth: frozen below, fine-tune above, re-initialize kept', () => {
    const plan = { modes: { conv3: 'reinit' as const }, featureLayer: 'pool' };
    const at = planAtDepth(layers, plan, candidateDepths(layers, 'pool')[2]!);
    expect(at.modes).toMatchObject({
      conv1: 'frozen',
      bn1: 'frozen',
      conv2: 'fine-tune',
      conv3: 'reinit',
    });
    expect(at.featureLayer).toBe('pool');
  });
});

describe('summarizeSweep', () => {
  const depths = candidateDepths(layers, 'pool').slice(0, 3);
  it('gives mean ± sd per depth and marks neighbours within seed noise', () => {
    const runs = [
      // depth 0: 0.80, 0.82, 0.84 → mean 0.82, sd 0.02
      { depthIndex: 0, seed: 1, valAccuracy: 0.8, testAccuracy: 0.8, seconds: 2 },
      { depthIndex: 0, seed: 2, valAccuracy: 0.82, testAccuracy: 0.82, seconds: 2 },
      { depthIndex: 0, seed: 3, valAccuracy: 0.84, testAccuracy: 0.84, seconds: 2 },
      // depth 1: mean 0.83 (within noise of depth 0)
      { depthIndex: 1, seed: 1, valAccuracy: 0.82, testAccuracy: 0.82, seconds: 1 },
      { depthIndex: 1, seed: 2, valAccuracy: 0.84, testAccuracy: 0.84, seconds: 1 },
      // depth 2: mean 0.60 (far below)
      { depthIndex: 2, seed: 1, valAccuracy: 0.6, testAccuracy: 0.59, seconds: 1 },
      { depthIndex: 2, seed: 2, valAccuracy: 0.6, testAccuracy: 0.61, seconds: 1 },
    ];
    const points = summarizeSweep(depths, runs);
    expect(points[0]!.test!.mean).toBeCloseTo(0.82, 9);
    expect(points[0]!.test!.sd).toBeCloseTo(0.02, 9);
    expect(points[0]!.sameAsNext).toBe(true);
    expect(points[1]!.sameAsNext).toBe(false);
    expect(points[1]!.seconds).toBe(1);
  });

  it('cannot tell depths apart with one seed each', () => {
    const runs = [
      { depthIndex: 0, seed: 1, valAccuracy: 0.9, testAccuracy: null, seconds: 1 },
      { depthIndex: 1, seed: 1, valAccuracy: 0.5, testAccuracy: null, seconds: 1 },
    ];
    expect(summarizeSweep(depths, runs)[0]!.sameAsNext).toBe(true);
  });

  it('estimates the time left from the runs so far', () => {
    expect(timeLeft([], 6)).toBeNull();
    expect(
      timeLeft([{ depthIndex: 0, seed: 1, valAccuracy: 1, testAccuracy: 1, seconds: 4 }], 6),
    ).toBe(20);
  });
});
