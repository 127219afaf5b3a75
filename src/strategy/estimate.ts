/**
 * Rules that place a dataset in a quadrant: its size from the image counts, its
 * similarity to the source data from a layer probe (DESIGN.md §3). Pure: the probe itself
 * runs in the worker; this reads its numbers.
 */
import type { ProbePoint } from '../domain';
import type { Quadrant } from './quadrant';

export type DatasetSize = 'small' | 'large';
export type Similarity = 'similar' | 'different';

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
 * Gain of pretrained over random weights (accuracy, 0..1) that counts as evidence of
 * transfer. The probe scores a few dozen held-out images per class, so one accuracy has a
 * sampling error of √(p(1−p)/n) ≈ 4 pp at n = 100; gains below ~5 pp are within that noise
 * (on the teaching CNN, 1–2 pp effects were within seed noise). Above it, the pretrained
 * features separate the user's classes visibly better than the bare architecture does.
 */
export const DEFAULT_GAIN_THRESHOLD = 0.05;

/** Float tolerance, so a gain of 0.85 − 0.80 counts as reaching a 0.05 threshold. */
const EPS = 1e-9;

const pp = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pp`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * Similar or different, from a layer probe. Measured on the teaching CNN (DESIGN.md §3): the
 * depth where the probe peaks is not a reliable signal (raw pixels beat most pooled probes),
 * while the gain of pretrained over random weights at the *top* probed layer tracked the real
 * transfer results. So: similar when that gain reaches the threshold; otherwise different,
 * and the suggested cut is the deepest layer whose gain still reaches it (null when none
 * does, and when similar: then no cut is needed).
 */
export function estimateSimilarity(
  points: ProbePoint[],
  opts?: { gainThreshold?: number },
): { similarity: Similarity; gainAtTop: number; suggestedCut: string | null; reason: string } {
  const threshold = opts?.gainThreshold ?? DEFAULT_GAIN_THRESHOLD;
  const byDepth = [...points].sort((a, b) => a.depth - b.depth);
  const top = byDepth[byDepth.length - 1];
  if (!top) {
    return {
      similarity: 'different',
      gainAtTop: 0,
      suggestedCut: null,
      reason: 'No probe results: nothing shows that the pretrained features fit these images.',
    };
  }
  const gain = (p: ProbePoint) => p.pretrained - p.random;
  const reaches = (p: ProbePoint) => gain(p) >= threshold - EPS;
  const gainAtTop = gain(top);
  const atTop = `At ${top.layer}, the top probed layer, pretrained features score ${pct(top.pretrained)} vs ${pct(top.random)} with random weights (${pp(gainAtTop)}`;
  if (reaches(top)) {
    return {
      similarity: 'similar',
      gainAtTop,
      suggestedCut: null,
      reason: `${atTop}, threshold ${pp(threshold)}): the pretrained features fit these images, so the domain counts as similar.`,
    };
  }
  const deepest = byDepth.slice(0, -1).filter(reaches).pop();
  const cut = deepest
    ? `${deepest.layer} is the deepest layer where pretraining still helps (${pp(gain(deepest))}), so features are best taken there.`
    : 'No probed layer gains that much, so little beyond generic structure transfers.';
  return {
    similarity: 'different',
    gainAtTop,
    suggestedCut: deepest?.layer ?? null,
    reason: `${atTop}, under the threshold of ${pp(threshold)}): the domain counts as different. ${cut}`,
  };
}

/** The quadrant of a dataset's size and similarity. */
export function estimateQuadrant(size: DatasetSize, similarity: Similarity): Quadrant {
  return `${size}-${similarity}`;
}
