import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNsfwjsMobileNetV2 } from './bundled-models';
import { buildModel } from '../src/model/load';
import { resizeArtifacts } from '../src/model/resize';
import { layerGraph } from '../src/model/graph';
import { describeLayers } from '../src/model/inspect';
import { catalogEntry } from '../src/model/catalog';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bundled MobileNetV2', () => {
  it('unwraps into a standard layers model.json with one weight file', () => {
    const files = readNsfwjsMobileNetV2();
    const json = JSON.parse(files.modelJson) as {
      format: string;
      weightsManifest: { paths: string[]; weights: { quantization?: unknown }[] }[];
    };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual(['group1-shard1of1.bin']);
    // Quantisation is kept so tfjs dequantises on load.
    expect(json.weightsManifest[0]?.weights.every((w) => w.quantization)).toBe(true);
    expect(files.weights.get('group1-shard1of1.bin')?.byteLength).toBeGreaterThan(2_000_000);
  });

  function artifacts(): tf.io.ModelArtifacts {
    const files = readNsfwjsMobileNetV2();
    const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
    const weightData = files.weights.get('group1-shard1of1.bin')!;
    return {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer.slice(
        weightData.byteOffset,
        weightData.byteOffset + weightData.byteLength,
      ) as ArrayBuffer,
    };
  }
  const featuresAt = (model: tf.LayersModel, layer: string) =>
    tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });

  it('loads with 1280-d features at flatten_1, the source head after it, and block boundaries as cut points', async () => {
    const before = tf.memory().numTensors;
    const full = await buildModel(artifacts());
    const entry = catalogEntry('mobilenet-v2')!;
    // Its default features come from block 12 (docs/photo-accuracy.md), a cut point.
    expect(entry.featureLayer).toBe('block_12_add');
    const layers = describeLayers(full);
    const names = layers.map((l) => l.name);
    // The source model's head follows the feature layer; the studio cuts it away.
    expect(names.slice(names.indexOf('flatten_1') + 1)).toEqual([
      'dense_1',
      'dropout_2',
      'dense_2',
      'dropout_3',
      'dense_3',
    ]);
    expect(layers.find((l) => l.name === 'Conv1')).toMatchObject({
      className: 'Conv2D',
      outputShape: '112×112×32',
      params: 864,
    });
    const graph = layerGraph(full);
    const cutAt = (name: string) => graph.cut[names.indexOf(name)];
    expect(cutAt('block_5_add')).toBe(true);
    expect(cutAt('block_5_project_BN')).toBe(false); // the skip connection of block 5 crosses here
    expect(cutAt('block_5_depthwise')).toBe(false);
    expect(cutAt('block_6_expand')).toBe(true); // block 6 (stride 2) has no skip connection
    expect(cutAt(entry.featureLayer)).toBe(true);
    const features = tf.tidy(
      () =>
        featuresAt(full, 'flatten_1').predict(
          tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 1),
        ) as tf.Tensor,
    );
    expect(features.shape).toEqual([1, 1280]);
    const values = await features.data();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0);
    features.dispose();
    full.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rebuilds at 128 px with the same weights and still gives 1280-d features', async () => {
    const at224 = await buildModel(artifacts());
    const at128 = await buildModel(resizeArtifacts(artifacts(), 128));
    expect(at128.inputs[0]?.shape).toEqual([null, 128, 128, 3]);
    expect(at128.getLayer('average_pooling2d_1').outputShape).toEqual([null, 1, 1, 1280]);
    const w224 = at224.getWeights();
    const w128 = at128.getWeights();
    expect(w128.length).toBe(w224.length);
    for (let i = 0; i < w224.length; i++) {
      expect(w128[i]!.shape).toEqual(w224[i]!.shape);
      expect(Array.from(await w128[i]!.data())).toEqual(Array.from(await w224[i]!.data()));
    }
    const out = tf.tidy(
      () => featuresAt(at128, 'flatten_1').predict(tf.ones([1, 128, 128, 3])) as tf.Tensor,
    );
    expect(out.shape).toEqual([1, 1280]);
    out.dispose();
    at224.dispose();
    at128.dispose();
  });
});
