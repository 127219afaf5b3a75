/**
 * The one preprocessing step from stored images to a model's input: the dataset keeps
 * uint8 RGB at the model's input size; the model card says how many channels and which
 * value range the network expects.
 */
import * as tf from '@tensorflow/tfjs';

export interface InputSpec {
  size: number;
  channels: 1 | 3;
  valueRange: [number, number];
}

/** uint8 RGB images (each size×size×3) → float input [n, size, size, channels]. */
export function toModelInput(images: readonly Uint8Array[], spec: InputSpec): tf.Tensor4D {
  const { size, channels, valueRange } = spec;
  const pixels = size * size * 3;
  const bytes = new Uint8Array(images.length * pixels);
  images.forEach((img, i) => bytes.set(img, i * pixels));
  const [lo, hi] = valueRange;
  return tf.tidy(() => {
    let x = tf.tensor4d(bytes, [images.length, size, size, 3], 'int32').toFloat();
    // Grayscale networks get the mean of R, G and B.
    if (channels === 1) x = x.mean(3, true);
    return x.mul((hi - lo) / 255).add(lo) as tf.Tensor4D;
  });
}
