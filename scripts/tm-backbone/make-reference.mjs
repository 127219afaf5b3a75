#!/usr/bin/env node
// Reference outputs of the Teachable Machine export's base network, for backbone.test.ts.
//
//   node scripts/tm-backbone/make-reference.mjs
//
// Runs the original export (scripts/tm-backbone/export-sample/, its first layer: the
// nested MobileNetV2 + global pooling) and the extracted model
// (public/models/mobilenet-v2-035/) on fixed pseudo-random inputs in [-1, 1] and writes
// scripts/tm-backbone/reference.json with the export's outputs (first 32 values and the
// sum of each 1280-d vector) and the largest difference to the extracted model.
// Pure-JS tfjs on the cpu backend.

import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const EXPORT_DIR = join(HERE, 'export-sample');
const MODEL_DIR = join(ROOT, 'public/models/mobilenet-v2-035');
export const SEEDS = [1, 2, 3];
export const SIZE = 224;

/** mulberry32: a 32-bit seeded generator, uniform in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SIZE×SIZE×3 values 2u − 1 in HWC order from mulberry32(seed). */
export function inputImage(seed, size = SIZE) {
  const next = mulberry32(seed);
  const data = new Float32Array(size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = 2 * next() - 1;
  return data;
}

function fileHandler(dir, edit = (json) => json) {
  return {
    load: async () => {
      const json = edit(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')));
      const group = json.weightsManifest[0];
      const bin = readFileSync(join(dir, group.paths[0]));
      return {
        modelTopology: json.modelTopology,
        weightSpecs: group.weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        format: json.format,
      };
    },
  };
}

async function main() {
  await tf.setBackend('cpu');
  const exported = await tf.loadLayersModel(fileHandler(EXPORT_DIR));
  const base = exported.layers[0]; // Sequential: the MobileNetV2 Model + GlobalAveragePooling2D
  const extracted = await tf.loadLayersModel(fileHandler(MODEL_DIR));
  const outputs = [];
  let maxAbsDiff = 0;
  for (const seed of SEEDS) {
    const x = tf.tensor4d(inputImage(seed), [1, SIZE, SIZE, 3]);
    const a = await base.predict(x).data();
    const b = await extracted.predict(x).data();
    if (a.length !== 1280 || b.length !== 1280)
      throw new Error(`output sizes ${a.length}, ${b.length}`);
    for (let i = 0; i < a.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a[i] - b[i]));
    outputs.push({
      seed,
      first32: Array.from(a.slice(0, 32)),
      sum: a.reduce((s, v) => s + v, 0),
      nonZero: a.reduce((n, v) => n + (v !== 0 ? 1 : 0), 0),
    });
    x.dispose();
  }
  const meta = JSON.parse(readFileSync(join(EXPORT_DIR, 'metadata.json'), 'utf8'));
  const reference = {
    about:
      'Pooled 1280-d output of the base network of a Teachable Machine image export (first layer of its Sequential), tfjs 4.22 cpu backend.',
    export: {
      dir: 'scripts/tm-backbone/export-sample',
      repo: 'danielcasto/AI-Hackathon-2022',
      path: 'model/',
      commit: '804b5acb4545d09cae393691d6a41fd17c5eb82c',
      tmVersion: meta.tmVersion,
      // The committed copy is byte-for-byte the file in that repository at that commit.
      sha256: Object.fromEntries(
        ['model.json', 'weights.bin', 'metadata.json'].map((f) => [
          f,
          createHash('sha256')
            .update(readFileSync(join(EXPORT_DIR, f)))
            .digest('hex'),
        ]),
      ),
    },
    input: {
      shape: [1, SIZE, SIZE, 3],
      generator: 'mulberry32(seed); value = 2u - 1 in HWC order (make-reference.mjs inputImage)',
      seeds: SEEDS,
    },
    outputs,
    extractedMaxAbsDiff: maxAbsDiff,
  };
  writeFileSync(join(HERE, 'reference.json'), JSON.stringify(reference, null, 1) + '\n');
  console.log(
    `reference.json: ${outputs.length} inputs, extracted vs export max |diff| ${maxAbsDiff}`,
  );
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) await main();
