/**
 * The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks", §3.3; fastai's `lr_find`): a short run whose rate grows exponentially each
 * step, the loss recorded against the rate. What it reports, and its fixed settings.
 */

/** One step of a sweep: the rate it trained at, the loss after it, and the smoothed loss. */
export interface LrPoint {
  rate: number;
  /** The loss on the held-out validation images after the step (or the step's batch loss). */
  loss: number;
  /** Exponential moving average of the losses so far, bias-corrected. */
  smoothed: number;
}

/** Which group's rate a sweep varies: the new head (and Re-initialize layers), or the Fine-tune layers. */
export type LrGroup = 'head' | 'fine-tune';

export interface LrSweep {
  group: LrGroup;
  points: LrPoint[];
  /**
   * The suggested rate: the rate at the lowest smoothed loss ÷ 10 (fastai's `lr_min`), within
   * the field's range; null when the sweep was stopped or the loss never fell.
   */
  suggested: number | null;
  /** The rate at the lowest smoothed loss (null when the loss never fell). */
  minimum: number | null;
  /** The rate where the smoothed loss falls fastest per decade of rate (shown, not used). */
  steepest: number | null;
  /** The first rate where the smoothed loss passed 1.5× its lowest value so far: too large from here on. */
  climbsFrom: number | null;
  /** Why the sweep ended: it reached the last rate, the loss climbed past the limit, or Stop. */
  ended: 'last rate' | 'diverged' | 'stopped';
  /**
   * What the loss is measured on: up to `LR_FIND.heldOut` validation images after each step
   * (a rate too large for new images shows there while training batches still fit), or the
   * step's training batch when there is no validation split.
   */
  lossOf: 'validation' | 'training batches';
  /** For the fine-tune sweep: the rate the head trained at before it was held for the sweep. */
  headRate?: number;
}

/**
 * Both sweeps: the head's, and — when the plan fine-tunes layers — the Fine-tune group's,
 * swept alone on a head first trained at its (suggested) rate for `warmupSteps`, then held.
 */
export interface LrFindResult {
  head: LrSweep;
  fineTune: LrSweep | null;
  stopped: boolean;
  /** Live tensors in the worker after the test, and before it. */
  numTensors: number;
  numTensorsBefore: number;
}

/** The sweep's fixed settings. */
export const LR_FIND = {
  /** First and last rate of a sweep (it grows by the same factor every step). */
  start: 1e-7,
  end: 1,
  steps: 100,
  /** The sweep ends once the smoothed loss is this many times its lowest value. */
  divergeFactor: 4,
  /** Weight of the past in the moving average (0.9: about the last ten steps). */
  smoothing: 0.9,
  /** Steps the new head trains (at its rate) before it is held and the fine-tune rate swept. */
  warmupSteps: 50,
  /** Validation images the loss is measured on after each step, at most (evenly spaced). */
  heldOut: 100,
} as const;

/** A suggested rate as the field takes it: two significant digits (3.274e-3 → 0.0033). */
export const roundRate = (rate: number): number => +rate.toPrecision(2);
