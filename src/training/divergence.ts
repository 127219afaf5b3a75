/**
 * The rule that ends a run whose loss climbs far above where it started, and the sentence
 * that says which learning rate was to blame and what to try instead. Pure (no tensors):
 * the training loop feeds it one number per batch.
 */
import { DEFAULT_PARAMS, EXPLODED_FACTOR, type TrainParams } from '../domain';

/** The smoothed loss this many times the first batch's loss means the run is diverging. */
export const DIVERGENCE_FACTOR = 10;
/** The smallest starting loss the rule measures a rise from. */
export const DIVERGENCE_FLOOR = 1;
/** Batches averaged for "the loss now", so one unlucky batch does not end a run. */
export const DIVERGENCE_WINDOW = 4;

export interface Divergence {
  /** The loss the run started from: the first batch's, before any update. */
  from: number;
  /** The smoothed (or single exploded, or non-finite) loss that tripped the rule. */
  to: number;
}

export interface LossWatch {
  /** One training batch's loss; a `Divergence` when the run has gone off, else null. */
  observe(loss: number): Divergence | null;
}

/**
 * Watches the batch losses of one run: it diverges when the mean of the last
 * `DIVERGENCE_WINDOW` losses reaches `DIVERGENCE_FACTOR` × the first loss, when a single
 * loss reaches `EXPLODED_FACTOR` × it, or when a loss is not a finite number.
 */
export function createLossWatch(factor = DIVERGENCE_FACTOR, window = DIVERGENCE_WINDOW): LossWatch {
  let first: number | null = null;
  const recent: number[] = [];
  return {
    observe(loss) {
      if (!Number.isFinite(loss)) return { from: first ?? loss, to: loss };
      first ??= loss;
      // A first loss near zero (a head that already fits) would make ordinary noise look
      // like a tenfold rise: measure from at least 1, about where an untrained head starts
      // (hinge: 1; softmax: ln of the class count).
      const base = Math.max(first, DIVERGENCE_FLOOR);
      if (loss >= EXPLODED_FACTOR * base) return { from: first, to: loss };
      recent.push(loss);
      if (recent.length > window) recent.shift();
      if (recent.length < window) return null;
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      return mean >= factor * base ? { from: first, to: mean } : null;
    },
  };
}

/** Which rate group trains: the fine-tune group only when the run has Fine-tune layers. */
export interface RateGroups {
  fineTune: boolean;
  reinit: boolean;
}

export interface Blame {
  /** How the sentence names the rate, its value included: "the head's learning rate 10". */
  name: string;
  rate: number;
  suggestion: number;
}

/**
 * The rate to blame: with Fine-tune layers, whichever of the two rates is further above
 * its default; else the head's (and Re-initialize layers') rate. The suggestion is a
 * thousandth of the rate, but never above the default of a rate at least ten times its
 * default, nor below the default of one far above it.
 */
export function blameRate(
  params: Pick<TrainParams, 'learningRate' | 'fineTuneLearningRate'>,
  groups: RateGroups,
): Blame {
  const headRatio = params.learningRate / DEFAULT_PARAMS.learningRate;
  const slowRatio = params.fineTuneLearningRate / DEFAULT_PARAMS.fineTuneLearningRate;
  const slow = groups.fineTune && slowRatio > headRatio;
  const rate = slow ? params.fineTuneLearningRate : params.learningRate;
  const fallback = slow ? DEFAULT_PARAMS.fineTuneLearningRate : DEFAULT_PARAMS.learningRate;
  const value = formatRate(rate);
  return {
    name: slow
      ? `the fine-tune learning rate ${value}`
      : groups.reinit
        ? `the learning rate ${value} of the head and Re-initialize layers`
        : `the head's learning rate ${value}`,
    rate,
    suggestion: suggestRate(rate, fallback),
  };
}

/** A lower rate to try: far above the default → a thousandth (at least the default); else a tenth. */
export function suggestRate(rate: number, fallback: number): number {
  if (!(rate > 0)) return fallback;
  const lower = rate >= 10 * fallback ? Math.max(rate / 1000, fallback) : rate / 10;
  // One significant digit: a value a person types.
  return Number(lower.toPrecision(1));
}

/** A rate as the number fields show it: plain decimals down to 0.0001, else like 1e-5. */
export function formatRate(rate: number): string {
  if (rate >= 1e-4) return String(Number(rate.toPrecision(3)));
  return rate
    .toExponential()
    .replace(/\.?0+e/, 'e')
    .replace('e-0', 'e-');
}

/** A loss for the sentence: 1.02, 38.5, 3,050, 1.2e+12. */
export function formatLoss(loss: number): string {
  if (!Number.isFinite(loss)) return String(loss);
  if (loss >= 1e7) return loss.toExponential(1);
  if (loss >= 1000) return Math.round(loss).toLocaleString('en-US');
  return String(Number(loss.toPrecision(3)));
}

/** The sentence a diverging run ends with: what the loss did, the rate to blame, a rate to try. */
export function divergenceMessage(d: Divergence, epoch: number, blame: Blame): string {
  const rate = blame.name;
  const what = Number.isFinite(d.to)
    ? `The loss diverged: it rose from ${formatLoss(d.from)} to ${formatLoss(d.to)} in epoch ${epoch} — ${rate} is far too high.`
    : `The loss diverged: it stopped being a finite number in epoch ${epoch} — ${rate} is probably too high.`;
  return `${what} Lower the learning rate (try ${formatRate(blame.suggestion)}) and train again.`;
}
