import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelJson } from './model-files';
import { QUICK_SETTINGS, pretrainTeachingCnn, type ModelCard } from './pretrain';

const dir = mkdtempSync(join(tmpdir(), 'teaching-cnn-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('pretrainTeachingCnn --quick', () => {
  it('trains with falling loss and writes a model that loads back with the same predictions, plus its card', async () => {
    const result = await pretrainTeachingCnn(QUICK_SETTINGS, dir);
    const tensorsAfterTraining = tf.memory().numTensors;

    // 300 images, 1 epoch, batch 16: 19 steps, the loss falls from ln 5.
    const losses = result.batchLosses;
    expect(losses).toHaveLength(
      Math.ceil((5 * QUICK_SETTINGS.imagesPerClass) / QUICK_SETTINGS.batchSize),
    );
    expect(meanOf(losses.slice(-5))).toBeLessThan(meanOf(losses.slice(0, 5)) - 0.02);

    // model.json + weights.bin are a standard layers model.
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const bytes = readFileSync(join(dir, 'weights.bin'));
    expect(bytes.byteLength).toBe(result.model.countParams() * 4);
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0]!.weights,
        weightData: bytes.buffer.slice(
          bytes.byteOffset,
          bytes.byteOffset + bytes.byteLength,
        ) as ArrayBuffer,
      }),
    );
    expect(loaded.layers.map((l) => l.name)).toEqual([
      'image',
      'conv1',
      'conv2',
      'pool1',
      'conv3',
      'conv4',
      'pool2',
      'conv5',
      'global_pool',
      'fc',
      'head',
    ]);
    expect(loaded.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 7);
    const [a, b] = [result.model, loaded].map((m) => (m.predict(x) as tf.Tensor).dataSync());
    expect(a!.length).toBe(8 * 5);
    a!.forEach((v, i) => expect(Math.abs(v - b![i]!)).toBeLessThan(1e-6));
    x.dispose();
    loaded.dispose();
    result.model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(tensorsAfterTraining);

    // The card says what the model is and how well it did, with numbers that were measured.
    const card = JSON.parse(readFileSync(join(dir, 'model-card.json'), 'utf8')) as ModelCard;
    for (const key of [
      'name',
      'input',
      'sourceClasses',
      'trainingImagesPerClass',
      'epochs',
      'batchSize',
      'optimizer',
      'learningRate',
      'seed',
      'backend',
      'wallTimeSeconds',
      'sourceTestAccuracy',
      'sourceTestImages',
      'featureLayer',
    ] as const) {
      expect(card[key], key).toBeDefined();
    }
    expect(card.input).toMatchObject({
      shape: [28, 28, 1],
      color: 'grayscale',
      valueRange: [0, 1],
    });
    expect(card.sourceClasses.map((c) => c.name)).toEqual([
      'T-shirt/top',
      'Trouser',
      'Coat',
      'Sandal',
      'Bag',
    ]);
    expect(card.trainingImagesPerClass).toBe(60);
    expect(card.epochs).toBe(1);
    expect(card.sourceTestImages).toBe(5 * 40);
    expect(card.sourceTestAccuracy).toBeGreaterThanOrEqual(0);
    expect(card.sourceTestAccuracy).toBeLessThanOrEqual(1);
    expect(card.backend).toMatch(/^wasm/);
    expect(card.wallTimeSeconds.training).toBeGreaterThan(0);
    expect(card.featureLayer).toBe('global_pool');
  });
});
