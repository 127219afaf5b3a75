/**
 * Rules that place a dataset in a quadrant: its size from the image counts, its
 * similarity to the source data from a layer probe (DESIGN.md §3). Pure: the probe itself
 * runs in the worker; this reads its numbers.
 */
import { type ProbePoint } from '../domain';
import type { Quadrant } from './quadrant';

export type DatasetSize = 'small' | 'large';
export type Similarity = 'similar' | 'different';
/** A similarity verdict: unsure when the evidence does not decide. */
export type SimilarityVerdict = Similarity | 'unsure';

/**
 * Images per class from which a dataset counts as large enough to fine-tune. A common rule
 * of thumb puts "enough to fine-tune" at ~100–200 images per class; we take the upper end
 * because the default split keeps only 60% for training (200 → 120 per class), and because
 * the two mistakes are not equal: calling a large set small costs a little accuracy (frozen
 * features are a strong baseline), calling a small set large fine-tunes millions of weights
 * on too few images and overfits.
 */
export const DEFAULT_SIZE_THRESHOLD = 200;

/** Small or large by the smallest class: the class with the fewest images is the one that overfits first. */
export function estimateSize(
  imagesPerClass: number[],
  threshold: number,
): { size: DatasetSize; perClass: number; reason: string } {
  const perClass = imagesPerClass.length > 0 ? Math.min(...imagesPerClass) : 0;
  const size: DatasetSize = perClass >= threshold ? 'large' : 'small';
  const reason =
    size === 'large'
      ? `Every class has at least ${perClass} images (threshold ${threshold} per class): enough to fine-tune the network without overfitting.`
      : `The smallest class has ${perClass} image${perClass === 1 ? '' : 's'}, under the threshold of ${threshold} per class: too few to fine-tune the network without overfitting.`;
  return { size, perClass, reason };
}

/**
 * Similarity signal: nearest-centroid accuracy on the network's top features minus
 * nearest-centroid accuracy on the raw pixels — do the source features beat no learning
 * at all? Features made for images like the user's gain more over the pixels than they do
 * on far-away images, which they describe less well.
 *
 * Where the line lies depends on the network: a small CNN's 64 top features trained on five
 * classes sit a few points under the pixels on a similar target, an ImageNet network's
 * 1280 features sit above them even on digits (+12 pp). So each bundled network has its own
 * threshold, measured by `npm run experiment:similarity` (docs/similarity-calibration.md)
 * on every bundled target: the midpoint between the similar target's mean difference and
 * the nearest different target's, at 40 images per class, rounded to 5 pp. A network or
 * input size without a calibration gets the numbers and an unsure verdict.
 */
export interface SimilarityCalibration {
  /** Catalog id of the network. */
  modelId: string;
  /** Input side and pixel value range the calibration was measured at. */
  resolution: number;
  valueRange: readonly [number, number];
  /** Top − pixel accuracy (0..1 scale) at and above which a split counts as similar. */
  threshold: number;
}

export const SIMILARITY_CALIBRATION: readonly SimilarityCalibration[] = [
  // Fashion target −2.7, digits −18.1, inverted digits −33.3 pp (40 per class).
  { modelId: 'teaching-cnn', resolution: 28, valueRange: [0, 1], threshold: -0.1 },
  // Photos +48.2; digits +11.7, inverted digits +13.0, Fashion +5.0 pp at 224 px.
  { modelId: 'mobilenet-v2-035', resolution: 224, valueRange: [-1, 1], threshold: 0.3 },
  // Photos −1.4; Fashion −28.8, digits −31.3, inverted digits −37.1 pp at 224 px.
  { modelId: 'mobilenet-v2', resolution: 224, valueRange: [0, 1], threshold: -0.15 },
];

/** The network a probe ran on, as the calibration identifies it. */
export interface ProbedModel {
  id: string;
  resolution: number;
  /** Omitted: the calibrated range is assumed. */
  valueRange?: readonly [number, number];
}

/** The calibrated threshold of a network at its input size and value range, or null when none was measured. */
export function similarityThreshold(model: ProbedModel): number | null {
  const c = SIMILARITY_CALIBRATION.find(
    (x) => x.modelId === model.id && x.resolution === model.resolution,
  );
  if (!c) return null;
  const range = model.valueRange;
  if (range && (range[0] !== c.valueRange[0] || range[1] !== c.valueRange[1])) return null;
  return c.threshold;
}

/**
 * Fewest images in the smallest class for a verdict: with fewer, each half of a split
 * holds a handful per class (one image of a 5-image half is 20 points of that class), and
 * in the calibration verdicts at 5 per class were wrong far more often than at 10 or more.
 */
export const MIN_PROBE_IMAGES_PER_CLASS = 10;

/** Float tolerance, so a difference of exactly the threshold counts as reaching it. */
const EPS = 1e-9;

/** Why a verdict is unsure. */
export type UnsureBecause = 'too-few-images' | 'overlap' | 'uncalibrated' | 'no-probe';

export interface SimilarityEstimate {
  verdict: SimilarityVerdict;
  /** Why unsure: too few images, splits on both sides of the threshold, no threshold for this network, or no probe results. */
  unsure: UnsureBecause | null;
  /** Top-feature minus pixel accuracy of each split (0..1 scale, may be negative). */
  differences: number[];
  mean: number;
  min: number;
  max: number;
  /** Mean accuracies over the splits. */
  topAccuracy: number;
  pixelAccuracy: number;
  /** The layer of the top features (null without probe results). */
  topLayer: string | null;
  perClass: number;
  /** The calibrated threshold in use, or null for a network without one. */
  threshold: number | null;
  /**
   * A cut for the small-different plan. Always null: the per-layer curve is shown for the
   * lesson, but the cut follows the fixed rule whose rows are in the committed tables.
   */
  suggestedCut: null;
  reason: string;
}

const mean = (xs: readonly number[]) =>
  xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;

/** Signed points: +3.5 pp, −12.0 pp. */
export const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pp`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The per-split differences between the top features and the pixels, paired by split
 * (both were scored on the same halves). Splits missing on either side are dropped.
 */
export function splitDifferences(top: ProbePoint, pixels: ProbePoint): number[] {
  const n = Math.min(top.splits.length, pixels.splits.length);
  return Array.from({ length: n }, (_, i) => top.splits[i]! - pixels.splits[i]!);
}

/**
 * The verdict rule, on the per-split differences alone: unsure without a threshold or
 * with fewer than `minPerClass` images in the smallest class; similar when every split's
 * difference reaches the threshold, different when none does, unsure when the splits fall
 * on both sides of it.
 */
export function verdictOf(
  differences: readonly number[],
  perClass: number,
  threshold: number | null,
  minPerClass = MIN_PROBE_IMAGES_PER_CLASS,
): { verdict: SimilarityVerdict; unsure: UnsureBecause | null } {
  if (differences.length === 0) return { verdict: 'unsure', unsure: 'no-probe' };
  if (perClass < minPerClass) return { verdict: 'unsure', unsure: 'too-few-images' };
  if (threshold === null) return { verdict: 'unsure', unsure: 'uncalibrated' };
  const reaches = (d: number) => d >= threshold - EPS;
  if (differences.every(reaches)) return { verdict: 'similar', unsure: null };
  if (!differences.some(reaches)) return { verdict: 'different', unsure: null };
  return { verdict: 'unsure', unsure: 'overlap' };
}

/**
 * Similar, different or unsure, from a layer probe: the top features against the raw
 * pixels over the probe's splits, with the mean and the range across splits and a
 * sentence that says what decided.
 */
export function estimateSimilarity(
  points: readonly ProbePoint[],
  opts?: {
    /** The network the probe ran on: its calibrated threshold is used. */
    model?: ProbedModel;
    /** A threshold to use instead of the network's. */
    threshold?: number;
    minPerClass?: number;
  },
): SimilarityEstimate {
  const threshold = opts?.threshold ?? (opts?.model ? similarityThreshold(opts.model) : null);
  const minPerClass = opts?.minPerClass ?? MIN_PROBE_IMAGES_PER_CLASS;
  const top = points.find((p) => p.source === 'top');
  const pixels = points.find((p) => p.source === 'pixels');
  const differences = top && pixels ? splitDifferences(top, pixels) : [];
  const perClass = top?.perClass ?? pixels?.perClass ?? 0;
  const { verdict, unsure } = verdictOf(differences, perClass, threshold, minPerClass);
  const base = {
    verdict,
    unsure,
    differences,
    mean: mean(differences),
    min: differences.length ? Math.min(...differences) : NaN,
    max: differences.length ? Math.max(...differences) : NaN,
    topAccuracy: top ? mean(top.splits) : NaN,
    pixelAccuracy: pixels ? mean(pixels.splits) : NaN,
    topLayer: top?.layer ?? null,
    perClass,
    threshold,
    suggestedCut: null,
  } satisfies Omit<SimilarityEstimate, 'reason'>;
  if (!top || !pixels || differences.length === 0)
    return {
      ...base,
      reason:
        'No probe results for the top features and the pixels: nothing to compare, so no quadrant is estimated.',
    };
  const splits = differences.length;
  const line = threshold === null ? '' : ` (threshold for this network ${pp(threshold)})`;
  const evidence = `On ${splits} half/half split${splits === 1 ? '' : 's'} of ${perClass} images per class, the top features (${top.layer}) score ${pct(base.topAccuracy)} and the raw pixels ${pct(base.pixelAccuracy)}: ${pp(base.mean)} on average, from ${pp(base.min)} to ${pp(base.max)}${line}.`;
  switch (unsure ?? verdict) {
    case 'similar':
      return {
        ...base,
        reason: `${evidence} Every split reaches the threshold: the source features gain over the pixels as much as on the similar target this network was calibrated with, so the domain counts as similar.`,
      };
    case 'different':
      return {
        ...base,
        reason: `${evidence} No split reaches the threshold: the source features gain no more over the pixels than on the far targets this network was calibrated with, so the domain counts as different.`,
      };
    case 'too-few-images':
      return {
        ...base,
        reason: `${evidence} Too few images to tell: the smallest class has ${perClass}, and the estimate needs at least ${minPerClass} per class. Add images, or choose a quadrant yourself.`,
      };
    case 'uncalibrated':
      return {
        ...base,
        reason: `${evidence} Where the line between similar and different lies depends on the network, and it was measured only for the bundled networks at their native input size and value range (${SIMILARITY_CALIBRATION.map((c) => `${c.modelId} ${pp(c.threshold)}`).join(', ')}; docs/similarity-calibration.md). For this one the studio cannot tell: compare the numbers yourself and choose a quadrant.`,
      };
    default:
      return {
        ...base,
        reason: `${evidence} The splits fall on both sides of the threshold, so the evidence overlaps: it cannot tell similar from different here. More images narrow the range; meanwhile choose a quadrant yourself.`,
      };
  }
}

/** The quadrant of a dataset's size and similarity; null when the similarity is unsure. */
export function estimateQuadrant(
  size: DatasetSize,
  similarity: SimilarityVerdict,
): Quadrant | null {
  return similarity === 'unsure' ? null : `${size}-${similarity}`;
}
