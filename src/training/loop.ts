/**
 * The training loop: a softmax head on top of a (possibly trainable) body, trained with a
 * custom loop so each variable group gets its own learning rate — the new head and
 * re-initialised layers at the head rate, fine-tuned pretrained layers at a small rate.
 * Reports per-batch loss (throttled) and per-epoch validation metrics. Every tensor made
 * here is disposed before it returns; the caller owns the body's variables.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffleInPlace, type Split } from '../data/split';
import { distillation, l2Penalty, l2sp, multiclassHinge, softmaxCrossEntropy } from './losses';
import { learningRateAt, type ScheduleKind } from './schedule';
import type { BatchPoint, EpochMetrics } from './protocol';

/** L2 strength on the linear SVM head's weights (the "C" of the SVM, as a penalty). */
export const SVM_L2 = 1e-3;

export interface ClassifierTrainingInput {
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
  learningRate: number;
  fineTuneLearningRate?: number;
  head?: 'softmax' | 'svm';
  optimizer?: 'adam' | 'sgd';
  schedule?: ScheduleKind;
  /** L2-SP λ over the fine-tuned variables, anchored at their values when training starts. */
  conservation?: number;
  /** Output-level conservation: weight, and the original network's features for given samples. */
  distillation?: { weight: number; targets: (indices: readonly number[]) => tf.Tensor2D };
  /** Constant scaling of the features before the head: (f − mean) / std. */
  featureScale?: { mean: Float32Array; std: Float32Array };
  /** Called after each epoch with ‖w − w₀‖/‖w₀‖ per layer (trainable layers only). */
  onDrift?: (drift: Record<string, number>) => void;
  epochs: number;
  batchSize: number;
  seed: number;
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
  history: EpochMetrics[];
  /** Predicted class of every validation and test sample, in split order. */
  predictions: { validation: number[]; test: number[] };
  /** Trained head weights. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** A loss this many times its first value means training has blown up. */
export const EXPLODED_FACTOR = 1000;

/** Thrown when the loss stops being a finite number or explodes. */
export class DivergedError extends Error {
  constructor(epoch: number, loss: number) {
    const what = Number.isFinite(loss)
      ? `it exploded to ${loss.toExponential(1)}`
      : 'not a finite number';
    super(
      `The loss diverged (${what}) in epoch ${epoch}. Lower the learning rate and train again.`,
    );
    this.name = 'DivergedError';
  }
}

/** The gradients of `vars` that exist (a variable the loss does not reach has none). */
function gradsOf(
  vars: readonly tf.Variable[],
  grads: tf.NamedTensorMap,
): { name: string; tensor: tf.Tensor }[] {
  const out: { name: string; tensor: tf.Tensor }[] = [];
  for (const v of vars) {
    const g = grads[v.name];
    if (g) out.push({ name: v.name, tensor: g });
  }
  return out;
}

/** Disposes an optimizer fully: tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar `c` of its SGD base. */
function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  const fields = opt as unknown as Record<string, unknown>;
  for (const key of ['c', 'm']) {
    const t = fields[key];
    if (t instanceof tf.Tensor && !t.isDisposed) t.dispose();
  }
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function trainClassifier(
  input: ClassifierTrainingInput,
): Promise<ClassifierTrainingResult> {
  const { featureDim: dim, numClasses, split, epochs, batchSize, seed, labels } = input;
  const now = input.now ?? (() => performance.now());
  const throttleMs = input.throttleMs ?? 150;
  const random = mulberry32(seed);
  const fineTune = input.fineTune ?? [];
  const reinit = input.reinit ?? [];

  // Glorot-uniform kernel, zero bias: the Keras defaults for a Dense layer.
  // tidy() frees the initial values; the variables keep their own reference to the data.
  const limit = Math.sqrt(6 / (dim + numClasses));
  const kernel = tf.tidy(() =>
    tf.variable(tf.randomUniform([dim, numClasses], -limit, limit, 'float32', seed), true),
  );
  const bias = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true));
  const fast = [kernel, bias, ...reinit];
  const makeOptimizer = (lr: number) =>
    input.optimizer === 'sgd' ? tf.train.momentum(lr, 0.9) : tf.train.adam(lr);
  const fastOptimizer = makeOptimizer(input.learningRate);
  const slowRate = input.fineTuneLearningRate ?? input.learningRate;
  const slowOptimizer = fineTune.length > 0 ? makeOptimizer(slowRate) : null;
  const allVars = [...fast, ...fineTune];
  // w₀ for L2-SP and the drift meter: the values the trained layers start from.
  const anchors = [...fineTune, ...reinit].map((v) => tf.keep(v.clone()));
  const conservation = input.conservation ?? 0;
  const labelsOf = (idx: readonly number[]) =>
    tf.oneHot(
      tf.tensor1d(
        idx.map((i) => labels[i] as number),
        'int32',
      ),
      numClasses,
    ) as tf.Tensor2D;
  const shift = input.featureScale ? tf.keep(tf.tensor1d(input.featureScale.mean)) : null;
  const scale = input.featureScale ? tf.keep(tf.tensor1d(input.featureScale.std)) : null;
  const scaled = (f: tf.Tensor2D) => (shift && scale ? f.sub(shift).div(scale) : f) as tf.Tensor2D;
  const scores = (features: tf.Tensor2D) =>
    scaled(features).matMul(kernel).add(bias) as tf.Tensor2D;
  const logits = (x: tf.Tensor, training: boolean) => scores(input.body(x, training));
  const dataLoss = (y: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar =>
    input.head === 'svm'
      ? multiclassHinge(y, z).add(l2Penalty([kernel], SVM_L2))
      : softmaxCrossEntropy(y, z);
  const setRate = (opt: tf.Optimizer, lr: number) => {
    // Both optimizers read their rate on every step; Adam keeps it in a field of that name.
    if (opt instanceof tf.MomentumOptimizer) opt.setLearningRate(lr);
    else (opt as unknown as { learningRate: number }).learningRate = lr;
  };

  const history: EpochMetrics[] = [];
  let pending: BatchPoint[] = [];
  let lastFlush = now();
  const flush = () => {
    if (pending.length > 0) input.onBatches?.(pending);
    pending = [];
    lastFlush = now();
  };

  /** Loss and hits over the validation split, in batches (no gradients). */
  const evaluate = async (): Promise<{ loss: number; accuracy: number }> => {
    let lossSum = 0;
    let hits = 0;
    for (const idx of chunks(split.validation, batchSize)) {
      const [l, h] = tf.tidy(() => {
        const y = labelsOf(idx);
        const z = logits(input.batch(idx, null), false);
        return [dataLoss(y, z).mul(idx.length), z.argMax(1).equal(y.argMax(1)).sum()];
      });
      lossSum += (await l.data())[0] as number;
      hits += (await h.data())[0] as number;
      tf.dispose([l, h]);
    }
    const n = Math.max(1, split.validation.length);
    return { loss: lossSum / n, accuracy: hits / n };
  };

  /** Predicted class per sample, in batches without gradients. */
  const predict = async (indices: readonly number[]): Promise<number[]> => {
    const out: number[] = [];
    for (const idx of chunks(indices, batchSize)) {
      const p = tf.tidy(() => logits(input.batch(idx, null), false).argMax(1));
      out.push(...(await p.data()));
      p.dispose();
    }
    return out;
  };

  const reportDrift = async () => {
    if (!input.onDrift || anchors.length === 0) return;
    const trained = [...fineTune, ...reinit];
    const sums = new Map<string, { diff: number; base: number }>();
    for (let i = 0; i < trained.length; i++) {
      const [d, b] = tf.tidy(() => [
        trained[i]!.sub(anchors[i]!).square().sum(),
        anchors[i]!.square().sum(),
      ]);
      const layer = trained[i]!.name.split('/')[0] ?? trained[i]!.name;
      const acc = sums.get(layer) ?? { diff: 0, base: 0 };
      acc.diff += (await d!.data())[0] as number;
      acc.base += (await b!.data())[0] as number;
      sums.set(layer, acc);
      tf.dispose([d!, b!]);
    }
    input.onDrift(
      Object.fromEntries(
        [...sums].map(([layer, { diff, base }]) => [
          layer,
          base > 0 ? Math.sqrt(diff / base) : Math.sqrt(diff),
        ]),
      ),
    );
  };

  let stopped = false;
  let firstLoss: number | null = null;
  try {
    const n = split.train.length;
    const steps = Math.ceil(n / batchSize);
    const totalSteps = steps * epochs;
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
        if (input.schedule === 'cosine') {
          setRate(
            fastOptimizer,
            learningRateAt(globalStep, totalSteps, input.learningRate, 'cosine'),
          );
          if (slowOptimizer)
            setRate(slowOptimizer, learningRateAt(globalStep, totalSteps, slowRate, 'cosine'));
        }
        const [loss, hits] = tf.tidy(() => {
          // A different augmentation draw for every step, reproducible from the run's seed.
          const x = input.batch(idx, { seed: (seed * 1_000_003 + globalStep) >>> 0 });
          const y = labelsOf(idx);
          let batchHits: tf.Tensor | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const features = input.body(x, true);
            const z = scores(features);
            batchHits = tf.keep(z.argMax(1).equal(y.argMax(1)).sum());
            let total = dataLoss(y, z);
            if (conservation > 0 && fineTune.length > 0)
              total = total.add(l2sp(fineTune, anchors.slice(0, fineTune.length), conservation));
            if (input.distillation && input.distillation.weight > 0) {
              total = total.add(
                distillation(features, input.distillation.targets(idx), 'features-l2').mul(
                  input.distillation.weight,
                ),
              );
            }
            return total;
          }, allVars);
          fastOptimizer.applyGradients(gradsOf(fast, grads));
          if (slowOptimizer) slowOptimizer.applyGradients(gradsOf(fineTune, grads));
          return [value, batchHits as unknown as tf.Tensor];
        });
        const lossValue = (await loss.data())[0] as number;
        const hitValue = (await hits.data())[0] as number;
        tf.dispose([loss, hits]);
        firstLoss ??= lossValue;
        if (!Number.isFinite(lossValue) || lossValue > EXPLODED_FACTOR * Math.max(1, firstLoss))
          throw new DivergedError(epoch + 1, lossValue);
        lossSum += lossValue * idx.length;
        correct += hitValue;
        pending.push({ x: epoch + (step + 1) / steps, loss: lossValue });
        if (now() - lastFlush >= throttleMs) flush();
        await yieldToEvents();
      }
      if (stopped) break;
      const val = await evaluate();
      if (!Number.isFinite(val.loss)) throw new DivergedError(epoch + 1, val.loss);
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        trainLoss: lossSum / n,
        trainAccuracy: correct / n,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
      };
      history.push(metrics);
      flush();
      input.onEpoch?.(metrics);
      await reportDrift();
    }
    flush();
    const predictions = {
      validation: await predict(split.validation),
      test: await predict(split.test),
    };
    return {
      stopped,
      epochsRun: history.length,
      history,
      predictions,
      kernel: (await kernel.data()) as Float32Array,
      bias: (await bias.data()) as Float32Array,
    };
  } finally {
    tf.dispose([kernel, bias, ...anchors, ...(shift && scale ? [shift, scale] : [])]);
    disposeOptimizer(fastOptimizer);
    if (slowOptimizer) disposeOptimizer(slowOptimizer);
  }
}

/** Rows of a row-major matrix as a [b, dim] tensor (for cached features). */
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
