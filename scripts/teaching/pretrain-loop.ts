/**
 * The loop that pretrains the teaching CNN itself on its source task (not transfer: every
 * layer is new and trained together, so no layer plan, prefix cache or new head is
 * involved; transfer runs use the studio's engine, see ./studio-run.ts). Adam, categorical
 * cross-entropy, shuffling from a seeded PRNG; plus batched evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { PIXELS, permutation, seededRandom, type ImageSet } from './data';

export interface PretrainLoopOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Seeds the shuffling of every epoch. */
  seed: number;
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

export interface PretrainLoopResult {
  /** Mean training loss of every epoch. */
  epochLosses: number[];
  /** Loss of every batch, in order. */
  batchLosses: number[];
}

function batchTensor(set: ImageSet, rows: ArrayLike<number>): tf.Tensor {
  const buf = new Float32Array(rows.length * PIXELS);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    buf.set(set.x.subarray(r * PIXELS, (r + 1) * PIXELS), i * PIXELS);
  }
  return tf.tensor(buf, [rows.length, 28, 28, 1]);
}

/** Trains every weight of `model` in place; every tensor it creates, optimizer state included, is freed. */
export async function pretrainLoop(
  model: tf.LayersModel,
  data: ImageSet,
  opts: PretrainLoopOptions,
): Promise<PretrainLoopResult> {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  if (vars.length === 0) throw new Error('pretrain: the model has no trainable weights');
  const optimizer = tf.train.adam(opts.learningRate);
  const random = seededRandom(opts.seed);
  const numClasses = data.classNames.length;
  const n = data.labels.length;
  const epochLosses: number[] = [];
  const batchLosses: number[] = [];
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = permutation(n, random);
      let sum = 0;
      for (let start = 0; start < n; start += opts.batchSize) {
        const rows = order.subarray(start, Math.min(n, start + opts.batchSize));
        const loss = tf.tidy(() => {
          const xb = batchTensor(data, rows);
          const yb = tf.oneHot(
            tf.tensor1d(
              Array.from(rows, (r) => data.labels[r]!),
              'int32',
            ),
            numClasses,
          );
          const { value, grads } = tf.variableGrads(() => {
            const probs = model.apply(xb, { training: true }) as tf.Tensor;
            return tf.metrics.categoricalCrossentropy(yb, probs).mean() as tf.Scalar;
          }, vars);
          optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
          return value;
        });
        const value = (await loss.data())[0]!;
        loss.dispose();
        if (!Number.isFinite(value))
          throw new Error(`pretrain: loss became ${value} in epoch ${epoch + 1}`);
        batchLosses.push(value);
        sum += value * rows.length;
      }
      epochLosses.push(sum / n);
      opts.onEpoch?.(epoch, sum / n);
    }
  } finally {
    optimizer.dispose();
  }
  return { epochLosses, batchLosses };
}

export interface Evaluation {
  accuracy: number;
  /** Accuracy within each true class, in class order. */
  perClassAccuracy: number[];
  n: number;
}

/** Top-1 accuracy of the whole network (its own head) on a labelled image set. */
export async function evaluate(
  model: tf.LayersModel,
  data: ImageSet,
  batchSize = 250,
): Promise<Evaluation> {
  const k = data.classNames.length;
  const correct = new Array<number>(k).fill(0);
  const total = new Array<number>(k).fill(0);
  const n = data.labels.length;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const y = tf.tidy(() =>
      (
        model.predict(
          tf.tensor(data.x.subarray(start * PIXELS, (start + count) * PIXELS), [count, 28, 28, 1]),
        ) as tf.Tensor
      ).argMax(-1),
    );
    const predicted = await y.data();
    y.dispose();
    predicted.forEach((p, i) => {
      const label = data.labels[start + i]!;
      total[label]!++;
      if (p === label) correct[label]!++;
    });
  }
  return {
    accuracy: correct.reduce((a, b) => a + b, 0) / n,
    perClassAccuracy: correct.map((c, i) => c / Math.max(1, total[i]!)),
    n,
  };
}
