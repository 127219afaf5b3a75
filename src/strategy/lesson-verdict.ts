/**
 * What a lesson's runs say: per arm mean ± sd of each metric over seeds, the difference a
 * comparison makes (paired by seed when both arms train on the same data), whether the
 * claim held beyond seed noise, and the sentences the lesson ends with. Pure.
 */
import type { Lesson, LessonComparison, LessonMetric, Verdict } from './lesson-plans';
import { armsTimeLeft, meanSd, t95, type MeanSd } from './paired';

export { meanSd, t95, type MeanSd };

/** One finished run of a lesson. Accuracies are fractions; null where not measured. */
export interface LessonRun {
  armIndex: number;
  seed: number;
  runId: string;
  target: number | null;
  source: number | null;
  /** Source-task accuracy of the pretrained network before this run. */
  sourceBefore: number | null;
  seconds: number;
  /** Why the run ended without a result (e.g. the loss diverged); it counts in no mean. */
  error?: string;
}

export interface ArmSummary {
  label: string;
  runs: number;
  failed: number;
  target: MeanSd | null;
  source: MeanSd | null;
}

export interface ComparisonResult {
  comparison: LessonComparison;
  /** better − worse, in percentage points. */
  diff: MeanSd;
  paired: boolean;
  verdict: Verdict;
}

export interface LessonOutcome {
  arms: ArmSummary[];
  comparisons: ComparisonResult[];
  /** The headline comparison's verdict; null until it has a result. */
  verdict: Verdict | null;
  sourceBefore: number | null;
  sentences: string[];
}

/**
 * Held when the difference is positive beyond seed noise (a t-test at 95%: the mean must
 * exceed t · its standard error), did not hold when it is negative beyond it, else within
 * noise. With fewer than two values nothing can be told apart.
 */
export function verdictOf(diff: MeanSd, df: number): Verdict {
  if (diff.n < 2 || df < 1) return 'within-noise';
  const margin = t95(df) * (diff.sd / Math.sqrt(diff.n));
  if (diff.mean > margin) return 'held';
  if (diff.mean < -margin) return 'did-not-hold';
  return 'within-noise';
}

const valueOf = (r: LessonRun, metric: LessonMetric) => (metric === 'target' ? r.target : r.source);

function compare(
  lesson: Lesson,
  runs: readonly LessonRun[],
  c: LessonComparison,
): ComparisonResult | null {
  const a = lesson.arms.findIndex((x) => x.id === c.better);
  const b = lesson.arms.findIndex((x) => x.id === c.worse);
  const values = (arm: number) =>
    new Map(
      runs
        .filter((r) => r.armIndex === arm && valueOf(r, c.metric) !== null)
        .map((r) => [r.seed, valueOf(r, c.metric)! * 100]),
    );
  const va = values(a);
  const vb = values(b);
  const paired = lesson.arms[a]?.sample === lesson.arms[b]?.sample;
  if (paired) {
    const diffs = [...va].filter(([seed]) => vb.has(seed)).map(([seed, v]) => v - vb.get(seed)!);
    const diff = meanSd(diffs);
    return diff ? { comparison: c, diff, paired, verdict: verdictOf(diff, diff.n - 1) } : null;
  }
  // Different data: the arms do not pair; Welch's difference with the smaller sample's df.
  const ma = meanSd([...va.values()]);
  const mb = meanSd([...vb.values()]);
  if (!ma || !mb) return null;
  const se = Math.sqrt(ma.sd ** 2 / ma.n + mb.sd ** 2 / mb.n);
  const n = Math.min(ma.n, mb.n);
  // Expressed as a mean with the sd that gives this standard error at n values.
  const diff = { mean: ma.mean - mb.mean, sd: se * Math.sqrt(n), n };
  return { comparison: c, diff, paired, verdict: verdictOf(diff, n - 1) };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const pp = (v: number) => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(1)}`;
const pmPct = (m: MeanSd) => `${pct(m.mean)} ± ${(m.sd * 100).toFixed(1)}`;

const VERDICT_WORDS: Record<Verdict, string> = {
  held: 'held here',
  'within-noise': 'was within seed noise here',
  'did-not-hold': 'did not hold here',
};

/** Short words for a verdict, for a badge. */
export const VERDICT_LABEL: Record<Verdict, string> = {
  held: 'Held',
  'within-noise': 'Within seed noise',
  'did-not-hold': 'Did not hold',
};

function claimSentence(r: ComparisonResult): string {
  const seeds = r.diff.n;
  const how = r.paired ? `paired over ${seeds} seeds` : `over ${seeds} seeds each`;
  const d = `${pp(r.diff.mean)} ± ${r.diff.sd.toFixed(1)} pp, ${how}`;
  if (r.verdict === 'held') return `The claim ${VERDICT_WORDS.held}: ${r.comparison.says} (${d}).`;
  if (r.verdict === 'did-not-hold')
    return `The claim ${VERDICT_WORDS['did-not-hold']}: the opposite of "${r.comparison.says}" came out, beyond seed noise (${d}).`;
  return `The claim ${VERDICT_WORDS['within-noise']}: whether ${r.comparison.says} cannot be told (${d}).`;
}

/** Per-arm means, the comparisons, the verdict and the lesson's closing sentences. */
export function lessonVerdict(lesson: Lesson, runs: readonly LessonRun[]): LessonOutcome {
  const arms = lesson.arms.map((arm, i) => {
    const mine = runs.filter((r) => r.armIndex === i);
    const ok = mine.filter((r) => !r.error);
    const of = (m: LessonMetric) =>
      meanSd(ok.map((r) => valueOf(r, m)).filter((v): v is number => v !== null));
    return {
      label: arm.label,
      runs: mine.length,
      failed: mine.length - ok.length,
      target: of('target'),
      source: of('source'),
    };
  });
  const comparisons = lesson.comparisons
    .map((c) => compare(lesson, runs, c))
    .filter((c): c is ComparisonResult => c !== null);
  const headline = comparisons[0]?.comparison === lesson.comparisons[0] ? comparisons[0] : null;
  const sourceBefore = runs.find((r) => r.sourceBefore !== null)?.sourceBefore ?? null;

  const sentences: string[] = [];
  const measured = arms.filter((a) => a.target);
  if (measured.length > 0) {
    const tests = measured.map((a) => `${a.label} ${pmPct(a.target!)}`).join(', ');
    sentences.push(`Accuracy on held-out target images (mean ± sd over seeds): ${tests}.`);
  }
  if (lesson.metrics.includes('source')) {
    const kept = arms.filter((a) => a.source).map((a) => `${a.label} ${pmPct(a.source!)}`);
    if (kept.length > 0)
      sentences.push(
        `Source task${sourceBefore !== null ? ` (${pct(sourceBefore)} before)` : ''} after: ${kept.join(', ')}.`,
      );
  }
  const failed = arms.filter((a) => a.failed > 0);
  const firstError = runs.find((r) => r.error)?.error;
  if (failed.length > 0)
    sentences.push(
      `${failed.map((a) => `${a.failed} of ${a.runs} runs of ${a.label}`).join(', ')} ended without a result, counted in no mean (${firstError}).`,
    );
  if (headline) {
    sentences.push(claimSentence(headline));
    for (const other of comparisons.slice(1))
      sentences.push(
        `Also, “${other.comparison.says}”: ${VERDICT_WORDS[other.verdict]} (${pp(other.diff.mean)} ± ${other.diff.sd.toFixed(1)} pp).`,
      );
  }
  return { arms, comparisons, verdict: headline?.verdict ?? null, sourceBefore, sentences };
}

/** Whether the verdict here matches the one the committed table found (null: the table has none). */
export function agreesWithTable(lesson: Lesson, verdict: Verdict | null): boolean | null {
  if (lesson.expected === null || verdict === null) return null;
  return lesson.expected === verdict;
}

/** Seconds left in the runs still to come (`armsTimeLeft`). */
export const lessonTimeLeft = armsTimeLeft;
