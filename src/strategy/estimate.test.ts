import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GAIN_THRESHOLD,
  DEFAULT_SIZE_THRESHOLD,
  estimateQuadrant,
  estimateSimilarity,
  estimateSize,
} from './estimate';
import type { ProbePoint } from '../domain';

const point = (layer: string, depth: number, pretrained: number, random: number): ProbePoint => ({
  layer,
  depth,
  pretrained,
  random,
});

describe('estimateSize', () => {
  it('judges by the smallest class', () => {
    const r = estimateSize([500, 40, 300], DEFAULT_SIZE_THRESHOLD);
    expect(r).toMatchObject({ size: 'small', perClass: 40 });
    expect(r.reason).toMatch(/40 images/);
    expect(estimateSize([250, 210], 200)).toMatchObject({ size: 'large', perClass: 210 });
  });

  it('counts exactly the threshold as large, one fewer as small', () => {
    expect(estimateSize([200, 200], 200).size).toBe('large');
    expect(estimateSize([200, 199], 200).size).toBe('small');
  });

  it('calls an empty dataset small', () => {
    expect(estimateSize([], 200)).toMatchObject({ size: 'small', perClass: 0 });
  });

  it('uses a threshold in the 100–200 images/class rule of thumb', () => {
    expect(DEFAULT_SIZE_THRESHOLD).toBeGreaterThanOrEqual(100);
    expect(DEFAULT_SIZE_THRESHOLD).toBeLessThanOrEqual(200);
  });
});

describe('estimateSimilarity', () => {
  it('calls a large gain at the top layer similar, with no cut', () => {
    const r = estimateSimilarity([
      point('b2', 0.5, 0.6, 0.55),
      point('top', 1, 0.9, 0.6),
      point('b1', 0.25, 0.5, 0.5),
    ]);
    expect(r.similarity).toBe('similar');
    expect(r.gainAtTop).toBeCloseTo(0.3);
    expect(r.suggestedCut).toBeNull();
    expect(r.reason).toMatch(/top.*90\.0%.*60\.0%.*\+30\.0 pp/);
  });

  it('ignores where the probe peaks: a higher middle layer with no gain at the top is different', () => {
    // Raw-pixel-like structure: random weights do as well as pretrained at the top.
    const r = estimateSimilarity([
      point('b1', 0.3, 0.7, 0.6),
      point('b2', 0.6, 0.85, 0.7),
      point('top', 1, 0.6, 0.6),
    ]);
    expect(r.similarity).toBe('different');
    expect(r.gainAtTop).toBeCloseTo(0);
    expect(r.suggestedCut).toBe('b2');
    expect(r.reason).toMatch(/b2 is the deepest layer/);
  });

  it('suggests the deepest layer that still gains, not the one with the largest gain', () => {
    const r = estimateSimilarity([
      point('b1', 0.2, 0.9, 0.6),
      point('b2', 0.5, 0.7, 0.62),
      point('b3', 0.8, 0.6, 0.6),
      point('top', 1, 0.5, 0.52),
    ]);
    expect(r).toMatchObject({ similarity: 'different', suggestedCut: 'b2' });
    expect(r.gainAtTop).toBeCloseTo(-0.02);
    expect(r.reason).toMatch(/−2\.0 pp/);
  });

  it('gives no cut when no layer gains', () => {
    const r = estimateSimilarity([point('b1', 0.3, 0.5, 0.52), point('top', 1, 0.4, 0.41)]);
    expect(r).toMatchObject({ similarity: 'different', suggestedCut: null });
    expect(r.reason).toMatch(/No probed layer/);
  });

  it('counts a gain of exactly the threshold as reaching it, despite float error', () => {
    expect(0.85 - 0.8).toBeLessThan(0.05); // why the tolerance exists
    expect(estimateSimilarity([point('top', 1, 0.85, 0.8)]).similarity).toBe('similar');
    expect(estimateSimilarity([point('top', 1, 0.849, 0.8)]).similarity).toBe('different');
    const mid = estimateSimilarity([point('mid', 0.5, 0.75, 0.7), point('top', 1, 0.7, 0.7)]);
    expect(mid.suggestedCut).toBe('mid');
  });

  it('takes a custom threshold', () => {
    const points = [point('mid', 0.5, 0.8, 0.7), point('top', 1, 0.78, 0.7)];
    expect(estimateSimilarity(points).similarity).toBe('similar');
    const strict = estimateSimilarity(points, { gainThreshold: 0.1 });
    expect(strict).toMatchObject({ similarity: 'different', suggestedCut: 'mid' });
    expect(strict.reason).toMatch(/\+10\.0 pp/);
    expect(estimateSimilarity(points, { gainThreshold: 0 }).similarity).toBe('similar');
  });

  it('calls no probe results different, with no cut', () => {
    expect(estimateSimilarity([])).toMatchObject({
      similarity: 'different',
      gainAtTop: 0,
      suggestedCut: null,
    });
  });

  it('defaults to a 5 pp gain', () => {
    expect(DEFAULT_GAIN_THRESHOLD).toBe(0.05);
  });
});

describe('estimateQuadrant', () => {
  it('combines size and similarity', () => {
    expect(estimateQuadrant('small', 'similar')).toBe('small-similar');
    expect(estimateQuadrant('large', 'similar')).toBe('large-similar');
    expect(estimateQuadrant('small', 'different')).toBe('small-different');
    expect(estimateQuadrant('large', 'different')).toBe('large-different');
  });
});
