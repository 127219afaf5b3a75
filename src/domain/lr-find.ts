/**
 * The learning-rate range test (Smith 2017, "Cyclical Learning Rates for Training Neural
 * Networks", §3.3; fastai's `lr_find`): a short run whose rate grows exponentially each
 * step, the loss recorded against the rate. What it reports, and its fixed settings.
 */

/** One step of a sweep: the rate it trained at, its batch loss, and the smoothed loss. */
export interface LrPoint {
  rate: number;
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
  /** Why the sweep ended: it reached the last rate, the loss climbed past the limit, or Stop. */
  ended: 'last rate' | 'diverged' | 'stopped';
  /** For the fine-tune sweep: the head's rate while the fine-tune rate was swept. */
  headRate?: number;
}

/**
 * Both sweeps: the head's, and — when the plan fine-tunes layers — the Fine-tune group's,
 * swept with the head training at its own (suggested) rate after a short warm-up.
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
  /** Steps the new head trains alone (at its rate) before the fine-tune rate is swept. */
  warmupSteps: 50,
} as const;
