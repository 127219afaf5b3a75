/**
 * The training loop: a new head on top of a (possibly trainable) body, with one
 * optimizer per learning-rate group (head and Re-initialize layers fast, Fine-tune layers
 * slow), conservation terms, throttled batch reports and per-epoch validation. Built from
 * small pieces — `head`, `optimizers`, `conservation`, `evaluation` — and it disposes
 * every tensor it makes; the caller owns the body's variables.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffleInPlace, type Split } from '../data/split';
import {
  BATCH_REPORT_MS,
  type BatchPoint,
  earlyStoppingState,
  type EpochMetrics,
  type TrainParams,
} from '../domain';
import { createConservation } from './conservation';
import { blameRate, createLossWatch, divergenceMessage, type Blame } from './divergence';
import { lossAndAccuracy, predictClasses, type Scorer } from './evaluation';
import { createHead, type FeatureScale } from './head';
import { createOptimizers } from './optimizers';
import { throttle } from './throttle';

export interface ClassifierTrainingInput {
  /** Called (and awaited) before `batch` is asked for these indices: reads images kept in storage. */
  load?: (indices: readonly number[]) => Promise<void>;
  /** Builds the input batch for the given sample indices (called inside a tidy); `augment` only for training steps. */
  batch: (indices: readonly number[], augment: { seed: number } | null) => tf.Tensor;
  /** Maps an input batch to features [b, featureDim]; `training` is true for gradient steps. */
  body: (x: tf.Tensor, training: boolean) => tf.Tensor2D;
  featureDim: number;
  /** Pretrained variables to fine-tune (at `fineTuneLearningRate`). */
  fineTune?: tf.Variable[];
  /** Re-initialised variables (at `learningRate`, like the head). */
  reinit?: tf.Variable[];
  labels: readonly number[];
  numClasses: number;
  split: Split;
  params: TrainParams;
  /** The original network's features for given samples: targets of output-level conservation (`params.distillation`). */
  originalFeatures?: (indices: readonly number[]) => tf.Tensor2D;
  featureScale?: FeatureScale;
  /** Called after each epoch with ‖w − w₀‖/‖w₀‖ per layer (trained layers only). */
  onDrift?: (drift: Record<string, number>) => void;
  onBatches?: (points: BatchPoint[]) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  shouldStop?: () => boolean;
  /** Minimum milliseconds between two `onBatches` calls. */
  throttleMs?: number;
  /** Injectable clock for tests. */
  now?: () => number;
}

export interface ClassifierTrainingResult {
  stopped: boolean;
  epochsRun: number;
  /** The epoch whose weights were kept (1-based): the best validation loss with early stopping, else the last. */
  bestEpoch: number;
  /** True when early stopping ended the run before its last epoch. */
  stoppedEarly: boolean;
  history: EpochMetrics[];
  /** Predicted class of every validation and test sample, in split order. */
  predictions: { validation: number[]; test: number[] };
  /** Trained head weights. */
  kernel: Float32Array;
  bias: Float32Array;
}

/**
 * Thrown when the loss stops being a finite number or climbs far above where it started
 * (`divergence.ts`): the message names the learning rate to blame and a value to try.
 */
export class DivergedError extends Error {
  constructor(epoch: number, from: number, to: number, blame: Blame) {
    super(divergenceMessage({ from, to }, epoch, blame));
    this.name = 'DivergedError';
  }
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * How often a run lets the worker read its messages (a Stop). Yielding after every step
 * cost a timer each — at least 4 ms once timers nest (the HTML timer clamp) — which
 * dominated a head trained on cached features (a few steps of a few ms each, hundreds of
 * epochs).
 */
export const YIELD_MS = 50;

/**
 * The loss and its gradients with respect to `vars`, plus one more tensor computed in the
 * same forward pass (kept, for the caller to dispose) — so a training step needs one pass.
 */
function lossGradsAnd(
  f: () => { loss: tf.Scalar; extra: tf.Tensor },
  vars: tf.Variable[],
): { value: tf.Scalar; grads: tf.NamedTensorMap; extra: tf.Tensor } {
  let extra: tf.Tensor | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const out = f();
    extra = tf.keep(out.extra);
    return out.loss;
  }, vars);
  return { value, grads, extra: extra! };
}

export async function trainClassifier(
  input: ClassifierTrainingInput,
): Promise<ClassifierTrainingResult> {
  const { featureDim, numClasses, split, labels, params } = input;
  const { epochs, batchSize, seed } = params;
  const random = mulberry32(seed);
  const report = throttle(input.throttleMs ?? BATCH_REPORT_MS, input.now);
  const breather = throttle(YIELD_MS, input.now);
  const fineTune = input.fineTune ?? [];
  const reinit = input.reinit ?? [];
  const head = createHead(featureDim, numClasses, params.head, seed, input.featureScale);
  const fast = [head.kernel, head.bias, ...reinit];
  const optimizers = createOptimizers(params, fast, fineTune);
  const conservation = createConservation({
    fineTune,
    reinit,
    l2sp: params.conservation,
    distillation: input.originalFeatures
      ? { weight: params.distillation, targets: input.originalFeatures }
      : undefined,
  });
  const labelsOf = (idx: readonly number[]) =>
    tf.oneHot(
      tf.tensor1d(
        idx.map((i) => labels[i]!),
        'int32',
      ),
      numClasses,
    ) as tf.Tensor2D;
  const scorer: Scorer = {
    load: input.load,
    logits: (idx) => head.scores(input.body(input.batch(idx, null), false)),
    labels: labelsOf,
    loss: head.loss,
  };

  const history: EpochMetrics[] = [];
  let pending: BatchPoint[] = [];
  const flush = () => {
    if (pending.length > 0) input.onBatches?.(pending);
    pending = [];
  };

  let stopped = false;
  let stoppedEarly = false;
  const watch = createLossWatch();
  const blame = blameRate(params, { fineTune: fineTune.length > 0, reinit: reinit.length > 0 });
  let firstLoss = Number.NaN;
  const trainedVars = [...fast, ...fineTune];
  const keepsBest = params.earlyStopping.enabled;
  /** The weights of the best epoch so far (when early stopping keeps them). */
  let best: tf.Tensor[] | null = null;
  let bestEpoch = 0;
  try {
    const n = split.train.length;
    const steps = Math.ceil(n / batchSize);
    for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
      const order = shuffleInPlace([...split.train], random);
      let lossSum = 0;
      let correct = 0;
      for (let step = 0; step < steps; step++) {
        if (input.shouldStop?.()) {
          stopped = true;
          break;
        }
        const idx = order.slice(step * batchSize, (step + 1) * batchSize);
        const globalStep = epoch * steps + step;
        optimizers.schedule(globalStep, steps * epochs);
        await input.load?.(idx);
        const [loss, hits] = tf.tidy(() => {
          // A different augmentation draw for every step, reproducible from the run's seed.
          const x = input.batch(idx, { seed: (seed * 1_000_003 + globalStep) >>> 0 });
          const y = labelsOf(idx);
          const { value, grads, extra } = lossGradsAnd(() => {
            const features = input.body(x, true);
            const z = head.scores(features);
            const penalty = conservation.penalty(features, idx);
            const data = head.loss(y, z);
            return {
              loss: penalty ? data.add(penalty) : data,
              extra: z.argMax(1).equal(y.argMax(1)).sum(),
            };
          }, [...fast, ...fineTune]);
          optimizers.apply(grads);
          return [value, extra];
        });
        const [lossData, hitData] = await Promise.all([loss.data(), hits.data()]);
        const lossValue = lossData[0]!;
        const hitValue = hitData[0]!;
        tf.dispose([loss, hits]);
        const diverged = watch.observe(lossValue);
        if (diverged) {
          // The curve shows the climb that ended the run.
          if (Number.isFinite(lossValue))
            pending.push({ x: epoch + (step + 1) / steps, loss: lossValue });
          flush();
          throw new DivergedError(epoch + 1, diverged.from, diverged.to, blame);
        }
        if (Number.isNaN(firstLoss)) firstLoss = lossValue;
        lossSum += lossValue * idx.length;
        correct += hitValue;
        pending.push({ x: epoch + (step + 1) / steps, loss: lossValue });
        if (report.due()) flush();
        if (breather.due()) await yieldToEvents();
      }
      if (stopped) break;
      const val = await lossAndAccuracy(scorer, split.validation, batchSize);
      if (!Number.isFinite(val.loss))
        throw new DivergedError(epoch + 1, firstLoss, val.loss, blame);
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        trainLoss: lossSum / n,
        trainAccuracy: correct / n,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
      };
      history.push(metrics);
      const state = earlyStoppingState(
        history.map((h) => h.valLoss),
        params.earlyStopping,
      );
      if (keepsBest && state.bestEpoch === history.length) {
        tf.dispose(best ?? []);
        best = trainedVars.map((v) => tf.keep(v.clone()));
      }
      bestEpoch = keepsBest ? state.bestEpoch : history.length;
      flush();
      input.onEpoch?.(metrics);
      if (input.onDrift && fineTune.length + reinit.length > 0)
        input.onDrift(await conservation.drift());
      if (state.stop && epoch < epochs - 1) {
        stoppedEarly = true;
        break;
      }
    }
    flush();
    // The user gets the best epoch's weights: every number reported from here on is theirs.
    if (best && bestEpoch < history.length) trainedVars.forEach((v, i) => v.assign(best![i]!));
    const predictions = {
      validation: await predictClasses(scorer, split.validation, batchSize),
      test: await predictClasses(scorer, split.test, batchSize),
    };
    return {
      stopped,
      epochsRun: history.length,
      bestEpoch,
      stoppedEarly,
      history,
      predictions,
      kernel: (await head.kernel.data()) as Float32Array,
      bias: (await head.bias.data()) as Float32Array,
    };
  } finally {
    tf.dispose(best ?? []);
    head.dispose();
    conservation.dispose();
    optimizers.dispose();
  }
}

/** Rows of a row-major matrix as a [b, ...shape] tensor (for cached features). */
export function rowsTensor(
  data: Float32Array,
  rowSize: number,
  shape: readonly number[],
  indices: readonly number[],
): tf.Tensor {
  const out = new Float32Array(indices.length * rowSize);
  indices.forEach((row, i) =>
    out.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize),
  );
  return tf.tensor(out, [indices.length, ...shape]);
}
