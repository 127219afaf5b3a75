/**
 * Training parameters and layer plans as files carry them: every number held to the range
 * of its field (domain/ranges.ts), every choice to its options.
 */
import * as v from 'valibot';
import type { LayerMode, LayerPlan } from '../layers';
import type { TrainParams } from '../params';
import { PARAM_RANGES as R } from '../ranges';
import { bool, dictionary, numberIn, object, text } from './common';

const choice = <T extends string>(options: readonly T[]) =>
  v.picklist(options, `must be one of ${options.map((o) => `"${o}"`).join(', ')}`);

const paramEntries = {
  learningRate: numberIn(R.learningRate),
  fineTuneLearningRate: numberIn(R.fineTuneLearningRate),
  epochs: numberIn(R.epochs),
  batchSize: numberIn(R.batchSize),
  seed: numberIn(R.seed),
  splitSeed: v.optional(numberIn(R.seed)),
  validationFraction: numberIn(R.validationFraction),
  testFraction: numberIn(R.testFraction),
  head: choice(['softmax', 'svm'] as const),
  optimizer: choice(['adam', 'sgd'] as const),
  schedule: choice(['constant', 'cosine'] as const),
  conservation: numberIn(R.conservation),
  distillation: numberIn(R.distillation),
  augment: object({ flip: bool, crop: bool, brightness: bool }),
  batchNormTraining: bool,
  testTimeAugmentation: v.optional(bool),
  earlyStopping: object({
    enabled: bool,
    patience: numberIn(R.patience),
    minDelta: numberIn(R.minDelta),
  }),
};

const SHARES = 'must leave images for training (validationFraction + testFraction below 1)';
const leaves = (p: { validationFraction: number; testFraction: number }) =>
  p.validationFraction + p.testFraction < 1;

const studioParams = object(paramEntries);
/** All of `TrainParams`, as the studio writes it. */
export const trainParams = v.pipe(
  studioParams,
  v.forward(
    v.check((p: v.InferOutput<typeof studioParams>) => leaves(p), SHARES),
    ['testFraction'],
  ),
);

const runnerEntries = object({ ...paramEntries, augment: v.optional(paramEntries.augment) });
/** The parameters the runner writes back: the studio's, without the augmentation switches. */
export const runnerParams = v.pipe(
  runnerEntries,
  v.forward(
    v.check((p: v.InferOutput<typeof runnerEntries>) => leaves(p), SHARES),
    ['testFraction'],
  ),
);

const MODES = ['frozen', 'fine-tune', 'reinit'] as const satisfies readonly LayerMode[];

/** A layer plan: a mode per layer name, and the layer features are taken from. */
export const layerPlan = object({
  modes: dictionary(choice(MODES)),
  featureLayer: text(undefined, true),
});

// The schemas' outputs are the studio's own types (checked here, at compile time).
const sameParams = (p: v.InferOutput<typeof trainParams>): TrainParams => p;
const samePlan = (p: v.InferOutput<typeof layerPlan>): LayerPlan => p;
void sameParams;
void samePlan;
