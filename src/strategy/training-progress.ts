/** How far a run has come, as one fraction for the progress bar. Pure. */

export type RunPhase = 'idle' | 'features' | 'training' | 'done' | 'stopped' | 'error';

/** The bar's share for running the frozen part over every image, when it is not from the cache. */
export const FEATURES_SHARE = 0.4;

/**
 * 0…1: the frozen-part pass (its share of the bar) then the epochs, by the x of the last batch
 * point (epochs, fractional); 1 once done, the point reached when stopped, 0 before a run and
 * after a failure.
 */
export function trainingProgress(p: {
  phase: RunPhase;
  features: { done: number; total: number; cached: boolean } | null;
  /** x of the last batch point: epochs trained so far, fractional. */
  lastX: number;
  epochs: number;
}): number {
  if (p.phase === 'done') return 1;
  if (p.phase !== 'features' && p.phase !== 'training' && p.phase !== 'stopped') return 0;
  const share = p.features?.cached ? 0 : FEATURES_SHARE;
  const features = p.features ? p.features.done / Math.max(1, p.features.total) : 0;
  const training = Math.min(1, p.lastX / Math.max(1, p.epochs));
  return share * features + (1 - share) * training;
}
