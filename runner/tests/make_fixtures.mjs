// Builds the runner's test fixtures with tfjs (the studio's engine) in Node:
//   node runner/tests/make_fixtures.mjs
// Small tfjs layers models covering every layer type the runner maps, their outputs on
// fixed inputs (tests/fixtures/<name>/{model.json,weights.bin,expected.json}), a tiny
// model + reference outputs for the end-to-end test, and values of the studio's own loss,
// schedule and split functions (src/training/losses.ts, schedule.ts, src/data/split.ts,
// transpiled on the fly) for the Python ports to match.
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const out = join(here, 'fixtures');

await tf.setBackend('cpu');

/** mulberry32, the studio's seeded PRNG (src/data/split.ts). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tensorJson = (t) => ({ shape: t.shape, data: Array.from(t.dataSync()) });

function randomInput(shape, seed, lo = -1, hi = 1) {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => lo + (hi - lo) * r()),
    shape,
  );
}

/** Gives every weight non-trivial values (biases too; BN variances positive). */
function randomizeWeights(model, seed) {
  const r = mulberry32(seed);
  for (const layer of model.layers) {
    const inner = layer.layers ? layer : null;
    if (inner) {
      randomizeWeights(inner, seed + 7);
      continue;
    }
    const values = layer.weights.map((w) => {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const short = w.originalName.split('/').pop();
      const f = (x) =>
        short.startsWith('moving_variance')
          ? 0.5 + x
          : short.startsWith('gamma')
            ? 0.5 + x
            : short.startsWith('moving_mean') || short.startsWith('beta')
              ? x - 0.5
              : (x - 0.5) * 0.8;
      return tf.tensor(Float32Array.from({ length: n }, () => f(r())), w.shape);
    });
    if (values.length > 0) layer.setWeights(values);
  }
}

async function artifactsOf(model) {
  let art;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const data = Array.isArray(art.weightData)
    ? tf.io.concatenateArrayBuffers(art.weightData)
    : art.weightData;
  return { topology: art.modelTopology, specs: art.weightSpecs, data };
}

function writeModel(dir, topology, specs, data) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({
      format: 'layers-model',
      generatedBy: `tfjs-layers ${tf.version.tfjs} (runner/tests/make_fixtures.mjs)`,
      convertedBy: null,
      modelTopology: topology,
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
    }),
  );
  writeFileSync(join(dir, 'weights.bin'), Buffer.from(data));
}

/** Saves a model and its outputs at `layers` (default: the model output) for `input`. */
async function fixture(name, model, input, layers = []) {
  const dir = join(out, name);
  const { topology, specs, data } = await artifactsOf(model);
  writeModel(dir, topology, specs, data);
  const outputs = {};
  const final = model.predict(input);
  outputs[model.outputNames?.[0] ?? model.layers[model.layers.length - 1].name] = tensorJson(final);
  outputs.__output__ = tensorJson(final);
  for (const layer of layers) {
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output });
    outputs[layer] = tensorJson(sub.predict(input));
  }
  writeFileSync(
    join(dir, 'expected.json'),
    JSON.stringify({ input: tensorJson(input), outputs }),
  );
  console.log(`${name}: ${model.layers.map((l) => l.getClassName()).join(', ')}`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 1. Convolutions: stride-2 'same' (asymmetric padding), dilation, an even kernel, valid.
{
  const x = tf.input({ shape: [9, 9, 3], name: 'image' });
  let y = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'c_s2' })
    .apply(x);
  y = tf.layers
    .conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'tanh', useBias: false, name: 'c_dil' })
    .apply(y);
  y = tf.layers
    .conv2d({ filters: 5, kernelSize: 4, strides: 2, padding: 'same', activation: 'sigmoid', name: 'c_k4' })
    .apply(y);
  y = tf.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'valid', name: 'c_valid' }).apply(y);
  y = tf.layers.flatten({ name: 'flat' }).apply(y);
  y = tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(y);
  const model = tf.model({ inputs: x, outputs: y, name: 'conv' });
  randomizeWeights(model, 11);
  await fixture('conv', model, randomInput([2, 9, 9, 3], 1), ['c_s2', 'c_dil', 'c_k4', 'flat']);
}

// 2. MobileNet-style: zero padding, BN with non-trivial statistics, ReLU6, depthwise with a
//    depth multiplier, separable conv, a residual Add, global average pooling.
{
  const x = tf.input({ shape: [8, 8, 3], name: 'image' });
  let y = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'pad' }).apply(x);
  y = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'stem' })
    .apply(y);
  y = tf.layers.batchNormalization({ epsilon: 1e-3, name: 'stem_bn' }).apply(y);
  const r = tf.layers.reLU({ maxValue: 6, name: 'stem_relu' }).apply(y);
  y = tf.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false, name: 'dw' })
    .apply(r);
  y = tf.layers.batchNormalization({ epsilon: 0.01, name: 'dw_bn' }).apply(y);
  y = tf.layers.activation({ activation: 'relu6', name: 'dw_relu' }).apply(y);
  y = tf.layers.conv2d({ filters: 6, kernelSize: 1, name: 'project' }).apply(y);
  y = tf.layers.batchNormalization({ center: false, name: 'project_bn' }).apply(y);
  y = tf.layers.add({ name: 'add' }).apply([r, y]);
  y = tf.layers
    .separableConv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'sep' })
    .apply(y);
  y = tf.layers
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', name: 'dw_s2' })
    .apply(y);
  y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y);
  y = tf.layers.dense({ units: 4, name: 'logits' }).apply(y);
  const model = tf.model({ inputs: x, outputs: y, name: 'mobile' });
  randomizeWeights(model, 22);
  await fixture('mobile', model, randomInput([2, 8, 8, 3], 2, 0, 1), [
    'stem_relu',
    'dw_relu',
    'add',
    'gap',
  ]);
}

// 3. Pooling ('same' max and average on an odd size, valid average, global max),
//    Concatenate on maps and vectors, Rescaling, Reshape, Dense on a rank-3 tensor,
//    LeakyReLU, BN on vectors, Dropout, Activation softmax.
{
  const x = tf.input({ shape: [7, 7, 2], name: 'image' });
  const s = tf.layers.rescaling({ scale: 2, offset: -1, name: 'rescale' }).apply(x);
  const a = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'max_same' }).apply(s);
  const b = tf.layers
    .averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg_same' })
    .apply(s);
  const c = tf.layers.concatenate({ name: 'cat_maps' }).apply([a, b]);
  let y = tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'elu', name: 'mix' }).apply(c);
  y = tf.layers.averagePooling2d({ poolSize: 2, name: 'avg_valid' }).apply(y);
  y = tf.layers.reshape({ targetShape: [4, 4], name: 'reshape' }).apply(y);
  y = tf.layers.dense({ units: 3, name: 'dense_seq' }).apply(y);
  y = tf.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(y);
  y = tf.layers.flatten({ name: 'flat' }).apply(y);
  const g = tf.layers.globalMaxPooling2d({ name: 'gmax' }).apply(c);
  y = tf.layers.concatenate({ name: 'cat_vec' }).apply([y, g]);
  y = tf.layers.batchNormalization({ name: 'vec_bn' }).apply(y);
  y = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(y);
  y = tf.layers.dense({ units: 3, activation: 'tanh', name: 'scores' }).apply(y);
  y = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(y);
  const model = tf.model({ inputs: x, outputs: y, name: 'pool' });
  randomizeWeights(model, 33);
  await fixture('pool', model, randomInput([2, 7, 7, 2], 3, 0, 1), [
    'max_same',
    'avg_same',
    'gmax',
    'reshape',
    'dense_seq',
    'flat',
  ]);
}

// 4. Teachable Machine layout: a Sequential of two Sequentials.
{
  const body = tf.sequential({
    name: 'body',
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', name: 'tm_conv' }),
      tf.layers.batchNormalization({ name: 'tm_bn' }),
      tf.layers.reLU({ maxValue: 6, name: 'tm_relu' }),
      tf.layers.globalAveragePooling2d({ name: 'tm_gap' }),
    ],
  });
  const head = tf.sequential({
    name: 'head',
    layers: [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu', name: 'tm_dense' }),
      tf.layers.dense({ units: 2, activation: 'softmax', name: 'tm_out' }),
    ],
  });
  const model = tf.sequential({ name: 'tm' });
  model.add(body);
  model.add(head);
  randomizeWeights(model, 44);
  await fixture('nested', model, randomInput([2, 6, 6, 3], 4));
}

// 5. A functional model nested in a Sequential.
{
  const i = tf.input({ shape: [5, 5, 2], name: 'inner_image' });
  let y = tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'f_conv' }).apply(i);
  y = tf.layers.depthwiseConv2d({ kernelSize: 2, padding: 'valid', name: 'f_dw' }).apply(y);
  y = tf.layers.reLU({ name: 'f_relu' }).apply(y);
  const inner = tf.model({ inputs: i, outputs: y, name: 'inner_fn' });
  const model = tf.sequential({ name: 'outer' });
  model.add(inner);
  model.add(tf.layers.flatten({ name: 'o_flat' }));
  model.add(tf.layers.dense({ units: 3, name: 'o_dense' }));
  randomizeWeights(model, 55);
  await fixture('nested_functional', model, randomInput([2, 5, 5, 2], 5));
}

// 6. uint8-quantised weights (as in the bundled MobileNetV2): tfjs dequantises on load.
{
  const x = tf.input({ shape: [6, 6, 3], name: 'image' });
  let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'q_conv' }).apply(x);
  y = tf.layers.batchNormalization({ name: 'q_bn' }).apply(y);
  y = tf.layers.globalAveragePooling2d({ name: 'q_gap' }).apply(y);
  y = tf.layers.dense({ units: 2, name: 'q_dense' }).apply(y);
  const model = tf.model({ inputs: x, outputs: y, name: 'quant' });
  randomizeWeights(model, 66);
  const { topology, specs, data } = await artifactsOf(model);
  const floats = new Float32Array(data);
  const qSpecs = [];
  const bytes = [];
  let offset = 0;
  for (const spec of specs) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const w = floats.subarray(offset, offset + n);
    offset += n;
    let min = Math.min(...w);
    const max = Math.max(...w);
    if (max === min) min -= 1;
    const scale = (max - min) / 255;
    bytes.push(Uint8Array.from(w, (v) => Math.round((v - min) / scale)));
    qSpecs.push({ ...spec, quantization: { dtype: 'uint8', min, scale } });
  }
  const qData = tf.io.concatenateArrayBuffers(bytes.map((b) => b.buffer));
  const dir = join(out, 'quantized');
  writeModel(dir, topology, qSpecs, qData);
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: topology, weightSpecs: qSpecs, weightData: qData }),
  );
  const input = randomInput([2, 6, 6, 3], 6);
  const y2 = loaded.predict(input);
  writeFileSync(
    join(dir, 'expected.json'),
    JSON.stringify({ input: tensorJson(input), outputs: { __output__: tensorJson(y2) } }),
  );
  console.log('quantized: uint8 weights');
}

// 7. A model that contains a layer the runner cannot map (for the refusal test).
{
  const x = tf.input({ shape: [4, 4, 1], name: 'image' });
  let y = tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'ok_conv' }).apply(x);
  y = tf.layers.upSampling2d({ size: [2, 2], name: 'upsample' }).apply(y);
  y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y);
  const model = tf.model({ inputs: x, outputs: y, name: 'unmappable' });
  randomizeWeights(model, 88);
  const { topology, specs, data } = await artifactsOf(model);
  writeModel(join(out, 'unmappable'), topology, specs, data);
  console.log('unmappable: UpSampling2D');
}

// 8. End-to-end job model: features at `gap`; the old 3-class head is dropped.
{
  const x = tf.input({ shape: [16, 16, 3], name: 'image' });
  let y = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' }).apply(x);
  y = tf.layers.batchNormalization({ name: 'bn1' }).apply(y);
  y = tf.layers.reLU({ maxValue: 6, name: 'relu1' }).apply(y);
  y = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }).apply(y);
  y = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(y);
  y = tf.layers.dense({ units: 3, activation: 'softmax', name: 'old_head' }).apply(y);
  const model = tf.model({ inputs: x, outputs: y, name: 'e2e' });
  randomizeWeights(model, 77);
  const { topology, specs, data } = await artifactsOf(model);
  const dir = join(out, 'e2e');
  writeModel(join(dir, 'model'), topology, specs, data);
  const input = randomInput([3, 16, 16, 3], 8, -1, 1);
  const features = tf.model({ inputs: model.inputs, outputs: model.getLayer('gap').output });
  writeFileSync(
    join(dir, 'reference.json'),
    JSON.stringify({ layer: 'gap', inputs: tensorJson(input), outputs: tensorJson(features.predict(input)) }),
  );
  console.log('e2e: job model + reference outputs at gap');
}

// 9. The studio's own loss, schedule and split functions, transpiled from src/.
{
  const build = join(out, '.build');
  mkdirSync(build, { recursive: true });
  const load = async (rel) => {
    const source = readFileSync(join(repo, rel), 'utf8');
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const file = join(build, rel.replace(/[/\\]/g, '_').replace(/\.ts$/, '.mjs'));
    writeFileSync(file, js);
    return import(pathToFileURL(file).href);
  };
  const losses = await load('src/training/losses.ts');
  const schedule = await load('src/training/schedule.ts');
  const split = await load('src/data/split.ts');
  rmSync(build, { recursive: true, force: true });

  const scores = [
    [2.0, 1.5, -0.3],
    [0.1, 0.2, 3.0],
    [1.0, 1.0, 1.0],
    [-2.0, 0.5, 0.4],
  ];
  const labels = [0, 2, 1, 1];
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
  const z = tf.tensor2d(scores);
  const w = [tf.tensor([[0.5, -1.0], [2.0, 0.25]]), tf.tensor([0.1, -0.2, 0.3])];
  const w0 = [tf.tensor([[0.0, -1.5], [1.0, 0.25]]), tf.tensor([0.0, 0.0, 1.0])];
  const f = tf.tensor2d([[1, 2, 3], [0, -1, 4]]);
  const f0 = tf.tensor2d([[1.5, 2, 2], [0, 1, 4]]);
  const rates = [];
  for (const [kind, total, base] of [
    ['constant', 10, 0.01],
    ['cosine', 10, 0.01],
    ['cosine', 7, 0.003],
  ]) {
    for (let step = 0; step < total + 2; step++) {
      rates.push({ kind, total, base, step, rate: schedule.learningRateAt(step, total, base, kind) });
    }
  }
  const splitLabels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 0, 1, 2, 2, 2, 1, 0, 3];
  const r = split.mulberry32(1234);
  writeFileSync(
    join(out, 'studio_functions.json'),
    JSON.stringify(
      {
        hinge: { scores, labels, value: losses.multiclassHinge(oneHot, z).dataSync()[0] },
        softmaxCrossEntropy: { scores, labels, value: losses.softmaxCrossEntropy(oneHot, z).dataSync()[0] },
        l2: { weights: w.map((t) => t.arraySync()), lambda: 0.3, value: losses.l2Penalty(w, 0.3).dataSync()[0] },
        l2sp: {
          weights: w.map((t) => t.arraySync()),
          anchors: w0.map((t) => t.arraySync()),
          lambda: 0.7,
          value: losses.l2sp(w, w0, 0.7).dataSync()[0],
        },
        distillation: {
          current: f.arraySync(),
          original: f0.arraySync(),
          value: losses.distillation(f, f0, 'features-l2').dataSync()[0],
        },
        schedule: rates,
        mulberry32: { seed: 1234, values: Array.from({ length: 8 }, () => r()) },
        split: [
          [0.2, 7, 0.2],
          [0.25, 42, 0],
          [0.3, 1, 0.3],
        ].map(([fraction, seed, testFraction]) => ({
          labels: splitLabels,
          fraction,
          seed,
          testFraction,
          split: split.stratifiedSplit(splitLabels, fraction, seed, testFraction),
        })),
      },
      null,
      1,
    ),
  );
  console.log('studio_functions: losses, schedule, split');
}
