import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryImages } from '../data/image-set';
import { stratifiedSplit } from '../data/split';
import { DEFAULT_PARAMS } from '../domain';
import { classifyImages, flipAveraged, flipImages } from '../model/classifier';
import { trainWithPlan, type EngineRun } from './engine';
import { flipAveragedClasses } from './tta';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 8;

/** conv (not mirror-symmetric) → pool → dense softmax, on 8×8 RGB. */
function tinyNet(): tf.LayersModel {
  const input = tf.input({ shape: [SIDE, SIDE, 3], name: 'input' });
  const conv = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      activation: 'relu',
      name: 'conv',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      units: 3,
      activation: 'softmax',
      name: 'head',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
    })
    .apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** `n` images of `side`×`side` RGB, bright on the left (class 0) or on the right (class 1), with noise. */
function leftRight(n: number, side = SIDE): { images: Uint8Array[]; labels: number[] } {
  let s = 9;
  const rand = () => (s = (s * 16807) % 2147483647) % 50;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const img = new Uint8Array(side * side * 3);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++)
        for (let ch = 0; ch < 3; ch++)
          img[(y * side + x) * 3 + ch] = (x < side / 2 === (c === 0) ? 190 : 30) + rand();
    images.push(img);
    labels.push(c);
  }
  return { images, labels };
}

/** The same uint8 image mirrored left to right. */
function mirrored(img: Uint8Array, side: number): Uint8Array {
  const out = new Uint8Array(img.length);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      for (let ch = 0; ch < 3; ch++)
        out[(y * side + (side - 1 - x)) * 3 + ch] = img[(y * side + x) * 3 + ch]!;
  return out;
}

describe('flip test-time augmentation', () => {
  it('flips the width axis only', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const f = flipImages(x);
    expect(Array.from(f.dataSync())).toEqual([3, 2, 1, 6, 5, 4]);
    tf.dispose([x, f]);
  });

  it('averages the softmax of an image and of its mirror image, exactly, and frees every tensor', async () => {
    const model = tinyNet();
    const x = tf.randomUniform([4, SIDE, SIDE, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const baseline = tf.memory().numTensors;
    const predict = (t: tf.Tensor4D) => model.predict(t) as tf.Tensor2D;
    const averaged = flipAveraged(predict, x);
    expect(tf.memory().numTensors).toBe(baseline + 1);
    const [a, b] = tf.tidy(() => [predict(x), predict(flipImages(x))]);
    const mean = Array.from(a!.dataSync()).map((v, i) => (v + b!.dataSync()[i]!) / 2);
    const got = Array.from(averaged.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 6));
    // The network is not mirror-symmetric: averaging really changed something.
    expect(got.some((v, i) => Math.abs(v - a!.dataSync()[i]!) > 1e-3)).toBe(true);
    tf.dispose([averaged, a!, b!, x]);
    model.dispose();
  });

  it('Predict with the flip: the mean of the probabilities of each file and of its mirrored pixels', async () => {
    const model = tinyNet();
    const { images } = leftRight(5);
    const baseline = tf.memory().numTensors;
    const averaged = await classifyImages(model, images, SIDE, true);
    const plain = await classifyImages(model, images, SIDE);
    const mirror = await classifyImages(
      model,
      images.map((img) => mirrored(img, SIDE)),
      SIDE,
    );
    expect(tf.memory().numTensors).toBe(baseline);
    averaged.forEach((p, i) =>
      p.forEach((v, j) => expect(v).toBeCloseTo((plain[i]![j]! + mirror[i]![j]!) / 2, 6)),
    );
    model.dispose();
  });

  it('flipAveragedClasses: plain classes from the head on the features, flipped ones from the mean', async () => {
    // Features: the mean of each image's left half and right half (1 channel); the head says
    // "left" when the left half is brighter. A mirror image swaps the two.
    const { images, labels } = leftRight(6);
    const head = {
      kernel: new Float32Array([1, -1, -1, 1]),
      bias: new Float32Array([0, 0]),
      mean: new Float32Array([0, 0]),
      std: new Float32Array([1, 1]),
      featureDim: 2,
      numClasses: 2,
    };
    let pixels: Uint8Array[] = [];
    const baseline = tf.memory().numTensors;
    const out = await flipAveragedClasses(
      {
        load: async (idx) => void (pixels = idx.map((i) => images[i]!)),
        images: () =>
          tf.stack(
            pixels.map((p) => tf.tensor3d(p, [SIDE, SIDE, 3], 'float32').div(255)),
          ) as tf.Tensor4D,
        features: (x) => {
          const grey = x.mean(3);
          const left = grey.slice([0, 0, 0], [-1, -1, SIDE / 2]).mean([1, 2]);
          const right = grey.slice([0, 0, SIDE / 2], [-1, -1, SIDE / 2]).mean([1, 2]);
          return tf.stack([left, right], 1).mul(10) as tf.Tensor2D;
        },
        head,
      },
      [0, 1, 2, 3, 4, 5],
      4,
    );
    expect(tf.memory().numTensors).toBe(baseline);
    expect(out.plain).toEqual(labels);
    // Exactly mirror-symmetric scores: the mean of the two softmaxes is ½, ½ — a tie, so argmax picks class 0.
    expect(out.flipped).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe('trainWithPlan with test-time augmentation', () => {
  async function run(testTimeAugmentation: boolean) {
    const source = tinyNet();
    let artifacts: tf.io.ModelArtifacts | null = null;
    await source.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    source.dispose();
    const data = leftRight(40);
    const engineRun: EngineRun = {
      artifacts: artifacts!,
      spec: { size: SIDE, channels: 3, valueRange: [0, 1] },
      plan: { featureLayer: 'flat', modes: {} },
      images: new MemoryImages(data.images, SIDE),
      labels: data.labels,
      numClasses: 2,
      split: stratifiedSplit(data.labels, 0.25, 1, 0.25),
      params: {
        ...DEFAULT_PARAMS,
        learningRate: 0.01,
        epochs: 8,
        batchSize: 8,
        testTimeAugmentation,
      },
      cacheKey: 'm@d',
      cache: null,
      cacheBudgetBytes: 1e9,
      backends: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
      shouldStop: () => false,
      onPrefixProgress: () => {},
      onBatches: () => {},
      onEpoch: () => {},
    };
    return { result: await trainWithPlan(engineRun), data, split: engineRun.split };
  }

  it('reports flip-averaged predictions and the plain ones, which match a run without it; frees every tensor', async () => {
    const baseline = tf.memory().numTensors;
    const plain = await run(false);
    const flip = await run(true);
    expect(tf.memory().numTensors).toBe(baseline);
    expect(plain.result.unflipped).toBeUndefined();
    expect(flip.result.unflipped).toEqual(plain.result.predictions);
    // Left vs right is exactly what a mirror image swaps: the plain head gets it, the flip
    // average cannot — the proof that the flip is horizontal and really applied.
    const accuracy = (pred: number[]) =>
      pred.filter((p, i) => p === flip.data.labels[flip.split.test[i]!]).length / pred.length;
    expect(accuracy(plain.result.predictions.test)).toBeGreaterThan(0.9);
    expect(accuracy(flip.result.predictions.test)).toBeLessThan(0.75);
  });
});
