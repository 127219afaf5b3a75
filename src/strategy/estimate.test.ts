import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SIZE_THRESHOLD,
  MIN_PROBE_IMAGES_PER_CLASS,
  SIMILARITY_CALIBRATION,
  estimateQuadrant,
  estimateSimilarity,
  estimateSize,
  similarityThreshold,
  splitDifferences,
  verdictOf,
} from './estimate';
import { PIXELS_LAYER, type ProbePoint } from '../domain';

const point = (
  layer: string,
  source: ProbePoint['source'],
  splits: number[],
  perClass = 40,
): ProbePoint => ({ layer, source, depth: source === 'pixels' ? 0 : 1, splits, perClass });

/** A probe whose top features score `top[i]` and pixels `pixels[i]` on split i. */
const probe = (top: number[], pixels: number[], perClass = 40): ProbePoint[] => [
  point(PIXELS_LAYER, 'pixels', pixels, perClass),
  {
    ...point(
      'conv3',
      'layer',
      pixels.map((p) => p - 0.2),
      perClass,
    ),
    depth: 0.5,
  },
  point('fc', 'top', top, perClass),
];

const TEACHING = { id: 'teaching-cnn', resolution: 28 };

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

describe('the verdict rule on split results', () => {
  const t = -0.1;

  it('calls a clear gain similar: every split reaches the threshold', () => {
    expect(verdictOf([0.02, -0.05, 0.0, -0.09, 0.04], 40, t)).toEqual({
      verdict: 'similar',
      unsure: null,
    });
  });

  it('calls a clear loss different: no split reaches the threshold', () => {
    expect(verdictOf([-0.3, -0.25, -0.11, -0.4], 40, t)).toEqual({
      verdict: 'different',
      unsure: null,
    });
  });

  it('is unsure when the splits fall on both sides of the threshold', () => {
    expect(verdictOf([-0.02, -0.15, -0.08], 40, t)).toEqual({
      verdict: 'unsure',
      unsure: 'overlap',
    });
  });

  it('is unsure with too few images, however clear the splits', () => {
    const few = MIN_PROBE_IMAGES_PER_CLASS - 1;
    expect(verdictOf([-0.4, -0.4, -0.4], few, t)).toEqual({
      verdict: 'unsure',
      unsure: 'too-few-images',
    });
    expect(verdictOf([-0.4, -0.4, -0.4], MIN_PROBE_IMAGES_PER_CLASS, t).verdict).toBe('different');
  });

  it('is unsure without a threshold (an uncalibrated network) or without splits', () => {
    expect(verdictOf([0.5, 0.5], 40, null)).toEqual({ verdict: 'unsure', unsure: 'uncalibrated' });
    expect(verdictOf([], 40, t)).toEqual({ verdict: 'unsure', unsure: 'no-probe' });
  });

  it('counts a split of exactly the threshold as reaching it, despite float error', () => {
    expect(0.7 - 0.8).toBeLessThan(-0.1); // why the tolerance exists
    expect(verdictOf([0.7 - 0.8], 40, t).verdict).toBe('similar');
    expect(verdictOf([0.699 - 0.8], 40, t).verdict).toBe('different');
  });
});

describe('estimateSimilarity', () => {
  it('pairs top and pixel accuracies split by split', () => {
    const top = point('fc', 'top', [0.7, 0.8, 0.6]);
    const pixels = point(PIXELS_LAYER, 'pixels', [0.75, 0.7, 0.7]);
    const d = splitDifferences(top, pixels);
    expect(d[0]).toBeCloseTo(-0.05);
    expect(d[1]).toBeCloseTo(0.1);
    expect(d[2]).toBeCloseTo(-0.1);
  });

  it('averages the splits and reports the range: a clear similar case', () => {
    const r = estimateSimilarity(probe([0.74, 0.72, 0.7, 0.76], [0.78, 0.75, 0.74, 0.77]), {
      model: TEACHING,
    });
    expect(r).toMatchObject({ verdict: 'similar', unsure: null, topLayer: 'fc', perClass: 40 });
    expect(r.mean).toBeCloseTo(-0.03);
    expect(r.min).toBeCloseTo(-0.04);
    expect(r.max).toBeCloseTo(-0.01);
    expect(r.topAccuracy).toBeCloseTo(0.73);
    expect(r.pixelAccuracy).toBeCloseTo(0.76);
    expect(r.threshold).toBe(-0.1);
    expect(r.reason).toMatch(/fc\) score 73\.0% and the raw pixels 76\.0%: −3\.0 pp on average/);
    expect(r.reason).toMatch(/from −4\.0 pp to −1\.0 pp \(threshold for this network −10\.0 pp\)/);
    expect(r.reason).toMatch(/similar/);
  });

  it('a clear different case', () => {
    const r = estimateSimilarity(probe([0.4, 0.45, 0.42], [0.75, 0.7, 0.77]), {
      model: TEACHING,
    });
    expect(r.verdict).toBe('different');
    expect(r.mean).toBeCloseTo(-0.3167, 3);
    expect(r.reason).toMatch(/No split reaches the threshold/);
  });

  it('overlapping splits: unsure, and says why', () => {
    const r = estimateSimilarity(probe([0.7, 0.6, 0.66], [0.74, 0.75, 0.7]), { model: TEACHING });
    expect(r).toMatchObject({ verdict: 'unsure', unsure: 'overlap' });
    expect(r.reason).toMatch(/both sides of the threshold/);
  });

  it('too few images: unsure, and says how many it needs', () => {
    const r = estimateSimilarity(probe([0.3, 0.3], [0.9, 0.9], 4), { model: TEACHING });
    expect(r).toMatchObject({ verdict: 'unsure', unsure: 'too-few-images', perClass: 4 });
    expect(r.reason).toMatch(
      new RegExp(`smallest class has 4.*at least ${MIN_PROBE_IMAGES_PER_CLASS} per class`),
    );
  });

  it('uses each network’s own calibration, and is unsure for one without', () => {
    // +20 pp over the pixels: similar for the teaching CNN, different for the photo backbone.
    const points = probe([0.9, 0.92, 0.91], [0.7, 0.72, 0.71]);
    expect(estimateSimilarity(points, { model: TEACHING }).verdict).toBe('similar');
    const photo = estimateSimilarity(points, {
      model: { id: 'mobilenet-v2-035', resolution: 224 },
    });
    expect(photo).toMatchObject({ verdict: 'different', threshold: 0.3 });
    // Another input size or an unknown network: no threshold.
    for (const model of [
      { id: 'mobilenet-v2-035', resolution: 128 },
      { id: 'my-model', resolution: 224 },
    ]) {
      const r = estimateSimilarity(points, { model });
      expect(r).toMatchObject({ verdict: 'unsure', unsure: 'uncalibrated', threshold: null });
      expect(r.mean).toBeCloseTo(0.2);
      expect(r.reason).toMatch(/cannot tell/);
    }
    expect(estimateSimilarity(points).unsure).toBe('uncalibrated');
    expect(estimateSimilarity(points, { threshold: 0.25 }).verdict).toBe('different');
  });

  it('without probe results: unsure, nothing to compare', () => {
    const r = estimateSimilarity([], { model: TEACHING });
    expect(r).toMatchObject({ verdict: 'unsure', unsure: 'no-probe', topLayer: null });
    expect(r.suggestedCut).toBeNull();
  });

  it('holds one calibration per bundled network at its native input size', () => {
    expect(SIMILARITY_CALIBRATION.map((c) => [c.modelId, c.resolution])).toEqual([
      ['teaching-cnn', 28],
      ['mobilenet-v2-035', 224],
      ['mobilenet-v2', 224],
    ]);
    expect(similarityThreshold({ id: 'teaching-cnn', resolution: 28 })).toBe(-0.1);
    expect(similarityThreshold({ id: 'teaching-cnn', resolution: 32 })).toBeNull();
    expect(
      similarityThreshold({ id: 'mobilenet-v2-035', resolution: 224, valueRange: [-1, 1] }),
    ).toBe(0.3);
    // The photo backbone fed [0, 1] pixels is another network for the calibration.
    expect(
      similarityThreshold({ id: 'mobilenet-v2-035', resolution: 224, valueRange: [0, 1] }),
    ).toBeNull();
  });
});

describe('estimateQuadrant', () => {
  it('combines size and similarity, and estimates nothing when unsure', () => {
    expect(estimateQuadrant('small', 'similar')).toBe('small-similar');
    expect(estimateQuadrant('large', 'similar')).toBe('large-similar');
    expect(estimateQuadrant('small', 'different')).toBe('small-different');
    expect(estimateQuadrant('large', 'different')).toBe('large-different');
    expect(estimateQuadrant('small', 'unsure')).toBeNull();
    expect(estimateQuadrant('large', 'unsure')).toBeNull();
  });
});
