#!/usr/bin/env node
// Quick check of the bundled photo backbone on the photo sample: pooled features
// (global_average_pooling2d, 1280-d) of every image, then 5-fold cross-validated
// nearest-centroid and logistic-regression accuracy.
//
//   node scripts/tm-backbone/quick-check.mjs [--range -1,1|0,1]...
//
// Pure-JS tfjs on the cpu backend; PNGs decoded with pngjs. Folds are stratified and fixed
// (image i of a class goes to fold i mod 5).

import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODEL_DIR = join(ROOT, 'public/models/mobilenet-v2-035');
const SAMPLE_DIR = join(ROOT, 'public/samples/photos');
const FOLDS = 5;

function loadModel() {
  return tf.loadLayersModel({
    load: async () => {
      const json = JSON.parse(readFileSync(join(MODEL_DIR, 'model.json'), 'utf8'));
      const bin = readFileSync(join(MODEL_DIR, json.weightsManifest[0].paths[0]));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      };
    },
  });
}

/** RGB pixels in [lo, hi] as a [224, 224, 3] float array. */
function readImage(path, [lo, hi]) {
  const png = PNG.sync.read(readFileSync(path));
  if (png.width !== 224 || png.height !== 224)
    throw new Error(`${path}: ${png.width}×${png.height}`);
  const out = new Float32Array(224 * 224 * 3);
  for (let p = 0; p < 224 * 224; p++) {
    for (let c = 0; c < 3; c++) out[p * 3 + c] = lo + ((hi - lo) * png.data[p * 4 + c]) / 255;
  }
  return out;
}

function nearestCentroid(train, test, classes) {
  const dim = train[0].x.length;
  const centroids = classes.map((_, k) => {
    const rows = train.filter((r) => r.y === k);
    const c = new Float64Array(dim);
    for (const r of rows) for (let j = 0; j < dim; j++) c[j] += r.x[j] / rows.length;
    return c;
  });
  return test.map((r) => {
    let best = 0;
    let bestD = Infinity;
    centroids.forEach((c, k) => {
      let d = 0;
      for (let j = 0; j < dim; j++) d += (r.x[j] - c[j]) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    });
    return best;
  });
}

/** Multinomial logistic regression on standardised features, full-batch gradient descent. */
function logisticRegression(train, test, classes, { epochs = 300, lr = 0.5, l2 = 1e-3 } = {}) {
  const dim = train[0].x.length;
  const K = classes.length;
  const mean = new Float64Array(dim);
  const sd = new Float64Array(dim);
  for (const r of train) for (let j = 0; j < dim; j++) mean[j] += r.x[j] / train.length;
  for (const r of train)
    for (let j = 0; j < dim; j++) sd[j] += (r.x[j] - mean[j]) ** 2 / train.length;
  for (let j = 0; j < dim; j++) sd[j] = Math.sqrt(sd[j]) + 1e-6;
  const z = (x) => Float64Array.from(x, (v, j) => (v - mean[j]) / sd[j]);
  const X = train.map((r) => z(r.x));
  const W = Array.from({ length: K }, () => new Float64Array(dim));
  const b = new Float64Array(K);
  const scores = (x) => {
    const s = W.map((w, k) => w.reduce((acc, wj, j) => acc + wj * x[j], b[k]));
    const m = Math.max(...s);
    const e = s.map((v) => Math.exp(v - m));
    const t = e.reduce((a, v) => a + v, 0);
    return e.map((v) => v / t);
  };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gW = Array.from({ length: K }, () => new Float64Array(dim));
    const gb = new Float64Array(K);
    X.forEach((x, i) => {
      const p = scores(x);
      for (let k = 0; k < K; k++) {
        const g = (p[k] - (train[i].y === k ? 1 : 0)) / X.length;
        gb[k] += g;
        for (let j = 0; j < dim; j++) gW[k][j] += g * x[j];
      }
    });
    for (let k = 0; k < K; k++) {
      b[k] -= lr * gb[k];
      for (let j = 0; j < dim; j++) W[k][j] -= lr * (gW[k][j] + l2 * W[k][j]);
    }
  }
  return test.map((r) => {
    const p = scores(z(r.x));
    return p.indexOf(Math.max(...p));
  });
}

async function main() {
  await tf.setBackend('cpu');
  const args = process.argv.slice(2);
  const ranges = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--range') ranges.push(args[++i].split(',').map(Number));
  }
  if (ranges.length === 0) ranges.push([-1, 1]);
  const manifest = JSON.parse(readFileSync(join(SAMPLE_DIR, 'manifest.json'), 'utf8'));
  const classes = manifest.classes.map((c) => c.name);
  const items = manifest.classes.flatMap((c, y) =>
    c.files.map((f, i) => ({ path: join(SAMPLE_DIR, c.name, f), y, fold: i % FOLDS })),
  );
  const model = await loadModel();
  for (const range of ranges) {
    const t0 = Date.now();
    const rows = [];
    for (let i = 0; i < items.length; i += 8) {
      const batch = items.slice(i, i + 8);
      const x = tf.tensor4d(
        batch.flatMap((it) => Array.from(readImage(it.path, range))),
        [batch.length, 224, 224, 3],
      );
      const y = model.predict(x);
      const data = await y.data();
      batch.forEach((it, j) => rows.push({ ...it, x: data.slice(j * 1280, (j + 1) * 1280) }));
      tf.dispose([x, y]);
    }
    const seconds = (Date.now() - t0) / 1000;
    const result = {};
    for (const [name, fit] of [
      ['nearest centroid', nearestCentroid],
      ['logistic regression', logisticRegression],
    ]) {
      let right = 0;
      const perFold = [];
      for (let f = 0; f < FOLDS; f++) {
        const train = rows.filter((r) => r.fold !== f);
        const test = rows.filter((r) => r.fold === f);
        const pred = fit(train, test, classes);
        const ok = pred.filter((p, i) => p === test[i].y).length;
        right += ok;
        perFold.push(ok / test.length);
      }
      result[name] = { accuracy: right / rows.length, perFold };
    }
    console.log(
      `range [${range}]: ${rows.length} images, ${classes.length} classes, features in ${seconds.toFixed(1)} s`,
    );
    for (const [name, r] of Object.entries(result)) {
      console.log(
        `  ${name}: ${(100 * r.accuracy).toFixed(1)}% (folds ${r.perFold.map((a) => (100 * a).toFixed(0)).join(', ')})`,
      );
    }
  }
}

await main();
