import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIXELS_LAYER } from '../domain';
import { layerGraph } from '../model/graph';
import {
  nearestCentroidAccuracy,
  pixelFeatures,
  pixelSide,
  probe,
  probeSplits,
  smallestClass,
  splitAccuracies,
  topLayer,
} from './probe';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('nearestCentroidAccuracy', () => {
  it('scores separable classes perfectly and shuffled labels near chance', () => {
    const dim = 2;
    const rows = 40;
    const features = new Float32Array(rows * dim);
    const labels: number[] = [];
    for (let r = 0; r < rows; r++) {
      labels.push(r % 2);
      features[r * dim] = (r % 2) * 10 + (r % 5) * 0.1;
      features[r * dim + 1] = r % 7;
    }
    const fit = Array.from({ length: 20 }, (_, i) => i);
    const score = Array.from({ length: 20 }, (_, i) => i + 20);
    expect(nearestCentroidAccuracy(features, dim, labels, 2, fit, score)).toBe(1);
    const noise = labels.map((_, i) => Math.floor(i / 2) % 2);
    expect(nearestCentroidAccuracy(features, dim, noise, 2, fit, score)).toBeLessThan(0.8);
  });
});

describe('pixel baseline and splits', () => {
  it('averages the input over k×k blocks down to at most 32 px a side', () => {
    expect(pixelSide(28)).toBe(28);
    expect(pixelSide(224)).toBe(32);
    expect(pixelSide(96)).toBe(32);
    expect(pixelSide(160)).toBe(32);
    // Two 64×64 images: the left half dark, the right half bright; grey input in [0, 1].
    const img = Uint8Array.from({ length: 64 * 64 * 3 }, (_, i) =>
      Math.floor(i / 3) % 64 < 32 ? 0 : 255,
    );
    const x = pixelFeatures([img, img], { size: 64, channels: 1, valueRange: [0, 1] });
    expect(x.shape).toEqual([2, 32 * 32]);
    const row = Array.from(x.dataSync().slice(0, 32));
    x.dispose();
    expect(row.slice(0, 16).every((v) => v === 0)).toBe(true);
    expect(row.slice(16).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  it('makes distinct, seeded, stratified half/half splits', () => {
    const labels = Array.from({ length: 40 }, (_, i) => i % 4);
    const a = probeSplits(labels, 10, 3);
    expect(a).toEqual(probeSplits(labels, 10, 3));
    expect(a).toHaveLength(10);
    expect(new Set(a.map((s) => s.fit.join(','))).size).toBe(10);
    for (const s of a) {
      expect([...s.fit, ...s.score].sort((x, y) => x - y)).toEqual(labels.map((_, i) => i));
      for (let c = 0; c < 4; c++) {
        expect(s.fit.filter((i) => labels[i] === c)).toHaveLength(5);
        expect(s.score.filter((i) => labels[i] === c)).toHaveLength(5);
      }
    }
    expect(probeSplits(labels, 10, 4)[0]).not.toEqual(a[0]);
  });

  it('scores every split on its own halves', () => {
    // Feature 0 separates the classes except for rows 0 and 1, which sit with the other class.
    const labels = [0, 1, 0, 1, 0, 1, 0, 1];
    const features = Float32Array.from(labels.map((l, i) => (i < 2 ? 1 - l : l)));
    const splits = [
      { fit: [2, 3, 4, 5], score: [0, 1, 6, 7] },
      { fit: [0, 1, 2, 3, 4, 5], score: [6, 7] },
    ];
    const acc = splitAccuracies(features, 1, labels, 2, splits);
    expect(acc[0]).toBe(0.5);
    expect(acc[1]).toBe(1);
    expect(smallestClass(labels, 2)).toBe(4);
    expect(smallestClass([0, 0, 1], 3)).toBe(0);
  });
});

describe('top layer', () => {
  it('looks past the feature layer to the last weighted layer before the source head', async () => {
    const input = tf.input({ shape: [4, 4, 1] });
    let x = tf.layers
      .conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'c1' })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dense({ units: 3, name: 'fc' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.dropout({ rate: 0.5, name: 'drop' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .dense({ units: 2, activation: 'softmax', name: 'head' })
      .apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: x });
    const graph = layerGraph(model);
    const name = (i: number) => graph.steps[i]!.layer.name;
    const at = (n: string) => graph.steps.findIndex((s) => s.layer.name === n);
    expect(name(topLayer(graph, at('pool')))).toBe('fc');
    // A network without a head: the feature layer is the top.
    expect(name(topLayer(graph, at('head')))).toBe('head');
    model.dispose();
  });
});

describe('probe', () => {
  it('scores the pixels, block boundaries and the top features on the same splits, and frees its tensors', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const c1 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' })
      .apply(input) as tf.SymbolicTensor;
    const c2 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c2' })
      .apply(c1) as tf.SymbolicTensor;
    const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c2) as tf.SymbolicTensor;
    const fc = tf.layers
      .dense({ units: 3, activation: 'relu', name: 'fc' })
      .apply(pool) as tf.SymbolicTensor;
    const head = tf.layers
      .dense({ units: 2, activation: 'softmax', name: 'head' })
      .apply(fc) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: head });
    // "Pretrained" weights that see nothing: every kernel and bias zero, so every layer's
    // features are constant while the pixels separate the classes.
    for (const name of ['c1', 'c2', 'fc'])
      model.getLayer(name).setWeights(
        model
          .getLayer(name)
          .getWeights()
          .map((w) => tf.zerosLike(w)),
      );
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => (
          (artifacts = a),
          { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }
        ),
      ),
    );
    model.dispose();
    // Class 0 dark, class 1 bright, with some texture.
    const images = Array.from({ length: 12 }, (_, i) =>
      Uint8Array.from({ length: 192 }, (_, j) => (i % 2) * 150 + 30 + ((i * 7 + j * 13) % 40)),
    );
    const labels = images.map((_, i) => i % 2);
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const result = await probe({
      artifacts: artifacts!,
      spec: { size: 8, channels: 3, valueRange: [0, 1] },
      featureLayer: 'pool',
      images,
      labels,
      numClasses: 2,
      seed: 1,
      splits: 4,
      onProgress: (done, total) => progress.push(done / total),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result!.map((r) => [r.layer, r.source])).toEqual([
      [PIXELS_LAYER, 'pixels'],
      ['c1', 'layer'],
      ['c2', 'layer'],
      ['pool', 'layer'],
      ['fc', 'top'],
    ]);
    expect(result!.map((r) => r.depth)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    for (const r of result!) {
      expect(r.splits).toHaveLength(4);
      expect(r.perClass).toBe(6);
    }
    // Blind features: chance (ties go to one class). Pixels: dark vs bright is easy.
    expect(result![0]!.splits.every((a) => a === 1)).toBe(true);
    for (const r of result!.slice(1)) expect(r.splits.every((a) => a <= 0.6)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });
});
