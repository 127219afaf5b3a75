import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nearestCentroidAccuracy, probe } from './probe';

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

describe('probe', () => {
  it('probes block boundaries with the pretrained weights and with a re-drawn random copy, and frees its tensors', async () => {
    const input = tf.input({ shape: [8, 8, 3] });
    const c1 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' })
      .apply(input) as tf.SymbolicTensor;
    const c2 = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c2' })
      .apply(c1) as tf.SymbolicTensor;
    const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c2) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: pool });
    // "Pretrained" weights that see nothing: every kernel and bias zero. The stored
    // initializers stay Glorot, so the probe's random copy does see the images.
    for (const name of ['c1', 'c2'])
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
    const result = await probe({
      artifacts: artifacts!,
      spec: { size: 8, channels: 3, valueRange: [0, 1] },
      featureLayer: 'pool',
      images,
      labels,
      numClasses: 2,
      seed: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result!.map((r) => r.layer)).toEqual(['c1', 'c2', 'pool']);
    expect(result!.at(-1)!.depth).toBe(1);
    for (const r of result!) {
      // Blind pretrained features: chance (ties go to one class). Random Glorot features: dark vs bright is easy.
      expect(r.pretrained).toBeLessThanOrEqual(0.6);
      expect(r.random).toBeGreaterThanOrEqual(0.9);
    }
  });
});
