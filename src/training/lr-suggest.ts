/**
 * The learning-rate range test's arithmetic, pure: the swept rates, the smoothed loss, and
 * the rule that turns a curve into a suggested rate (`lr-find.ts` runs the sweeps).
 */
import type { LrPoint, LrSweep, NumberRange } from '../domain';

/** The rate of step `step` (0-based) of `steps`: `start` · (`end`/`start`)^(step/(steps − 1)). */
export function sweepRate(step: number, steps: number, start: number, end: number): number {
  return steps <= 1 ? start : start * (end / start) ** (step / (steps - 1));
}

/** An exponential moving average with bias correction (Adam's): the first value is itself. */
export function smoother(beta: number): (value: number) => number {
  let average = 0;
  let n = 0;
  return (value) => {
    n++;
    average = beta * average + (1 - beta) * value;
    return average / (1 - beta ** n);
  };
}

/**
 * The suggested rate of a sweep: the rate at the lowest smoothed loss ÷ 10, kept within
 * `range`; and, for the chart, that rate and the rate where the smoothed loss falls fastest
 * per decade, and where it starts to climb. The first `skip` points are left out (the average still rests on a few noisy
 * batches there; fastai skips 10 as well). Null when the smoothed loss never fell by
 * `MIN_FALL` from where the search starts: a flat curve's lowest point is noise.
 */
export function suggestRate(
  points: readonly LrPoint[],
  range: NumberRange,
  skip = 10,
): Pick<LrSweep, 'suggested' | 'minimum' | 'steepest' | 'climbsFrom'> {
  const first = Math.min(skip, Math.floor(points.length / 4));
  let climbsFrom: number | null = null;
  let low = Infinity;
  for (let i = first; i < points.length && climbsFrom === null; i++) {
    if (points[i]!.smoothed > CLIMB * low) climbsFrom = points[i]!.rate;
    low = Math.min(low, points[i]!.smoothed);
  }
  const none = { suggested: null, minimum: null, steepest: null, climbsFrom };
  if (points.length - first < 3) return none;
  let lowest = first;
  for (let i = first; i < points.length; i++)
    if (points[i]!.smoothed < points[lowest]!.smoothed) lowest = i;
  if (lowest === first || points[lowest]!.smoothed > (1 - MIN_FALL) * points[first]!.smoothed)
    return none;
  const minimum = points[lowest]!.rate;
  // Central differences of the smoothed loss against log10(rate), up to the minimum.
  let steepest: number | null = null;
  let slope = 0;
  for (let i = first + 1; i < lowest; i++) {
    const a = points[i - 1]!;
    const b = points[i + 1]!;
    const s = (b.smoothed - a.smoothed) / (Math.log10(b.rate) - Math.log10(a.rate));
    if (s < slope) [slope, steepest] = [s, points[i]!.rate];
  }
  const max = range.max ?? Infinity;
  const suggested = Math.min(max, Math.max(range.min, minimum / 10));
  return { suggested, minimum, steepest, climbsFrom };
}

/** How far (a share) the smoothed loss must fall for its lowest point to mean something. */
export const MIN_FALL = 0.05;
/** The loss climbs once its smoothed value passes this many times its lowest value so far. */
export const CLIMB = 1.5;
