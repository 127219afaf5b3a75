/** Training parameters and their defaults (DESIGN.md §1). */

export interface TrainParams {
  /** For the new head and Re-initialize layers. */
  learningRate: number;
  /** For Fine-tune layers (pretrained weights): small, so they are not destroyed. */
  fineTuneLearningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Seed of the train/validation/test split when it must stay fixed while `seed` varies (a sweep); `seed` when absent. */
  splitSeed?: number;
  validationFraction: number;
  /** Held out and used only for the final report. */
  testFraction: number;
  head: 'softmax' | 'svm';
  optimizer: 'adam' | 'sgd';
  schedule: 'constant' | 'cosine';
  /** λ of L2-SP: λ/2·Σ‖w − w₀‖² over the fine-tuned pretrained weights. */
  conservation: number;
  /** Weight of the output-level (LwF-style) term keeping features close to the original network's. */
  distillation: number;
  augment: { flip: boolean; crop: boolean; brightness: boolean };
  /** BatchNorm in Fine-tune layers: false = inference mode (moving statistics), true = batch statistics. */
  batchNormTraining: boolean;
  /**
   * Test-time augmentation: the final validation and test predictions (and Predict) average
   * the softmax of each image and of its mirror image. Off when absent.
   */
  testTimeAugmentation?: boolean;
  /**
   * Stop when the validation loss has not improved by `minDelta` for `patience` epochs,
   * and keep the weights of the best epoch (Keras `EarlyStopping(restore_best_weights=True)`).
   */
  earlyStopping: EarlyStopping;
}

export interface EarlyStopping {
  enabled: boolean;
  patience: number;
  minDelta: number;
}

/**
 * Defaults for a run: a new head and re-initialised layers learn at 1e-3, fine-tuned
 * pretrained layers at 1e-5 so good weights are adjusted, not destroyed.
 */
export const DEFAULT_PARAMS: TrainParams = {
  learningRate: 1e-3,
  fineTuneLearningRate: 1e-5,
  epochs: 10,
  batchSize: 16,
  seed: 42,
  validationFraction: 0.2,
  testFraction: 0.2,
  head: 'softmax',
  optimizer: 'adam',
  schedule: 'constant',
  conservation: 0,
  distillation: 0,
  augment: { flip: false, crop: false, brightness: false },
  batchNormTraining: false,
  earlyStopping: { enabled: true, patience: 5, minDelta: 1e-3 },
};

/**
 * Early-stopping bookkeeping on a sequence of validation losses: the best epoch so far
 * (1-based) and whether training should stop after the latest one. Pure, so the rule can
 * be tested on a synthetic loss sequence.
 */
export function earlyStoppingState(
  losses: readonly number[],
  rule: EarlyStopping,
): { bestEpoch: number; stop: boolean } {
  let best = Infinity;
  let bestEpoch = 0;
  losses.forEach((loss, i) => {
    if (loss < best - rule.minDelta || bestEpoch === 0) {
      best = loss;
      bestEpoch = i + 1;
    }
  });
  const stop = rule.enabled && bestEpoch > 0 && losses.length - bestEpoch >= rule.patience;
  return { bestEpoch, stop };
}
