// Runs a tfjs layers model (model.json + weight files in a folder) on an input tensor:
//   node tfjs_predict.mjs MODEL_DIR INPUT.json OUTPUT.json
// INPUT.json: {"shape": [...], "data": [...]}; OUTPUT.json gets the same for the output.
// Used by the tests to check that exported models load and predict in tfjs.
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, inputPath, outputPath] = process.argv.slice(2);
await tf.setBackend('cpu');
const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
const all = Buffer.concat(buffers);
const model = await tf.loadLayersModel(
  tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  }),
);
const input = JSON.parse(readFileSync(inputPath, 'utf8'));
const y = model.predict(tf.tensor(input.data, input.shape));
writeFileSync(
  outputPath,
  JSON.stringify({ shape: y.shape, data: Array.from(y.dataSync()), layers: model.layers.map((l) => l.name) }),
);
