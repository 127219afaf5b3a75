import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  augmentBatch,
  drawAugmentations,
  MAX_SHIFT,
  MIN_CROP,
  type AugmentOptions,
  type ImageAugmentation,
} from './augment';
import { mulberry32 } from './split';

const ALL: AugmentOptions = { flip: true, crop: true, brightness: true, valueRange: [-1, 1] };
const NONE: AugmentOptions = { flip: false, crop: false, brightness: false, valueRange: [-1, 1] };

/** A batch of random images in [lo, hi], reproducible. */
function randomBatch(
  shape: [number, number, number, number],
  lo: number,
  hi: number,
  seed = 9,
): tf.Tensor4D {
  const random = mulberry32(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(
    Float32Array.from({ length: size }, () => lo + (hi - lo) * random()),
    shape,
  );
}

/** The first seed from 0 whose draws satisfy `test`, to construct a case on purpose. */
function seedWhere(
  count: number,
  test: (draws: ReturnType<typeof drawAugmentations>) => boolean,
): number {
  for (let seed = 0; seed < 1000; seed++) if (test(drawAugmentations(seed, count))) return seed;
  throw new Error('no such seed');
}

/** Reads a tensor back as nested arrays and frees it. */
function read(t: tf.Tensor4D): number[][][][] {
  const v = t.arraySync();
  t.dispose();
  return v;
}

let baseline = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  baseline = tf.memory().numTensors;
});

afterEach(() => {
  expect(tf.memory().numTensors).toBe(baseline);
});

describe('drawAugmentations', () => {
  it('keeps crops within 80–100% of the side and inside the image, shifts within ±10%', () => {
    const draws = drawAugmentations(3, 200);
    for (const { box, shift } of draws) {
      const [y1, x1, y2, x2] = box;
      expect(y2 - y1).toBeCloseTo(x2 - x1, 12);
      expect(y2 - y1).toBeGreaterThanOrEqual(MIN_CROP);
      expect(y2 - y1).toBeLessThanOrEqual(1);
      expect(Math.min(y1, x1)).toBeGreaterThanOrEqual(0);
      expect(Math.max(y2, x2)).toBeLessThanOrEqual(1 + 1e-12);
      expect(Math.abs(shift)).toBeLessThanOrEqual(MAX_SHIFT);
    }
    // p = 0.5: about half of 200 images flip.
    const flips = draws.filter((d) => d.flip).length;
    expect(flips).toBeGreaterThan(70);
    expect(flips).toBeLessThan(130);
  });
});

describe('augmentBatch', () => {
  it('keeps the shape and the value range', () => {
    for (const [lo, hi] of [
      [-1, 1],
      [0, 255],
    ] as const) {
      const x = randomBatch([4, 8, 6, 3], lo, hi);
      const y = augmentBatch(x, 5, { ...ALL, valueRange: [lo, hi] });
      expect(y.shape).toEqual([4, 8, 6, 3]);
      const values = y.dataSync();
      expect(Math.min(...values)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...values)).toBeLessThanOrEqual(hi);
      tf.dispose([x, y]);
    }
  });

  it('returns an equal, separate tensor with every option off', () => {
    const x = randomBatch([2, 4, 4, 3], -1, 1);
    const y = augmentBatch(x, 1, NONE);
    expect(y).not.toBe(x);
    expect(y.dataSync()).toEqual(x.dataSync());
    y.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('mirrors exactly the images whose draw says flip', () => {
    // Two 2×3 one-channel images, asymmetric left–right; seed chosen so image 0 flips and
    // image 1 does not.
    const seed = seedWhere(2, ([a, b]) => a!.flip && !b!.flip);
    const x = tf.tensor4d(
      [
        [
          [[0.1], [0.2], [0.3]],
          [[0.4], [0.5], [0.6]],
        ],
        [
          [[-0.1], [-0.2], [-0.3]],
          [[-0.4], [-0.5], [-0.6]],
        ],
      ],
      [2, 2, 3, 1],
    );
    const y = read(augmentBatch(x, seed, { ...NONE, flip: true }));
    x.dispose();
    expect(y[0]).toEqual([
      [[Math.fround(0.3)], [Math.fround(0.2)], [Math.fround(0.1)]],
      [[Math.fround(0.6)], [Math.fround(0.5)], [Math.fround(0.4)]],
    ]);
    expect(y[1]).toEqual([
      [[Math.fround(-0.1)], [Math.fround(-0.2)], [Math.fround(-0.3)]],
      [[Math.fround(-0.4)], [Math.fround(-0.5)], [Math.fround(-0.6)]],
    ]);
  });

  it('crops the drawn window and resizes it back', () => {
    // One 5×5 image whose value is its column index 0..4 (range [0, 4]). Crop-and-resize of
    // box [y1, x1, y2, x2] to width 5 samples output column j at input column
    // x1·(5 − 1) + j·(x2 − x1)·(5 − 1)/(5 − 1) = 4·x1 + j·(x2 − x1); on a ramp, bilinear
    // interpolation returns that coordinate itself, so row values run from 4·x1 to 4·x2.
    const seed = 11;
    const [, x1, , x2] = drawAugmentations(seed, 1)[0]!.box;
    const ramp = tf.tidy(
      () => tf.range(0, 5).reshape([1, 1, 5, 1]).tile([1, 5, 1, 1]) as tf.Tensor4D,
    );
    const y = read(augmentBatch(ramp, seed, { ...NONE, crop: true, valueRange: [0, 4] }));
    ramp.dispose();
    for (const row of y[0]!) {
      row.forEach(([v], j) => expect(v).toBeCloseTo(4 * x1 + j * (x2 - x1), 4));
    }
    expect(x2 - x1).toBeLessThan(1); // a real crop happened
  });

  it('leaves a constant image constant under crop', () => {
    const x = tf.fill([1, 6, 6, 3], 0.25) as tf.Tensor4D;
    const y = augmentBatch(x, 4, { ...NONE, crop: true });
    const values = y.dataSync();
    values.forEach((v) => expect(v).toBeCloseTo(0.25, 6));
    tf.dispose([x, y]);
  });

  it('shifts brightness by the drawn fraction of the range and clips at its ends', () => {
    // Range [0, 2]: image 0 is 1 everywhere → 1 + 2·shift₀; image 1 is at hi = 2, so a
    // positive shift is clipped back to 2 (seed chosen so shift₁ > 0).
    const seed = seedWhere(2, ([, b]) => b!.shift > 0.05);
    const [a, b] = drawAugmentations(seed, 2) as [ImageAugmentation, ImageAugmentation];
    const x = tf.tidy(
      () => tf.concat([tf.fill([1, 2, 2, 1], 1), tf.fill([1, 2, 2, 1], 2)]) as tf.Tensor4D,
    );
    const y = read(augmentBatch(x, seed, { ...NONE, brightness: true, valueRange: [0, 2] }));
    x.dispose();
    y[0]!.flat(2).forEach((v) => expect(v).toBeCloseTo(1 + 2 * a.shift, 6));
    y[1]!.flat(2).forEach((v) => expect(v).toBe(2));
    expect(b.shift).toBeGreaterThan(0);
  });

  it('is the same for the same seed and differs for another', () => {
    const x = randomBatch([3, 8, 8, 3], -1, 1);
    const a = augmentBatch(x, 42, ALL);
    const b = augmentBatch(x, 42, ALL);
    const c = augmentBatch(x, 43, ALL);
    expect(a.dataSync()).toEqual(b.dataSync());
    const diff = tf.tidy(() => a.sub(c).abs().max().dataSync()[0] as number);
    expect(diff).toBeGreaterThan(1e-3);
    tf.dispose([x, a, b, c]);
  });

  it('rejects an empty value range', () => {
    const x = tf.zeros([1, 2, 2, 1]) as tf.Tensor4D;
    expect(() => augmentBatch(x, 0, { ...ALL, valueRange: [1, 1] })).toThrow(RangeError);
    x.dispose();
  });
});
