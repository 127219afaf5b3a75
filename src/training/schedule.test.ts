import { describe, expect, it } from 'vitest';
import { learningRateAt } from './schedule';

describe('learningRateAt: constant', () => {
  it('is the base rate at the start, middle and end', () => {
    expect([0, 50, 99, 100].map((s) => learningRateAt(s, 100, 1e-3, 'constant'))).toEqual([
      1e-3, 1e-3, 1e-3, 1e-3,
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
});

describe('learningRateAt: arguments', () => {
  it('rejects negative steps and empty runs', () => {
    expect(() => learningRateAt(-1, 10, 1, 'constant')).toThrow(RangeError);
    expect(() => learningRateAt(0, 0, 1, 'cosine')).toThrow(RangeError);
  });
});
