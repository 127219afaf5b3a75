import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandNested } from './expand';
import { layerGraph } from './graph';
import { artifactsOf } from './artifacts-of';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const build = (a: tf.io.ModelArtifacts) => tf.loadLayersModel(tf.io.fromMemory(a));

/** Fixed inputs (a seeded pattern), so both models see the same values. */
function fixedInput(shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.9),
    shape,
  );
}

/** Builds both, checks the flat one lists `names` and computes exactly what the nested one does. */
async function expectSameNetwork(
  artifacts: tf.io.ModelArtifacts,
  names: string[] | null,
  inputShape: number[],
): Promise<tf.LayersModel> {
  const { artifacts: flat, opened } = expandNested(artifacts);
  expect(opened.length).toBeGreaterThan(0);
  // Weights are shared, not copied: the very same buffer.
  expect(flat.weightData).toBe(artifacts.weightData);
  const nested = await build(artifacts);
  const expanded = await build(flat);
  if (names) expect(expanded.layers.map((l) => l.name)).toEqual(names);
  expect(expanded.countParams()).toBe(nested.countParams());
  expect(expanded.layers.some((l) => l instanceof tf.LayersModel)).toBe(false);
  const x = fixedInput(inputShape);
  const a = nested.predict(x) as tf.Tensor;
  const b = expanded.predict(x) as tf.Tensor;
  expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
  tf.dispose([x, a, b]);
  nested.dispose();
  return expanded;
}

describe('expandNested', () => {
  it('opens a Sequential of Sequentials (base + head) into its inner layers', async () => {
    const base = tf.sequential({
      name: 'base',
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, name: 'c1' }),
        tf.layers.batchNormalization({ name: 'bn1' }),
        tf.layers.globalAveragePooling2d({ name: 'pool' }),
      ],
    });
    const head = tf.sequential({
      name: 'head',
      layers: [
        tf.layers.dense({ inputShape: [4], units: 5, activation: 'relu', name: 'd1' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'd2' }),
      ],
    });
    const outer = tf.sequential({ name: 'outer', layers: [base, head] });
    const artifacts = await artifactsOf(outer);
    expect(outer.layers).toHaveLength(2);
    const { opened } = expandNested(artifacts);
    expect(opened.map((o) => [o.name, o.layers])).toEqual([
      ['base', ['c1_input', 'c1', 'bn1', 'pool']],
      ['head', ['d1', 'd2']],
    ]);
    const flat = await expectSameNetwork(
      artifacts,
      ['c1_input', 'c1', 'bn1', 'pool', 'd1', 'd2'],
      [2, 8, 8, 3],
    );
    // Every inner layer can be cut after (a chain), and the weights keep their names.
    expect(layerGraph(flat).cut.every(Boolean)).toBe(true);
    expect(flat.getLayer('bn1').getWeights()).toHaveLength(4);
    flat.dispose();
    outer.dispose();
  });

  it('opens a functional model with a residual block inside a Sequential, keeping the block', async () => {
    const x = tf.input({ shape: [6, 6, 2], name: 'img' });
    const c = tf.layers
      .conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'conv' })
      .apply(x) as tf.SymbolicTensor;
    const add = tf.layers.add({ name: 'block_add' }).apply([c, x]) as tf.SymbolicTensor;
    const relu = tf.layers.reLU({ name: 'out_relu' }).apply(add) as tf.SymbolicTensor;
    const body = tf.model({ inputs: x, outputs: relu, name: 'body' });
    const outer = tf.sequential({
      name: 'outer',
      layers: [
        body,
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
        tf.layers.dense({ units: 2, name: 'fc' }),
      ],
    });
    const flat = await expectSameNetwork(
      await artifactsOf(outer),
      ['img', 'conv', 'block_add', 'out_relu', 'gap', 'fc'],
      [3, 6, 6, 2],
    );
    // The skip connection makes "after conv" no cut point, exactly as in a flat network.
    const cuts = layerGraph(flat).cut;
    expect(flat.layers.map((l, i) => [l.name, cuts[i]])).toEqual([
      ['img', true],
      ['conv', false],
      ['block_add', true],
      ['out_relu', true],
      ['gap', true],
      ['fc', true],
    ]);
    flat.dispose();
    outer.dispose();
  });

  it('opens a functional model inside a functional model, nested twice', async () => {
    const xi = tf.input({ shape: [5], name: 'inner_in' });
    const inner = tf.model({
      inputs: xi,
      outputs: tf.layers
        .dense({ units: 4, activation: 'tanh', name: 'inner_fc' })
        .apply(xi) as tf.SymbolicTensor,
      name: 'inner',
    });
    const xm = tf.input({ shape: [5], name: 'mid_in' });
    const m1 = inner.apply(xm) as tf.SymbolicTensor;
    const mid = tf.model({
      inputs: xm,
      outputs: tf.layers.dense({ units: 3, name: 'mid_fc' }).apply(m1) as tf.SymbolicTensor,
      name: 'mid',
    });
    const xo = tf.input({ shape: [5], name: 'outer_in' });
    const pre = tf.layers.dense({ units: 5, name: 'pre' }).apply(xo) as tf.SymbolicTensor;
    const o = mid.apply(pre) as tf.SymbolicTensor;
    const skip = tf.layers.dense({ units: 3, name: 'skip' }).apply(xo) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([o, skip]) as tf.SymbolicTensor;
    const outer = tf.model({ inputs: xo, outputs: sum, name: 'outer' });
    const artifacts = await artifactsOf(outer);
    const { opened } = expandNested(artifacts);
    expect(opened.map((m) => [m.name, m.depth])).toEqual([
      ['mid', 1],
      ['inner', 2],
    ]);
    const flat = await expectSameNetwork(artifacts, null, [4, 5]);
    expect(flat.layers.map((l) => l.name).sort()).toEqual(
      ['outer_in', 'pre', 'inner_fc', 'mid_fc', 'skip', 'sum'].sort(),
    );
    flat.dispose();
    outer.dispose();
  });

  it('opens a Sequential holding a Sequential holding a Sequential', async () => {
    const innermost = tf.sequential({
      name: 'innermost',
      layers: [tf.layers.dense({ inputShape: [3], units: 4, name: 'a' })],
    });
    const middle = tf.sequential({
      name: 'middle',
      layers: [innermost, tf.layers.dense({ units: 4, name: 'b' })],
    });
    const outer = tf.sequential({
      name: 'outer',
      layers: [middle, tf.layers.dense({ units: 2, name: 'c' })],
    });
    const flat = await expectSameNetwork(
      await artifactsOf(outer),
      ['a_input', 'a', 'b', 'c'],
      [2, 3],
    );
    flat.dispose();
    outer.dispose();
  });

  it('leaves a model with nothing nested untouched', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'only' })],
    });
    const artifacts = await artifactsOf(model);
    const result = expandNested(artifacts);
    expect(result.artifacts).toBe(artifacts);
    expect(result.opened).toEqual([]);
    expect(result.keptNested).toBeNull();
    model.dispose();
  });

  it('keeps a model closed when two inner layers share a name, and says why', async () => {
    const a = tf.sequential({
      name: 'first',
      layers: [tf.layers.dense({ inputShape: [3], units: 3, name: 'same' })],
    });
    const artifacts = await artifactsOf(
      tf.sequential({ name: 'outer', layers: [a, tf.layers.dense({ units: 2, name: 'x' })] }),
    );
    const topology = structuredClone(artifacts.modelTopology) as {
      config: { layers: { config: { name: string } }[] };
    };
    topology.config.layers[1]!.config.name = 'same';
    const result = expandNested({ ...artifacts, modelTopology: topology });
    expect(result.opened).toEqual([]);
    expect(result.keptNested).toMatch(/both named "same"/);
  });

  it('strips a nested model name in front of Keras-converted weight names', async () => {
    const base = tf.sequential({
      name: 'base',
      layers: [tf.layers.dense({ inputShape: [3], units: 3, name: 'fc' })],
    });
    const outer = tf.sequential({ name: 'outer', layers: [base] });
    const artifacts = await artifactsOf(outer);
    const prefixed = {
      ...artifacts,
      weightSpecs: artifacts.weightSpecs!.map((w) => ({ ...w, name: `base/${w.name}` })),
    };
    const { artifacts: flat } = expandNested(prefixed);
    expect(flat.weightSpecs!.map((w) => w.name)).toEqual(['fc/kernel', 'fc/bias']);
    const model = await build(flat);
    expect(model.layers.map((l) => l.name)).toEqual(['fc_input', 'fc']);
    model.dispose();
    outer.dispose();
  });
});

describe('expandNested on a real Teachable Machine export', () => {
  const dir = 'scripts/tm-backbone/export-sample';

  function tmArtifacts(): tf.io.ModelArtifacts {
    const json = JSON.parse(readFileSync(`${dir}/model.json`, 'utf8')) as {
      modelTopology: object;
      weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
    };
    const bin = readFileSync(`${dir}/weights.bin`);
    return {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      format: 'layers-model',
    };
  }

  it('lists MobileNetV2 layer by layer and computes exactly what the nested export does', async () => {
    const artifacts = tmArtifacts();
    const { opened } = expandNested(artifacts);
    expect(opened.map((o) => [o.name, o.className, o.depth])).toEqual([
      ['sequential_13', 'Sequential', 1],
      ['model4', 'Model', 2],
      ['sequential_15', 'Sequential', 1],
    ]);
    const flat = await expectSameNetwork(artifacts, null, [2, 224, 224, 3]);
    const names = flat.layers.map((l) => l.name);
    expect(names).toHaveLength(155 + 1 + 2);
    expect(names.slice(0, 3)).toEqual(['input_1', 'Conv1_pad', 'Conv1']);
    expect(names.slice(-4)).toEqual([
      'out_relu',
      'global_average_pooling2d_GlobalAveragePooling2D4',
      'dense_Dense7',
      'dense_Dense8',
    ]);
    // Block boundaries are cut points; the inside of a residual block is not.
    const graph = layerGraph(flat);
    const cut = (name: string) => graph.cut[names.indexOf(name)];
    expect(cut('block_2_add')).toBe(true);
    expect(cut('block_2_project_BN')).toBe(false);
    expect(cut('global_average_pooling2d_GlobalAveragePooling2D4')).toBe(true);
    expect(flat.getLayer('global_average_pooling2d_GlobalAveragePooling2D4').outputShape).toEqual([
      null,
      1280,
    ]);
    flat.dispose();
  }, 60_000);
});
