/** Runs images through a frozen feature extractor in inference mode, batch by batch. */
import * as tf from '@tensorflow/tfjs';

export interface ExtractOptions {
  /** uint8 RGB images, each size×size×3. */
  images: readonly Uint8Array[];
  size: number;
  /** Pixel value range the model expects; bytes are mapped linearly from [0, 255]. */
  valueRange: [number, number];
  batchSize?: number;
  onProgress?: (done: number) => void;
  shouldStop?: () => boolean;
}

/** Returns the features of every image, row-major (N × dim), or null when stopped. */
export async function extractFeatures(
  extractor: tf.LayersModel,
  { images, size, valueRange, batchSize = 16, onProgress, shouldStop }: ExtractOptions,
): Promise<{ features: Float32Array; dim: number } | null> {
  const [lo, hi] = valueRange;
  const pixels = size * size * 3;
  let features: Float32Array | null = null;
  let dim = 0;
  for (let start = 0; start < images.length; start += batchSize) {
    if (shouldStop?.()) return null;
    const batch = images.slice(start, start + batchSize);
    const bytes = new Uint8Array(batch.length * pixels);
    batch.forEach((img, i) => bytes.set(img, i * pixels));
    const out = tf.tidy(() => {
      const x = tf
        .tensor4d(bytes, [batch.length, size, size, 3], 'int32')
        .toFloat()
        .mul((hi - lo) / 255)
        .add(lo);
      // predict() runs every layer in inference mode: BatchNorm uses its moving statistics.
      const y = extractor.predict(x) as tf.Tensor;
      return y.reshape([batch.length, -1]);
    });
    const values = (await out.data()) as Float32Array;
    dim = out.shape[1] as number;
    out.dispose();
    features ??= new Float32Array(images.length * dim);
    features.set(values, start * dim);
    onProgress?.(Math.min(images.length, start + batch.length));
  }
  return { features: features ?? new Float32Array(0), dim };
}
