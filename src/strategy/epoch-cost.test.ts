import { describe, expect, it } from 'vitest';
import { allFrozen, type LayerPlan } from '../domain';
import { groupBlocks, type BlockLayer } from './blocks';
import { epochCost, measuredRun } from './epoch-cost';
import { planAtFreezeLine } from './freeze-line';
import mobileNet035 from './fixtures/mobilenet-v2-035-layers.json';

const m035 = mobileNet035 as BlockLayer[];

describe('epochCost', () => {
  const blocks = groupBlocks(m035);
  const start = allFrozen('global_average_pooling2d');
  const at = (v: number): LayerPlan => planAtFreezeLine(blocks, m035, start, v);

  it('costs nothing beyond the head when all is frozen, and more the lower the line', () => {
    expect(epochCost(m035, start).work).toBe(0);
    const works = [19, 15, 10, 5, 0].map((v) => epochCost(m035, at(v)).work);
    for (let i = 1; i < works.length; i++) expect(works[i]!).toBeGreaterThan(works[i - 1]!);
    const all = epochCost(m035, at(0));
    expect(all.work).toBe(all.fullWork);
    expect(all.ms).toBeNull();
  });

  it('scales a measured run to another plan', () => {
    // Fine-tuned from block 12 up, features from cache: 2 s per epoch over 5 epochs.
    const measured = {
      timings: { images: 100, featuresMs: 0, headMs: 10_000, frozenPrefixLayers: 100 },
      epochs: 5,
      plan: at(14),
    };
    expect(epochCost(m035, at(14), measured).ms).toBeCloseTo(2000);
    const deeper = epochCost(m035, at(8), measured).ms!;
    expect(deeper).toBeGreaterThan(2000);
    // Its own plan comes out as measured even when a prefix pass was timed too.
    const withPrefix = { ...measured, timings: { ...measured.timings, featuresMs: 300 } };
    expect(epochCost(m035, at(14), withPrefix).ms).toBeCloseTo(2000);
    // It says nothing about a head alone.
    expect(epochCost(m035, start, measured).ms).toBeNull();
    // A head-only run with a measured prefix pass: its rate scales, its per-epoch time is the head.
    const headOnly = {
      timings: { images: 100, featuresMs: 5000, headMs: 500, frozenPrefixLayers: m035.length },
      epochs: 50,
      plan: start,
    };
    expect(epochCost(m035, start, headOnly).ms).toBeCloseTo(10);
    const thawed = epochCost(m035, at(14), headOnly);
    expect(thawed.ms!).toBeGreaterThan(10);
    expect(thawed.onceMs!).toBeGreaterThan(0);
    expect(thawed.onceMs!).toBeLessThan(5000);
  });
});

describe('measuredRun', () => {
  const timings = {
    images: 100,
    featuresMs: 300,
    headMs: 2000,
    frozenPrefixLayers: 4,
    featuresBackend: 'wasm' as const,
    headBackend: 'cpu' as const,
    trainableParams: 0,
  };
  const last = { timings, model: 'Teaching CNN', epochs: [], plan: allFrozen('global_pool') };

  it('scales from the last run while its timings are on screen and it trained this network', () => {
    expect(measuredRun(timings, last, 'Teaching CNN')).toEqual({
      timings,
      epochs: 0,
      plan: last.plan,
    });
    expect(measuredRun(timings, last, 'MobileNetV2')).toBeNull();
    expect(measuredRun({ ...timings }, last, 'Teaching CNN')).toBeNull(); // another run's timings
    expect(measuredRun(null, last, 'Teaching CNN')).toBeNull();
    expect(measuredRun(timings, undefined, 'Teaching CNN')).toBeNull();
  });
});
