#!/usr/bin/env node
// Extracts the base network (Keras MobileNetV2 α=0.35, ImageNet) from a Teachable Machine
// image export into a standalone tfjs layers model.
//
//   node scripts/tm-backbone/extract.mjs <export dir> [out dir]
//       writes model.json, weights.bin and provenance.json into out dir
//       (default public/models/mobilenet-v2-035/)
//   node scripts/tm-backbone/extract.mjs --sha <export dir>...
//       prints the SHA-256 of each export's base weights (all tensors but the head's)
//
// A Teachable Machine image export (model.json + weights.bin + metadata.json) is a
// Sequential of two Sequentials:
//   [0] base: a functional `Model` (truncated MobileNetV2, input_1 … out_relu, 155 layers)
//       followed by GlobalAveragePooling2D → 1280-d
//   [1] head: Dense(100, relu) → Dense(classes, softmax, no bias) — the only part TM trains
// The weight file lists the base's trainable tensors, then the head's, then the base's
// BatchNorm moving statistics. The extracted model keeps the base tensors in that order,
// so its weights.bin is byte-for-byte the base bytes of every export.
//
// Node 20, no dependencies beyond the standard library.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const DEFAULT_OUT = join(ROOT, 'public/models/mobilenet-v2-035');
const EXPORTS_FILE = join(HERE, 'exports.json');

/** Names given to the extracted model, fixed so that any export yields the same files. */
export const MODEL_NAME = 'mobilenetv2_035_224';
export const FEATURE_LAYER = 'global_average_pooling2d';
export const WEIGHTS_FILE = 'weights.bin';

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const isContainer = (layer) => ['Sequential', 'Model', 'Functional'].includes(layer.class_name);
const size = (shape) => shape.reduce((a, b) => a * b, 1);
const BYTES = { float32: 4, int32: 4 };

/** Reads an export directory and splits it into its parts. */
export function readExport(dir) {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const bin = readFileSync(join(dir, 'weights.bin'));
  const top = json.modelTopology.model_config ?? json.modelTopology;
  if (top.class_name !== 'Sequential')
    throw new Error(`${dir}: top level is ${top.class_name}, not Sequential`);
  // The first layer is the base: either the functional model itself or a Sequential that
  // holds it followed by the global pooling (as in every TM image export seen so far).
  let baseSeq = top.config.layers[0];
  let inner = baseSeq;
  let pooling = null;
  if (baseSeq.class_name === 'Sequential') {
    inner = baseSeq.config.layers[0];
    pooling = baseSeq.config.layers[1] ?? null;
    if (baseSeq.config.layers.length > 2)
      throw new Error(`${dir}: base Sequential has ${baseSeq.config.layers.length} layers`);
  }
  if (!['Model', 'Functional'].includes(inner.class_name))
    throw new Error(`${dir}: first layer holds ${inner.class_name}, not a functional Model`);
  if (pooling && pooling.class_name !== 'GlobalAveragePooling2D')
    throw new Error(`${dir}: base ends in ${pooling.class_name}, not GlobalAveragePooling2D`);
  if (inner.config.layers.some(isContainer)) throw new Error(`${dir}: base model is itself nested`);

  const innerNames = new Set(inner.config.layers.map((l) => l.config?.name ?? l.name));
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  if (json.weightsManifest.some((g) => g.paths.length !== 1 || g.paths[0] !== 'weights.bin'))
    throw new Error(`${dir}: expected one weights.bin`);
  let offset = 0;
  const base = [];
  const head = [];
  for (const spec of specs) {
    if (spec.quantization) throw new Error(`${dir}: ${spec.name} is quantised`);
    if (!BYTES[spec.dtype]) throw new Error(`${dir}: ${spec.name} has dtype ${spec.dtype}`);
    const bytes = size(spec.shape) * BYTES[spec.dtype];
    const data = bin.subarray(offset, offset + bytes);
    offset += bytes;
    const layerName = spec.name.slice(0, spec.name.lastIndexOf('/'));
    (innerNames.has(layerName) ? base : head).push({ spec, data });
  }
  if (offset !== bin.length)
    throw new Error(`${dir}: manifest covers ${offset} of ${bin.length} bytes`);
  if (base.some((w) => w.spec.dtype !== 'float32')) throw new Error(`${dir}: base is not float32`);
  const baseBytes = Buffer.concat(base.map((w) => w.data));
  return { json, inner, pooling, base, head, baseBytes, baseSha256: sha256(baseBytes) };
}

/** The base as a top-level functional model ending at the pooled 1280-d features. */
export function baseModelJson(exp) {
  const layers = structuredClone(exp.inner.config.layers);
  const last = exp.inner.config.output_layers[0][0];
  const poolConfig = exp.pooling?.config ?? {};
  layers.push({
    name: FEATURE_LAYER,
    class_name: 'GlobalAveragePooling2D',
    config: {
      data_format: poolConfig.data_format ?? 'channels_last',
      name: FEATURE_LAYER,
      trainable: true,
    },
    inbound_nodes: [[[last, 0, 0, {}]]],
  });
  const modelTopology = {
    class_name: 'Model',
    config: {
      name: MODEL_NAME,
      layers,
      input_layers: exp.inner.config.input_layers,
      output_layers: [[FEATURE_LAYER, 0, 0]],
    },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
  return {
    modelTopology,
    format: 'layers-model',
    generatedBy:
      'scripts/tm-backbone/extract.mjs (base network of a Teachable Machine image export)',
    convertedBy: null,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: exp.base.map((w) => w.spec) }],
  };
}

function extract(exportDir, outDir) {
  const exp = readExport(exportDir);
  const known = JSON.parse(readFileSync(EXPORTS_FILE, 'utf8'));
  for (const e of known.exports) {
    if (e.baseWeightsSha256 !== exp.baseSha256)
      throw new Error(
        `base weights ${exp.baseSha256} differ from ${e.repo}/${e.path} (${e.baseWeightsSha256})`,
      );
  }
  const modelJson = JSON.stringify(baseModelJson(exp)) + '\n';
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.json'), modelJson);
  writeFileSync(join(outDir, WEIGHTS_FILE), exp.baseBytes);
  const inputShape = exp.inner.config.layers[0].config.batch_input_shape;
  const provenance = {
    name: 'MobileNetV2 α=0.35 (Keras Applications, ImageNet), base network of Teachable Machine image exports',
    sha256: { 'model.json': sha256(modelJson), [WEIGHTS_FILE]: sha256(exp.baseBytes) },
    baseWeightsSha256: exp.baseSha256,
    baseWeightsBytes: exp.baseBytes.length,
    weightTensors: exp.base.length,
    parameters: exp.base.reduce((n, w) => n + size(w.spec.shape), 0),
    layers: exp.inner.config.layers.length + 1,
    inputSize: inputShape[1],
    valueRange: [-1, 1],
    featureLayer: FEATURE_LAYER,
    featureSize: 1280,
    mapLayer: exp.inner.config.output_layers[0][0],
    licence: 'Apache-2.0 (Keras Applications ImageNet weights)',
    note: 'Teachable Machine trains only its head; these base tensors are byte-identical in every export listed. Extracted by scripts/tm-backbone/extract.mjs.',
    exports: known.exports,
  };
  writeFileSync(join(outDir, 'provenance.json'), JSON.stringify(provenance, null, 2) + '\n');
  console.log(
    `${outDir}: ${provenance.layers} layers, ${provenance.parameters} parameters, ` +
      `${exp.base.length} tensors (${exp.baseBytes.length} bytes), head dropped: ${exp.head.map((w) => w.spec.name).join(', ')}`,
  );
  console.log(`base weights SHA-256 ${exp.baseSha256}`);
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const args = process.argv.slice(2);
  if (args[0] === '--sha') {
    for (const dir of args.slice(1)) {
      const exp = readExport(dir);
      console.log(
        `${exp.baseSha256}  ${exp.base.length} tensors ${exp.baseBytes.length} bytes  ${dir}`,
      );
    }
  } else if (args.length >= 1 && args.length <= 2) {
    extract(args[0], args[1] ?? DEFAULT_OUT);
  } else {
    console.error('usage: extract.mjs <export dir> [out dir] | extract.mjs --sha <export dir>...');
    process.exit(2);
  }
}
