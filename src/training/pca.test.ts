import { describe, expect, it } from 'vitest';
import { pca2 } from './pca';

describe('pca2', () => {
  it('finds the direction of largest spread first', () => {
    // Points along the line y = 2x in 3-d with small noise on z: PC1 ∝ (1, 2, 0).
    const rows = 20;
    const data = new Float32Array(rows * 3);
    for (let i = 0; i < rows; i++) {
      data[i * 3] = i;
      data[i * 3 + 1] = 2 * i;
      data[i * 3 + 2] = (i % 2) * 0.1;
    }
    const projected = pca2(
      data,
      3,
      Array.from({ length: rows }, (_, i) => i),
    );
    const first = projected.map((p) => p[0]);
    const second = projected.map((p) => p[1]);
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    expect(spread(first)).toBeCloseTo(Math.sqrt(5) * 19, 3);
    expect(spread(second)).toBeLessThan(0.2);
  });

  it('returns nothing for no rows', () => {
    expect(pca2(new Float32Array(4), 2, [])).toEqual([]);
  });
});
