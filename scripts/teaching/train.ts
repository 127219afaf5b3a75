/**
 * A small seeded training loop for the teaching scripts: Adam, categorical
 * cross-entropy, shuffling from a seeded PRNG, and one optimizer per learning-rate group
 * (so pretrained layers can be fine-tuned more gently than new ones). Only layers whose
 * `trainable` flag is set are updated. Plus batched prediction and evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import { permutation, seededRandom, type ImageSet } from './data';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Adam learning rate of every trainable layer not named in `layerLearningRates`. */
  learningRate: number;
  /** Per-layer learning rates (layer name → LR), e.g. a gentler one for fine-tuned layers. */
  layerLearningRates?: Readonly<Record<string, number>>;
  /** Seeds the shuffling of every epoch. */
  seed: number;
  /** Stop early once an epoch's mean training loss is below this (the model fits its data). */
  stopBelowLoss?: number;
  /**
   * L2-SP conservation (Li, Grandvalet & Davoine 2018): adds λ/2 · Σ‖w − w₀‖² over the
   * trainable weights that have a starting point here (weight name → w₀), as the studio's
   * `conservation` parameter does.
   */
  l2sp?: { lambda: number; anchors: ReadonlyMap<string, tf.Tensor> };
  onEpoch?: (epoch: number, meanLoss: number) => void;
}

export interface TrainResult {
  /** Mean training loss of every epoch run (fewer than asked when it stopped early). */
  epochLosses: number[];
  /** Loss of every batch, in order. */
  batchLosses: number[];
}

/** Input set whose rows need not be images: cached activations of a frozen prefix work too. */
export interface TensorSet {
  x: Float32Array;
  /** Shape of one example, e.g. [28, 28, 1] or [7, 7, 32]. */
  shape: number[];
  labels: Int32Array;
  numClasses: number;
}

/** Views an image set as a tensor set of 28×28×1 examples. */
export function imagesAsTensorSet(set: ImageSet): TensorSet {
  return { x: set.x, shape: [28, 28, 1], labels: set.labels, numClasses: set.classNames.length };
}

const exampleSize = (shape: readonly number[]): number => shape.reduce((p, v) => p * v, 1);

function batchTensor(set: TensorSet, rows: ArrayLike<number>): tf.Tensor {
  const size = exampleSize(set.shape);
  const buf = new Float32Array(rows.length * size);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    buf.set(set.x.subarray(r * size, (r + 1) * size), i * size);
  }
  return tf.tensor(buf, [rows.length, ...set.shape]);
}

/** Trainable variables grouped by learning rate. */
function learningRateGroups(model: tf.LayersModel, opts: TrainOptions): Map<number, tf.Variable[]> {
  const groups = new Map<number, tf.Variable[]>();
  for (const layer of model.layers) {
    if (!layer.trainable) continue;
    const lr = opts.layerLearningRates?.[layer.name] ?? opts.learningRate;
    for (const w of layer.trainableWeights) {
      const list = groups.get(lr) ?? [];
      list.push(w.read() as tf.Variable);
      groups.set(lr, list);
    }
  }
  return groups;
}

/** Trains the model's trainable layers in place; every tensor it creates, optimizer state included, is freed. */
export async function train(
  model: tf.LayersModel,
  data: TensorSet,
  opts: TrainOptions,
): Promise<TrainResult> {
  const groups = learningRateGroups(model, opts);
  const vars = [...groups.values()].flat();
  if (vars.length === 0) throw new Error('train: the model has no trainable weights');
  const optimizers = new Map([...groups.keys()].map((lr) => [lr, tf.train.adam(lr)]));
  const random = seededRandom(opts.seed);
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
            data.numClasses,
          );
          const { value, grads } = tf.variableGrads(() => {
            const probs = model.apply(xb, { training: true }) as tf.Tensor;
            const ce = tf.metrics.categoricalCrossentropy(yb, probs).mean() as tf.Scalar;
            const l2sp = opts.l2sp;
            if (!l2sp || l2sp.lambda === 0) return ce;
            const terms = vars.flatMap((v) => {
              const w0 = l2sp.anchors.get(v.name);
              return w0 ? [v.sub(w0).square().sum()] : [];
            });
            return terms.length === 0 ? ce : ce.add(tf.addN(terms).mul(l2sp.lambda / 2));
          }, vars);
          for (const [lr, groupVars] of groups) {
            optimizers
              .get(lr)!
              .applyGradients(groupVars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
          }
          return value;
        });
        const value = (await loss.data())[0]!;
        loss.dispose();
        if (!Number.isFinite(value))
          throw new Error(`train: loss became ${value} in epoch ${epoch + 1}`);
        batchLosses.push(value);
        sum += value * rows.length;
      }
      epochLosses.push(sum / n);
      opts.onEpoch?.(epoch, sum / n);
      if (opts.stopBelowLoss !== undefined && sum / n < opts.stopBelowLoss) break;
    }
  } finally {
    for (const o of optimizers.values()) o.dispose();
  }
  return { epochLosses, batchLosses };
}

/** Runs `model` on every example in batches and returns the outputs as one flat array. */
export async function predictAll(
  model: tf.LayersModel,
  data: Pick<TensorSet, 'x' | 'shape'>,
  batchSize = 250,
): Promise<{ values: Float32Array; shape: number[] }> {
  const size = exampleSize(data.shape);
  const n = data.x.length / size;
  let out: Float32Array | null = null;
  let outShape: number[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const y = tf.tidy(
      () =>
        model.predict(
          tf.tensor(data.x.subarray(start * size, (start + count) * size), [count, ...data.shape]),
        ) as tf.Tensor,
    );
    const values = (await y.data()) as Float32Array;
    if (!out) {
      outShape = y.shape.slice(1);
      out = new Float32Array(n * exampleSize(outShape));
    }
    out.set(values, start * exampleSize(outShape));
    y.dispose();
  }
  return { values: out ?? new Float32Array(0), shape: outShape };
}

export interface Evaluation {
  accuracy: number;
  /** Accuracy within each true class, in class order. */
  perClassAccuracy: number[];
  n: number;
}

/** Top-1 accuracy of a classifier on a labelled set. */
export async function evaluate(model: tf.LayersModel, data: TensorSet): Promise<Evaluation> {
  const { values } = await predictAll(model, data);
  const k = data.numClasses;
  const correct = new Array<number>(k).fill(0);
  const total = new Array<number>(k).fill(0);
  data.labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[i * k + c]! > values[i * k + best]!) best = c;
    total[label]!++;
    if (best === label) correct[label]!++;
  });
  const n = data.labels.length;
  return {
    accuracy: correct.reduce((a, b) => a + b, 0) / n,
    perClassAccuracy: correct.map((c, i) => c / Math.max(1, total[i]!)),
    n,
  };
}
