/**
 * Seeded image augmentation for training batches: random horizontal flip, random
 * crop-and-resize and random brightness shift, on images already in the model's value
 * range. Deterministic for a seed, so a run can be repeated exactly. Augmented batches
 * cannot come from the frozen-prefix cache (DESIGN.md §5): the engine must recompute them.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from './split';

export interface AugmentOptions {
  flip: boolean;
  crop: boolean;
  brightness: boolean;
  /** The model's input range [lo, hi] (InputSpec.valueRange); outputs stay inside it. */
  valueRange: readonly [number, number];
}

/** What happens to one image; drawn whether or not each option is on. */
export interface ImageAugmentation {
  flip: boolean;
  /** Normalised crop box [y1, x1, y2, x2] as tf.image.cropAndResize takes it. */
  box: [number, number, number, number];
  /** Brightness shift as a fraction of (hi − lo), in [−MAX_SHIFT, MAX_SHIFT]. */
  shift: number;
}

/** Smallest crop side, as a fraction of the image side. */
export const MIN_CROP = 0.8;
/** Largest brightness shift, as a fraction of the value range. */
export const MAX_SHIFT = 0.1;

/**
 * Per-image random choices for a batch of `count` images. Each image always takes five
 * draws (flip, crop side, crop top, crop left, shift), so switching one option off does not
 * change what the others do for the same seed.
 */
export function drawAugmentations(seed: number, count: number): ImageAugmentation[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const flip = random() < 0.5;
    const side = MIN_CROP + (1 - MIN_CROP) * random();
    const top = (1 - side) * random();
    const left = (1 - side) * random();
    const shift = MAX_SHIFT * (2 * random() - 1);
    return { flip, box: [top, left, top + side, left + side], shift };
  });
}

/**
 * Augments a batch [n, h, w, c]; returns a new tensor the caller owns (the input is kept).
 * Flip mirrors left–right with p = 0.5 per image; crop takes a window of the image's aspect
 * ratio, 80–100% of each side, at a random position and resizes it back bilinearly; brightness
 * adds up to ±10% of the range and clips to it.
 */
export function augmentBatch(x: tf.Tensor4D, seed: number, opts: AugmentOptions): tf.Tensor4D {
  const [lo, hi] = opts.valueRange;
  if (!(hi > lo)) throw new RangeError(`The value range [${lo}, ${hi}] is empty.`);
  if (!opts.flip && !opts.crop && !opts.brightness) return x.clone();
  const [n, h, w] = x.shape;
  const draws = drawAugmentations(seed, n);
  return tf.tidy(() => {
    let y = x.toFloat() as tf.Tensor4D;
    if (opts.flip) {
      const mask = tf.tensor4d(
        draws.map((d) => (d.flip ? 1 : 0)),
        [n, 1, 1, 1],
        'bool',
      );
      y = tf.where(mask, tf.image.flipLeftRight(y), y) as tf.Tensor4D;
    }
    if (opts.crop) {
      const boxes = tf.tensor2d(
        draws.map((d) => d.box),
        [n, 4],
      );
      const boxInd = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
      y = tf.image.cropAndResize(y, boxes, boxInd, [h, w], 'bilinear');
    }
    if (opts.brightness) {
      const shifts = tf.tensor4d(
        draws.map((d) => d.shift * (hi - lo)),
        [n, 1, 1, 1],
      );
      y = y.add(shifts) as tf.Tensor4D;
    }
    // Bilinear resampling stays in range up to rounding; the brightness shift does not.
    return opts.crop || opts.brightness ? (y.clipByValue(lo, hi) as tf.Tensor4D) : y;
  });
}
