/** Folded conv + batch norm (+ ReLU) blocks compute what the layers compute, and only where they may. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FOLD, layerGraph, runSteps } from './graph';
import { buildModel } from './load';
import { resizeArtifacts } from './resize';
import { readArtifacts } from '../../scripts/teaching/studio-run';

/** The bundled photo backbone, read from public/ the way the studio's scripts read it. */
const photoArtifacts = () => readArtifacts(join(__dirname, '../../public/models/mobilenet-v2-035'));

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** Every variant the fold handles, and two it must leave alone. */
function smallNet(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3] });
  let x = tf.layers
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, strides: 2, useBias: true })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ scale: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', useBias: false })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ center: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  // The convolution's output is also read by the Add: no fold here.
  const c = tf.layers.conv2d({ filters: 12, kernelSize: 1 }).apply(x) as tf.SymbolicTensor;
  const b = tf.layers.batchNormalization().apply(c) as tf.SymbolicTensor;
  x = tf.layers.add().apply([b, c]) as tf.SymbolicTensor;
  // A ReLU capped at 3 stays a layer of its own; the batch norm before it still folds.
  x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 3 }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  // Statistics and affine terms away from the identity, so a wrong fold shows.
  let seed = 10;
  for (const layer of model.layers)
    if (layer.getClassName() === 'BatchNormalization')
      layer.setWeights(
        layer
          .getWeights()
          .map((w, i, all) =>
            i === all.length - 1
              ? tf.randomUniform(w.shape, 0.3, 2, 'float32', seed++)
              : tf.randomUniform(w.shape, -0.8, 0.8, 'float32', seed++),
          ),
      );
  return model;
}

/** The kernels one run executes (its output disposed). */
async function kernelsOf(run: () => tf.Tensor): Promise<string[]> {
  const p = await tf.profile(() => {
    tf.tidy(run).dispose();
  });
  return p.kernels.map((k) => k.name);
}

function expectClose(a: tf.Tensor, b: tf.Tensor, tolerance: number): void {
  expect(a.shape).toEqual(b.shape);
  const [scale, diff] = tf.tidy(() => [
    tf.max(tf.abs(b)).dataSync()[0]!,
    tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!,
  ]);
  expect(scale).toBeGreaterThan(0.01);
  expect(diff).toBeLessThanOrEqual(tolerance * scale);
}

describe('folded convolution blocks', () => {
  it.each(['cpu', 'wasm'])(
    'give the layers’ output on a net with every variant (%s)',
    async (backend) => {
      await tf.setBackend(backend);
      const model = smallNet();
      const graph = layerGraph(model);
      const end = graph.steps.length - 1;
      const x = tf.randomUniform([2, 12, 12, 3], -1, 1, 'float32', 3);
      const before = tf.memory().numTensors;
      const plain = tf.tidy(() => runSteps(graph, x, 0, end, () => false));
      const folded = tf.tidy(() => runSteps(graph, x, 0, end, () => false, FOLD));
      expectClose(folded, plain, 1e-5);
      // Three of the four batch norms fold; the one whose convolution feeds the Add stays.
      const plainKernels = await kernelsOf(() => runSteps(graph, x, 0, end, () => false));
      const foldedKernels = await kernelsOf(() => runSteps(graph, x, 0, end, () => false, FOLD));
      expect(plainKernels.filter((k) => k === 'FusedBatchNorm')).toHaveLength(4);
      expect(foldedKernels.filter((k) => k === 'FusedBatchNorm')).toHaveLength(1);
      expect(foldedKernels).not.toContain('PadV2');
      tf.dispose([plain, folded]);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
      await tf.setBackend('cpu');
    },
  );

  it('never fold a layer that trains, nor past the last step asked for', async () => {
    const model = smallNet();
    const graph = layerGraph(model);
    const x = tf.randomUniform([2, 12, 12, 3], -1, 1, 'float32', 4);
    const bn = graph.steps.findIndex((s) => s.layer.getClassName() === 'BatchNormalization');
    const firstConv = graph.steps[bn - 1]!.layer;
    // The first convolution in training mode: its block runs layer by layer.
    const training = (l: tf.layers.Layer) => l === firstConv;
    const kernels = await kernelsOf(() =>
      runSteps(graph, x, 0, graph.steps.length - 1, training, FOLD),
    );
    expect(kernels.filter((k) => k === 'FusedBatchNorm')).toHaveLength(2);
    // Stopping at the convolution gives the convolution's own output.
    const conv = bn - 1;
    const plain = tf.tidy(() => runSteps(graph, x, 0, conv, () => false));
    const folded = tf.tidy(() => runSteps(graph, x, 0, conv, () => false, FOLD));
    expectClose(folded, plain, 1e-6);
    tf.dispose([plain, folded, x]);
    model.dispose();
  });

  it('give MobileNetV2’s features to within float rounding, with no batch norm kernel left', async () => {
    await tf.setBackend('wasm');
    const net = await buildModel(resizeArtifacts(photoArtifacts(), 64));
    const graph = layerGraph(net);
    const end = graph.steps.findIndex((s) => s.layer.name === 'global_average_pooling2d');
    const x = tf.randomUniform([2, 64, 64, 3], -1, 1, 'float32', 5);
    const plain = tf.tidy(() => runSteps(graph, x, 0, end, () => false));
    const folded = tf.tidy(() => runSteps(graph, x, 0, end, () => false, FOLD));
    expectClose(folded, plain, 1e-4);
    const kernels = await kernelsOf(() => runSteps(graph, x, 0, end, () => false, FOLD));
    expect(kernels).not.toContain('FusedBatchNorm');
    expect(kernels).not.toContain('ClipByValue');
    tf.dispose([plain, folded, x]);
    net.dispose();
    await tf.setBackend('cpu');
  });
});
