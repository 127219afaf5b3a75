import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stratifiedSplit } from '../data/split';
import { DEFAULT_PARAMS } from '../domain';
import { trainWithPlan } from './engine';
import { adapterWeights, buildClassifier, saveClassifier, tmInput } from '../model/classifier';
import { MemoryImages } from '../data/image-set';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 8;

async function tinyArtifacts(channels: 1 | 3): Promise<tf.io.ModelArtifacts> {
  const input = tf.input({ shape: [SIDE, SIDE, channels], name: 'input' });
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const c1 = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      name: 'c1',
      kernelInitializer: init(1),
    })
    .apply(input) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(c1) as tf.SymbolicTensor;
  const c2 = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      activation: 'relu',
      name: 'c2',
      kernelInitializer: init(2),
    })
    .apply(bn) as tf.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c2) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: pool });
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return saved!;
}

function images(n: number): { images: Uint8Array[]; labels: number[] } {
  const out: Uint8Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    out.push(
      Uint8Array.from(
        { length: SIDE * SIDE * 3 },
        (_, j) => ((j % 3 === c ? 200 : 40) + i * 7 + j) % 256,
      ),
    );
    labels.push(c);
  }
  return { images: out, labels };
}

describe('the exported classifier', () => {
  it('maps Teachable Machine input (x/127 − 1) to the range the network was trained on', () => {
    const { kernel, bias } = adapterWeights({ channels: 3, valueRange: [0, 1] });
    // x = 254: u = 1 → v should be 254/255.
    const u = 254 / 127 - 1;
    expect(kernel[0]! * u + bias[0]!).toBeCloseTo(254 / 255, 6);
    expect(kernel[1]).toBe(0);
    const grey = adapterWeights({ channels: 1, valueRange: [-1, 1] });
    // Mean of R, G, B = 127 in [-1, 1]: 127/127.5 − 1.
    const v = [0, 1, 2].reduce((a, c) => a + grey.kernel[c]! * (127 / 127 - 1), 0) + grey.bias[0]!;
    expect(v).toBeCloseTo((127 / 255) * 2 - 1, 6);
  });

  for (const channels of [3, 1] as const) {
    it(`predicts what the studio predicted, with the fine-tuned weights (${channels} channel${channels === 1 ? '' : 's'}), and survives save and load`, async () => {
      const artifacts = await tinyArtifacts(channels);
      const data = images(30);
      const split = stratifiedSplit(data.labels, 0.2, 1, 0.3);
      const spec = { size: SIDE, channels, valueRange: [0, 1] as [number, number] };
      const result = await trainWithPlan({
        artifacts,
        spec,
        plan: { modes: { c2: 'fine-tune', bn: 'fine-tune' }, featureLayer: 'pool' },
        params: {
          ...DEFAULT_PARAMS,
          epochs: 3,
          batchSize: 8,
          fineTuneLearningRate: 0.01,
          learningRate: 0.05,
        },
        images: new MemoryImages(data.images, 8),
        labels: data.labels,
        numClasses: 3,
        split,
        cacheKey: 'k',
        cache: null,
        cacheBudgetBytes: 1e9,
        backends: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
        shouldStop: () => false,
        onPrefixProgress: () => {},
        onBatches: () => {},
        onEpoch: () => {},
      });
      expect(result.weights.layers.map((l) => l.name).sort()).toEqual([
        'bn/beta',
        'bn/gamma',
        'bn/moving_mean',
        'bn/moving_variance',
        'c2/bias',
        'c2/kernel',
      ]);
      const before = tf.memory().numTensors;
      const classifier = await buildClassifier({
        artifacts,
        spec,
        featureLayer: 'pool',
        weights: result.weights,
      });
      const test = split.test.map((i) => data.images[i]!);
      const probs = tf.tidy(() => classifier.predict(tmInput(test, SIDE)) as tf.Tensor2D);
      const top = probs.argMax(1);
      const predicted = Array.from(await top.data());
      top.dispose();
      expect(predicted).toEqual(result.predictions.test);
      const total = probs.sum(1);
      const sums = Array.from(await total.data());
      total.dispose();
      sums.forEach((s) => expect(s).toBeCloseTo(1, 5));

      const files = await saveClassifier(classifier);
      const json = JSON.parse(files.modelJson);
      const back = await tf.loadLayersModel(
        tf.io.fromMemory({
          modelTopology: json.modelTopology,
          weightSpecs: json.weightsManifest[0].weights,
          weightData: files.weights,
        }),
      );
      const again = tf.tidy(() => back.predict(tmInput(test, SIDE)) as tf.Tensor2D);
      const diff = tf.tidy(() => again.sub(probs).abs().max());
      expect((await diff.data())[0]).toBeLessThan(1e-6);
      tf.dispose([probs, again, diff]);
      back.dispose();
      classifier.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
