import { describe, expect, it } from 'vitest';
import { mulberry32, stratifiedSplit } from './split';

const labels = [
  ...Array(40).fill(0),
  ...Array(10).fill(1),
  ...Array(3).fill(2),
  ...Array(2).fill(3),
] as number[];

describe('stratifiedSplit', () => {
  it('holds out about the fraction of every class, at least one each', () => {
    const { train, validation } = stratifiedSplit(labels, 0.2, 7);
    const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
    expect([0, 1, 2, 3].map((c) => count(validation, c))).toEqual([8, 2, 1, 1]);
    expect([0, 1, 2, 3].map((c) => count(train, c))).toEqual([32, 8, 2, 1]);
  });

  it('is a partition of all samples', () => {
    const { train, validation } = stratifiedSplit(labels, 0.25, 1);
    expect([...train, ...validation].sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
    expect(train.some((i) => validation.includes(i))).toBe(false);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(stratifiedSplit(labels, 0.2, 42)).toEqual(stratifiedSplit(labels, 0.2, 42));
    expect(stratifiedSplit(labels, 0.2, 42).validation).not.toEqual(
      stratifiedSplit(labels, 0.2, 43).validation,
    );
  });

  it('holds out a test part per class when asked, disjoint from the others', () => {
    const { train, validation, test } = stratifiedSplit(labels, 0.2, 7, 0.2);
    const count = (idx: number[], c: number) => idx.filter((i) => labels[i] === c).length;
    expect([0, 1, 2, 3].map((c) => count(test, c))).toEqual([8, 2, 1, 0]);
    expect([0, 1, 2, 3].map((c) => count(validation, c))).toEqual([8, 2, 1, 1]);
    expect([0, 1, 2, 3].map((c) => count(train, c))).toEqual([24, 6, 1, 1]);
    expect(new Set([...train, ...validation, ...test]).size).toBe(labels.length);
  });

  it('keeps a single-image class for training', () => {
    const { train, validation } = stratifiedSplit([0, 0, 0, 1], 0.5, 3);
    expect(validation.filter((i) => i === 3)).toEqual([]);
    expect(train).toContain(3);
  });
});

describe('mulberry32', () => {
  it('is deterministic and in [0, 1)', () => {
    const a = mulberry32(9);
    const b = mulberry32(9);
    const xs = Array.from({ length: 100 }, () => a());
    expect(xs).toEqual(Array.from({ length: 100 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
