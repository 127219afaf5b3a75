/** Forward passes without gradients over a list of samples: loss and accuracy, or predicted classes. */
import * as tf from '@tensorflow/tfjs';

/** Splits a list into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface Scorer {
  /** Brings the given samples' inputs within reach before `logits` is called on them (images read from storage). */
  load?: (indices: readonly number[]) => Promise<void>;
  /** Class scores for the given samples, inference mode (called inside a tidy). */
  logits: (indices: readonly number[]) => tf.Tensor2D;
  /** One-hot labels of the given samples. */
  labels: (indices: readonly number[]) => tf.Tensor2D;
  /** Mean data loss of a batch. */
  loss: (labels: tf.Tensor2D, logits: tf.Tensor2D) => tf.Scalar;
}

/** Mean loss and accuracy over `indices`, in batches. */
export async function lossAndAccuracy(
  scorer: Scorer,
  indices: readonly number[],
  batchSize: number,
): Promise<{ loss: number; accuracy: number }> {
  let lossSum = 0;
  let hits = 0;
  for (const idx of chunks(indices, batchSize)) {
    await scorer.load?.(idx);
    const [l, h] = tf.tidy(() => {
      const y = scorer.labels(idx);
      const z = scorer.logits(idx);
      return [scorer.loss(y, z).mul(idx.length), z.argMax(1).equal(y.argMax(1)).sum()];
    });
    lossSum += (await l!.data())[0]!;
    hits += (await h!.data())[0]!;
    tf.dispose([l!, h!]);
  }
  const n = Math.max(1, indices.length);
  return { loss: lossSum / n, accuracy: hits / n };
}

/** The predicted class of each sample, in batches. */
export async function predictClasses(
  scorer: Pick<Scorer, 'logits' | 'load'>,
  indices: readonly number[],
  batchSize: number,
): Promise<number[]> {
  const out: number[] = [];
  for (const idx of chunks(indices, batchSize)) {
    await scorer.load?.(idx);
    const p = tf.tidy(() => scorer.logits(idx).argMax(1));
    out.push(...(await p.data()));
    p.dispose();
  }
  return out;
}
