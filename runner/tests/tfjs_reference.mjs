// Writes a tfjs layers model at another input size, plus tfjs' outputs at one layer:
//   node tfjs_reference.mjs MODEL OUT_DIR SIZE LAYER
// MODEL: a model.json path, or "nsfwjs" for the MobileNetV2 inside the npm package nsfwjs
// (uint8-quantised Keras weights, as the studio bundles it). OUT_DIR gets model.json,
// weights.bin and reference.json (random inputs in [0, 1) + the outputs at LAYER).
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [source, outDir, sizeArg, layer] = process.argv.slice(2);
const size = Number(sizeArg);
let topology;
let weights;
let data;
if (source === 'nsfwjs') {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const root = join(dirname(require.resolve('nsfwjs')), '..', '..');
  const dir = join(root, 'dist', 'models', 'mobilenet_v2');
  const json = require(join(dir, 'model.min.js'));
  topology = structuredClone(json.modelTopology);
  weights = json.weightsManifest[0].weights;
  data = Buffer.from(require(join(dir, 'group1-shard1of1.min.js')), 'base64');
} else {
  const json = JSON.parse(readFileSync(source, 'utf8'));
  topology = structuredClone(json.modelTopology);
  weights = json.weightsManifest.flatMap((g) => g.weights);
  data = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(source), p)))),
  );
}
for (const l of (topology.model_config ?? topology).config.layers) {
  if (l.class_name === 'InputLayer') l.config.batch_input_shape = [null, size, size, 3];
  // A final 7×7 pooling covers the whole map at 224 px: size/32 at this size (as the studio's resize).
  if (l.class_name === 'AveragePooling2D' && l.config.pool_size[0] === 7)
    l.config.pool_size = l.config.strides = [size / 32, size / 32];
}
mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'model.json'),
  JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights }] }),
);
writeFileSync(join(outDir, 'weights.bin'), data);
await tf.setBackend('cpu');
const model = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: topology,
    weightSpecs: weights,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
  }),
);
let s = 7;
const random = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
const x = tf.tensor(Float32Array.from({ length: size * size * 3 }, random), [1, size, size, 3]);
const y = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output }).predict(x);
const t = (v) => ({ shape: v.shape, data: Array.from(v.dataSync()) });
writeFileSync(join(outDir, 'reference.json'), JSON.stringify({ layer, inputs: t(x), outputs: t(y) }));
