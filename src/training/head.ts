/**
 * Trains a softmax classifier on cached features with a custom loop (Adam), reporting
 * per-batch loss (throttled) and per-epoch validation metrics. Backend-agnostic: the
 * caller picks the backend. Every tensor made here is disposed before it returns.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffleInPlace, type Split } from '../data/split';
import type { BatchPoint, EpochMetrics } from './protocol';

export interface HeadTrainingInput {
  /** N × dim features, row-major. */
  features: Float32Array;
  dim: number;
  labels: readonly number[];
  numClasses: number;
  split: Split;
  learningRate: number;
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

export interface HeadTrainingResult {
  stopped: boolean;
  epochsRun: number;
  history: EpochMetrics[];
  /** Trained weights, so a caller can keep or export them. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** Thrown when the loss stops being a finite number. */
export class DivergedError extends Error {
  constructor(epoch: number) {
    super(`The loss diverged (not a finite number) in epoch ${epoch}. Lower the learning rate and train again.`);
    this.name = 'DivergedError';
  }
}

function rows(features: Float32Array, dim: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((row, i) => out.set(features.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}

const yieldToEvents = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export async function trainSoftmaxHead(input: HeadTrainingInput): Promise<HeadTrainingResult> {
  const { features, dim, labels, numClasses, split, learningRate, epochs, batchSize, seed } = input;
  const now = input.now ?? (() => performance.now());
  const throttleMs = input.throttleMs ?? 150;
  const random = mulberry32(seed);

  // Glorot-uniform kernel, zero bias: the Keras defaults for a Dense layer.
  const limit = Math.sqrt(6 / (dim + numClasses));
  // tidy() frees the initial values; the variables keep their own reference to the data.
  const kernel = tf.tidy(() => tf.variable(tf.randomUniform([dim, numClasses], -limit, limit, 'float32', seed), true));
  const bias = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true));
  const optimizer = tf.train.adam(learningRate);

  const trainX = tf.tensor2d(rows(features, dim, split.train), [split.train.length, dim]);
  const trainY = tf.tensor1d(split.train.map((i) => labels[i] as number), 'int32');
  const valX = tf.tensor2d(rows(features, dim, split.validation), [split.validation.length, dim]);
  const valY = tf.tidy(() => tf.oneHot(tf.tensor1d(split.validation.map((i) => labels[i] as number), 'int32'), numClasses));

  const logits = (x: tf.Tensor2D) => x.matMul(kernel).add(bias) as tf.Tensor2D;
  const history: EpochMetrics[] = [];
  let pending: BatchPoint[] = [];
  let lastFlush = now();
  const flush = () => {
    if (pending.length > 0) input.onBatches?.(pending);
    pending = [];
    lastFlush = now();
  };

  let stopped = false;
  try {
    const n = split.train.length;
    const steps = Math.ceil(n / batchSize);
    for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
      const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), random);
      let lossSum = 0;
      let correct = 0;
      for (let step = 0; step < steps; step++) {
        if (input.shouldStop?.()) {
          stopped = true;
          break;
        }
        const idx = order.slice(step * batchSize, (step + 1) * batchSize);
        const [loss, hits] = tf.tidy(() => {
          const ids = tf.tensor1d(idx, 'int32');
          const x = trainX.gather(ids);
          const y = tf.oneHot(trainY.gather(ids), numClasses);
          let batchHits: tf.Scalar | null = null;
          const batchLoss = optimizer.minimize(() => {
            const z = logits(x);
            batchHits = tf.keep(z.argMax(1).equal(y.argMax(1)).sum() as tf.Scalar);
            return tf.losses.softmaxCrossEntropy(y, z) as tf.Scalar;
          }, true) as tf.Scalar;
          return [batchLoss, batchHits as unknown as tf.Scalar];
        });
        const [lossValue, hitValue] = [(await loss.data())[0] as number, (await hits.data())[0] as number];
        loss.dispose();
        hits.dispose();
        if (!Number.isFinite(lossValue)) throw new DivergedError(epoch + 1);
        lossSum += lossValue * idx.length;
        correct += hitValue;
        pending.push({ x: epoch + (step + 1) / steps, loss: lossValue });
        if (now() - lastFlush >= throttleMs) flush();
        await yieldToEvents();
      }
      if (stopped) break;
      const [valLoss, valAcc] = tf.tidy(() => {
        const z = logits(valX);
        return [tf.losses.softmaxCrossEntropy(valY, z), z.argMax(1).equal(valY.argMax(1)).mean()];
      });
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        trainLoss: lossSum / n,
        trainAccuracy: correct / n,
        valLoss: (await valLoss.data())[0] as number,
        valAccuracy: (await valAcc.data())[0] as number,
      };
      valLoss.dispose();
      valAcc.dispose();
      if (!Number.isFinite(metrics.valLoss)) throw new DivergedError(epoch + 1);
      history.push(metrics);
      flush();
      input.onEpoch?.(metrics);
    }
    flush();
    return {
      stopped,
      epochsRun: history.length,
      history,
      kernel: (await kernel.data()) as Float32Array,
      bias: (await bias.data()) as Float32Array,
    };
  } finally {
    tf.dispose([kernel, bias, trainX, trainY, valX, valY]);
    optimizer.dispose();
  }
}
