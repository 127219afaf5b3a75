/**
 * The photo sample (public/samples/photos/, manifest.json) as the studio holds a dataset:
 * uint8 RGB images at the model's input size and one label per image. PNGs are decoded
 * with pngjs and composited over black, as the studio's canvas decoder does.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

export interface PhotoSample {
  classNames: string[];
  /** size×size×3 uint8 RGB per image. */
  images: Uint8Array[];
  labels: number[];
  size: number;
}

interface Manifest {
  classes: { name: string; files: string[] }[];
}

/** RGBA bytes → RGB bytes, each pixel drawn over black (premultiplied by its alpha). */
export function rgbOverBlack(rgba: Uint8Array, pixels: number): Uint8Array {
  const rgb = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    const a = rgba[p * 4 + 3]!;
    for (let c = 0; c < 3; c++) {
      const v = rgba[p * 4 + c]!;
      rgb[p * 3 + c] = a === 255 ? v : Math.round((v * a) / 255);
    }
  }
  return rgb;
}

/** Reads every image of the sample at its stored size (224 px). */
export function readPhotoSample(dir: string): PhotoSample {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  let size = 0;
  manifest.classes.forEach((c, label) => {
    for (const file of c.files) {
      const png = PNG.sync.read(readFileSync(join(dir, c.name, file)));
      if (png.width !== png.height) throw new Error(`${c.name}/${file} is not square`);
      if (size && png.width !== size) throw new Error(`${c.name}/${file}: ${png.width} px`);
      size = png.width;
      images.push(rgbOverBlack(png.data, png.width * png.height));
      labels.push(label);
    }
  });
  return { classNames: manifest.classes.map((c) => c.name), images, labels, size };
}

/** The same images at another side (bilinear); for timing smaller inputs. */
export function resizeSample(sample: PhotoSample, size: number): PhotoSample {
  if (size === sample.size) return sample;
  const images = sample.images.map((img) =>
    tf.tidy(() => {
      const x = tf.tensor3d(img, [sample.size, sample.size, 3], 'int32').toFloat();
      const y = tf.image.resizeBilinear(x, [size, size], true).round().clipByValue(0, 255);
      return new Uint8Array(y.dataSync());
    }),
  );
  return { ...sample, images, size };
}
