import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNsfwjsMobileNetV2 } from './bundled-models';
import { buildModel, featureExtractor } from '../src/model/load';
import { describeLayers } from '../src/model/inspect';
import { catalogEntry } from '../src/model/catalog';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bundled MobileNetV2', () => {
  it('unwraps into a standard layers model.json with one weight file', () => {
    const files = readNsfwjsMobileNetV2();
    const json = JSON.parse(files.modelJson) as { format: string; weightsManifest: { paths: string[]; weights: { quantization?: unknown }[] }[] };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual(['group1-shard1of1.bin']);
    // Quantisation is kept so tfjs dequantises on load.
    expect(json.weightsManifest[0]?.weights.every((w) => w.quantization)).toBe(true);
    expect(files.weights.get('group1-shard1of1.bin')?.byteLength).toBeGreaterThan(2_000_000);
  });

  it('loads, drops its head at flatten_1, and gives 1280-d features for any image', async () => {
    const files = readNsfwjsMobileNetV2();
    const json = JSON.parse(files.modelJson) as tf.io.ModelJSON;
    const weightData = files.weights.get('group1-shard1of1.bin')!;
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
    };
    const before = tf.memory().numTensors;
    const full = await buildModel(artifacts);
    const entry = catalogEntry('mobilenet-v2')!;
    const extractor = featureExtractor(full, entry.featureLayer);
    const layers = describeLayers(extractor);
    expect(layers[layers.length - 1]?.name).toBe('flatten_1');
    expect(layers.some((l) => l.className === 'Dense')).toBe(false);
    expect(layers.find((l) => l.name === 'Conv1')).toMatchObject({ className: 'Conv2D', outputShape: '112×112×32', params: 864 });
    const features = tf.tidy(() => extractor.predict(tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 1)) as tf.Tensor);
    expect(features.shape).toEqual([1, 1280]);
    const values = await features.data();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0);
    features.dispose();
    full.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
