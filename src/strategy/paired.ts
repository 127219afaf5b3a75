/**
 * Seed statistics for comparing plans trained on the same splits — mean ± sd over seeds,
 * Student's t at 95%, and the paired difference of two plans seed by seed — written once
 * for the quadrant tables, the quadrant experiment and the lessons.
 */

export interface MeanSd {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  sd: number;
  n: number;
}

export function meanSd(values: readonly number[]): MeanSd | null {
  if (values.length === 0) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance), n: values.length };
}

export const mean = (xs: readonly number[]): number => meanSd(xs)?.mean ?? NaN;
export const sd = (xs: readonly number[]): number => meanSd(xs)?.sd ?? 0;

/** Two-sided 95% critical values of Student's t for 1…10 degrees of freedom (then ≈ 2.2). */
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
export const t95 = (df: number): number => (df < 1 ? Infinity : (T95[df - 1] ?? 2.2));

export interface Difference {
  /** Mean of a − b over seeds. */
  mean: number;
  sd: number;
  min: number;
  max: number;
  /** Paired t-test at 95%: the mean difference is beyond seed-to-seed noise. */
  significant: boolean;
}

/** Paired difference a − b over the same seeds (same split, same test images). */
export function paired(a: readonly number[], b: readonly number[]): Difference {
  if (a.length !== b.length) throw new Error(`paired: ${a.length} vs ${b.length} values`);
  const d = a.map((v, i) => v - b[i]!);
  const s = meanSd(d) ?? { mean: NaN, sd: 0, n: 0 };
  const margin = (t95(s.n - 1) * s.sd) / Math.sqrt(Math.max(1, s.n));
  const significant =
    s.n > 1 && (margin === 0 ? Math.abs(s.mean) > 1e-12 : Math.abs(s.mean) > margin);
  return {
    mean: s.mean,
    sd: s.sd,
    min: d.length ? Math.min(...d) : NaN,
    max: d.length ? Math.max(...d) : NaN,
    significant,
  };
}

/**
 * Seconds left in a series of runs by arm (a lesson, the quadrant experiment): each
 * remaining run costs its arm's mean so far, or the mean of all runs so far while its arm
 * has none (a head on cached features trains in a fraction of a fine-tuned network's time).
 * Null before the first run ends.
 */
export function armsTimeLeft(
  done: readonly { armIndex: number; seconds: number }[],
  remainingArms: readonly number[],
): number | null {
  if (done.length === 0) return null;
  const overall = done.reduce((a, r) => a + r.seconds, 0) / done.length;
  return remainingArms.reduce((sum, arm) => {
    const mine = done.filter((r) => r.armIndex === arm);
    return (
      sum + (mine.length > 0 ? mine.reduce((a, r) => a + r.seconds, 0) / mine.length : overall)
    );
  }, 0);
}
