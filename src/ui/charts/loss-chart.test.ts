import { describe, expect, it } from 'vitest';
import { thinned } from './loss-chart';

describe('thinned batch points', () => {
  it('keeps a short curve as it is', () => {
    const points = [
      { x: 0.5, loss: 2 },
      { x: 1, loss: 1 },
    ];
    expect(thinned(points, 600)).toEqual(points);
  });

  it('averages a long curve into at most `max` groups, keeping its shape and span', () => {
    const points = Array.from({ length: 9_400 }, (_, i) => ({
      x: (i + 1) / 3_133,
      loss: 2 * Math.exp(-i / 3_000) + (i % 2 ? 0.2 : -0.2),
    }));
    const drawn = thinned(points, 600);
    expect(drawn).toHaveLength(600);
    expect(drawn.every((p, i) => i === 0 || p.x > drawn[i - 1]!.x)).toBe(true);
    // The alternating noise averages out; the trend stays.
    expect(drawn[0]!.loss).toBeCloseTo(2 * Math.exp(-7.5 / 3_000), 1);
    expect(drawn.at(-1)!.loss).toBeLessThan(0.2);
    expect(drawn.at(-1)!.x).toBeGreaterThan(2.99);
  });
});
