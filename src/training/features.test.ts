import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractFeatures } from './features';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function tinyCnn(): tf.LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
  model.add(tf.layers.batchNormalization());
  model.add(tf.layers.globalAveragePooling2d({}));
  return model;
}

describe('extractFeatures', () => {
  it('matches predict() on the scaled pixels, in batches, and frees its tensors', async () => {
    const model = tinyCnn();
    const images = Array.from({ length: 5 }, (_, k) => Uint8Array.from({ length: 8 * 8 * 3 }, (_, i) => (i * 7 + k * 31) % 256));
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const out = await extractFeatures(model, { images, size: 8, valueRange: [0, 1], batchSize: 2, onProgress: (d) => progress.push(d) });
    expect(tf.memory().numTensors).toBe(before);
    expect(out?.dim).toBe(4);
    expect(progress).toEqual([2, 4, 5]);
    const expected = tf.tidy(() => {
      const x = tf.tensor4d(images.flatMap((im) => Array.from(im)), [5, 8, 8, 3]).div(255);
      return (model.predict(x) as tf.Tensor).dataSync();
    });
    expect(Array.from(out!.features).map((v) => +v.toFixed(5))).toEqual(Array.from(expected).map((v) => +v.toFixed(5)));
    model.dispose();
  });

  it('returns null when stopped', async () => {
    const model = tinyCnn();
    const out = await extractFeatures(model, { images: [new Uint8Array(192)], size: 8, valueRange: [-1, 1], shouldStop: () => true });
    expect(out).toBeNull();
    model.dispose();
  });
});
