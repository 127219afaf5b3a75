/**
 * Seed statistics for comparing plans trained on the same splits: mean ± sd over seeds and
 * the paired difference of two plans seed by seed, with a two-sided paired t-test at 95%.
 */

export const mean = (xs: readonly number[]): number =>
  xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sample standard deviation (n − 1); 0 for a single value. */
export const sd = (xs: readonly number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

/** Two-sided 95% critical values of Student's t, by degrees of freedom. */
const T95 = [Infinity, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];

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
  const m = mean(d);
  const s = sd(d);
  const se = s / Math.sqrt(d.length);
  const t = T95[d.length - 1] ?? 1.96;
  const significant = d.length > 1 && (se === 0 ? Math.abs(m) > 1e-12 : Math.abs(m / se) > t);
  return {
    mean: m,
    sd: s,
    min: d.length ? Math.min(...d) : NaN,
    max: d.length ? Math.max(...d) : NaN,
    significant,
  };
}
