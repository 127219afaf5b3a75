import type { TrainParams } from './protocol';

/**
 * Defaults for a run (DESIGN.md §1): a new head and re-initialised layers learn at 1e-3,
 * fine-tuned pretrained layers at 1e-5 so good weights are adjusted, not destroyed.
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
};
