import { describe, expect, it } from 'vitest';
import { learningRateAt } from './schedule';

describe('learningRateAt: constant', () => {
  it('is the base rate at the start, middle and end', () => {
    expect([0, 50, 99, 100].map((s) => learningRateAt(s, 100, 1e-3, 'constant'))).toEqual([
      1e-3, 1e-3, 1e-3, 1e-3,
    ]);
  });

  it('ramps linearly during warm-up, then holds', () => {
    // warm-up 4 steps, base 1: steps 0..3 → 1/4, 2/4, 3/4, 4/4; then 1.
    expect([0, 1, 2, 3, 4, 9].map((s) => learningRateAt(s, 10, 1, 'constant', 4))).toEqual([
      0.25, 0.5, 0.75, 1, 1, 1,
    ]);
  });
});

describe('learningRateAt: cosine', () => {
  it('starts at base, is half at the middle, and reaches 0 at the end', () => {
    // t = 0 → ½(1 + cos 0) = 1; t = ½ → ½(1 + cos π/2) = ½; t = 1 → ½(1 + cos π) = 0.
    expect(learningRateAt(0, 100, 0.1, 'cosine')).toBeCloseTo(0.1, 12);
    expect(learningRateAt(50, 100, 0.1, 'cosine')).toBeCloseTo(0.05, 12);
    expect(learningRateAt(100, 100, 0.1, 'cosine')).toBeCloseTo(0, 12);
  });

  it('is ½(1 + cos(π/4)) ≈ 0.853553 of base a quarter of the way in', () => {
    // ½(1 + √2/2) = 0.8535534.
    expect(learningRateAt(25, 100, 1, 'cosine')).toBeCloseTo(0.8535534, 6);
  });

  it('decreases monotonically and stays at 0 past the end', () => {
    const rates = Array.from({ length: 21 }, (_, s) => learningRateAt(s, 20, 1, 'cosine'));
    rates.slice(1).forEach((r, i) => expect(r).toBeLessThan(rates[i] as number));
    expect(learningRateAt(30, 20, 1, 'cosine')).toBeCloseTo(0, 12);
  });

  it('anneals over the steps after warm-up', () => {
    // total 12, warm-up 2: steps 0, 1 → ½, 1; cosine over the remaining 10 steps:
    // step 2 → t = 0 → 1; step 7 → t = ½ → ½; step 12 → t = 1 → 0.
    expect(learningRateAt(0, 12, 1, 'cosine', 2)).toBe(0.5);
    expect(learningRateAt(1, 12, 1, 'cosine', 2)).toBe(1);
    expect(learningRateAt(2, 12, 1, 'cosine', 2)).toBeCloseTo(1, 12);
    expect(learningRateAt(7, 12, 1, 'cosine', 2)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(12, 12, 1, 'cosine', 2)).toBeCloseTo(0, 12);
  });

  it('handles a warm-up as long as the run', () => {
    expect(learningRateAt(4, 5, 1, 'cosine', 5)).toBe(1);
    expect(learningRateAt(5, 5, 1, 'cosine', 5)).toBeCloseTo(0, 12);
  });
});

describe('learningRateAt: arguments', () => {
  it('rejects negative steps, empty runs and negative warm-up', () => {
    expect(() => learningRateAt(-1, 10, 1, 'constant')).toThrow(RangeError);
    expect(() => learningRateAt(0, 0, 1, 'cosine')).toThrow(RangeError);
    expect(() => learningRateAt(0, 10, 1, 'cosine', -2)).toThrow(RangeError);
  });
});
