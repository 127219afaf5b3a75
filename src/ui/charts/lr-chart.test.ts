import { describe, expect, it } from 'vitest';
import type { LrSweep } from '../../domain';
import { lrChartRows } from './lr-chart';

const sweep = (group: LrSweep['group'], points: [number, number][]): LrSweep => ({
  group,
  points: points.map(([rate, smoothed]) => ({ rate, loss: smoothed, smoothed })),
  suggested: null,
  minimum: null,
  steepest: null,
  climbsFrom: null,
  ended: 'diverged',
  lossOf: 'validation',
});

describe('lrChartRows', () => {
  it('merges both sweeps in rate order, ticks each decade, and caps the loss axis at twice the start', () => {
    const head = sweep('head', [
      [1e-7, 1],
      [1e-4, 0.5],
      [1e-1, 30],
    ]);
    const ft = sweep('fine-tune', [
      [1e-6, 0.4],
      [1e-3, 0.3],
    ]);
    const { rows, yMax, decades } = lrChartRows(head, ft);
    expect(rows.map((r) => r.rate)).toEqual([1e-7, 1e-6, 1e-4, 1e-3, 1e-1]);
    expect(rows[1]).toEqual({ rate: 1e-6, fineTune: 0.4, fineTuneRaw: 0.4 });
    expect(yMax).toBe(2); // the climb to 30 would flatten the valley
    expect(decades).toHaveLength(7); // 1e-7 … 1e-1
    expect(decades[0]).toBeCloseTo(1e-7, 12);
    expect(
      lrChartRows(
        sweep('head', [
          [1e-7, 1],
          [1e-6, 0.5],
        ]),
        null,
      ).yMax,
    ).toBe(1);
  });
});
