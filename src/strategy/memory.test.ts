import { describe, expect, it } from 'vitest';
import { CACHE_BUDGET_BYTES, type LayerInfo } from '../domain';
import { imagesInStorage, memoryEstimate } from './memory';

const layer = (name: string, outputShape: string, params: number, cutPoint = true): LayerInfo => ({
  name,
  className: 'Conv2D',
  outputShape,
  params,
  cutPoint,
});
const layers = [
  layer('input', '224×224×3', 0),
  layer('conv1', '112×112×16', 432),
  layer('block_1_project', '56×56×8', 128, false),
  layer('block_1_add', '56×56×8', 0),
  layer('top', '7×7×1280', 1000),
  layer('pool', '1280', 0),
];

describe('memory estimate', () => {
  it('counts the pixels and caches the pooled features when everything is frozen', () => {
    const m = memoryEstimate(layers, { modes: {}, featureLayer: 'pool' }, 1000, 224, false);
    expect(m.imageBytes).toBe(1000 * 224 * 224 * 3);
    expect(m.cache).toEqual({ layer: 'pool', shape: '1280', bytes: 1000 * 1280 * 4, fits: true });
  });

  it('caches up to the last cut point before the first trained layer', () => {
    const plan = { modes: { top: 'fine-tune' as const }, featureLayer: 'pool' };
    expect(memoryEstimate(layers, plan, 10, 224, false).cache?.layer).toBe('block_1_add');
  });

  it('says when the cache would not fit, and caches nothing when augmenting or nothing is frozen', () => {
    const plan = { modes: { block_1_project: 'fine-tune' as const }, featureLayer: 'pool' };
    const big = memoryEstimate(layers, plan, 20000, 224, false);
    expect(big.cache?.layer).toBe('conv1');
    expect(big.cache?.bytes).toBeGreaterThan(CACHE_BUDGET_BYTES);
    expect(big.cache?.fits).toBe(false);
    expect(
      memoryEstimate(layers, { modes: {}, featureLayer: 'pool' }, 10, 224, true).cache,
    ).toBeNull();
    expect(
      memoryEstimate(
        layers,
        { modes: { conv1: 'fine-tune' }, featureLayer: 'pool' },
        10,
        224,
        false,
      ).cache,
    ).toBeNull();
  });
});

describe('where the images are kept', () => {
  it('follows the budget while reading, and where they went once read', () => {
    expect(imagesInStorage(2000, 1000, true, null)).toBe(true);
    expect(imagesInStorage(500, 1000, true, 'storage')).toBe(false);
    expect(imagesInStorage(2000, 1000, false, 'memory')).toBe(false);
    expect(imagesInStorage(500, 1000, false, 'storage')).toBe(true);
  });
});
