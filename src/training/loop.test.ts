import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, stratifiedSplit } from '../data/split';
import { DEFAULT_PARAMS, type TrainParams } from '../domain';
import { DivergedError, rowsTensor, trainClassifier, type ClassifierTrainingInput } from './loop';

/** Three Gaussian blobs in 8-d: a classifier can separate them, a constant one cannot. */
function blobs(perClass: number, seed: number) {
  const random = mulberry32(seed);
  const dim = 8;
  const labels: number[] = [];
  const features = new Float32Array(perClass * 3 * dim);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < perClass; i++) {
      const row = c * perClass + i;
      labels.push(c);
      for (let d = 0; d < dim; d++)
        features[row * dim + d] = (d % 3 === c ? 2 : 0) + (random() - 0.5);
    }
  }
  return { features, labels, dim };
}

function input(
  overrides: Partial<ClassifierTrainingInput> & { features?: Float32Array } = {},
  params: Partial<TrainParams> = {},
): ClassifierTrainingInput {
  const data = blobs(20, 1);
  const features = overrides.features ?? data.features;
  const { labels, dim } = data;
  return {
    batch: (idx) => rowsTensor(features, dim, [dim], idx),
    body: (x) => x as tf.Tensor2D,
    featureDim: dim,
    labels,
    numClasses: 3,
    split: stratifiedSplit(labels, 0.2, 5),
    params: { ...DEFAULT_PARAMS, learningRate: 0.05, epochs: 8, batchSize: 8, seed: 3, ...params },
    ...overrides,
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainClassifier (head on cached features)', () => {
  it('lowers the loss, beats chance, and frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    const result = await trainClassifier(input());
    expect(tf.memory().numTensors).toBe(before);
    const first = result.history[0]!;
    const last = result.history[result.history.length - 1]!;
    expect(result.epochsRun).toBe(8);
    expect(last.trainLoss).toBeLessThan(first.trainLoss * 0.7);
    expect(last.valAccuracy).toBeGreaterThan(0.9);
    expect(result.kernel).toHaveLength(8 * 3);
  });

  it('reports batches throttled by the clock and epochs in order', async () => {
    let clock = 0;
    const calls: number[] = [];
    const epochs: number[] = [];
    await trainClassifier(
      input(
        {
          now: () => (clock += 40),
          throttleMs: 100,
          onBatches: (points) => calls.push(points.length),
          onEpoch: (m) => epochs.push(m.epoch),
        },
        { epochs: 2 },
      ),
    );
    // 48 training samples / 8 = 6 batches per epoch; all reported, in fewer calls than batches.
    expect(calls.reduce((a, b) => a + b, 0)).toBe(12);
    expect(calls.length).toBeLessThan(12);
    expect(epochs).toEqual([1, 2]);
  });

  it('is reproducible for a seed', async () => {
    const a = await trainClassifier(input({}, { epochs: 2 }));
    const b = await trainClassifier(input({}, { epochs: 2 }));
    expect(a.history).toEqual(b.history);
  });

  it('stops when asked, keeps what it learned so far, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    let epochsSeen = 0;
    const result = await trainClassifier(
      input(
        { onEpoch: () => (epochsSeen += 1), shouldStop: () => epochsSeen >= 2 },
        { epochs: 50 },
      ),
    );
    expect(result.stopped).toBe(true);
    expect(result.epochsRun).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ends a run whose loss explodes (without becoming NaN) with the rate to blame', async () => {
    const before = tf.memory().numTensors;
    const { features } = blobs(20, 1);
    // Plain SGD at a huge rate on unscaled features: the logits, and so the loss, blow up.
    for (let i = 0; i < features.length; i++) features[i]! *= 1e3;
    const points: number[] = [];
    await expect(
      trainClassifier(
        input(
          { features, onBatches: (p) => points.push(...p.map((q) => q.loss)) },
          { optimizer: 'sgd', learningRate: 1e4, epochs: 3 },
        ),
      ),
    ).rejects.toThrow(
      /diverged: it rose from [\d.]+ to [\d.,e+]+ in epoch 1 — the head's learning rate 10000 is far too high\. Lower the learning rate \(try 10\)/,
    );
    // The batches up to the one that ended the run reach the curve, the climb included.
    expect(points.length).toBeGreaterThan(1);
    expect(Math.max(...points)).toBeGreaterThan(10 * points[0]!);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ends a diverging run with a clear message and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const features = blobs(20, 1).features;
    features.fill(Number.NaN, 0, 8 * 30);
    await expect(trainClassifier(input({ features }, { epochs: 2 }))).rejects.toThrow(
      DivergedError,
    );
    await expect(trainClassifier(input({ features }, { epochs: 2 }))).rejects.toThrow(
      /lower the learning rate/i,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it("stops early on a rising validation loss and hands back the best epoch's weights", async () => {
    const before = tf.memory().numTensors;
    const data = blobs(20, 1);
    // Labels that have nothing to do with the features: the head can only memorise, so
    // validation loss climbs after the first epochs.
    const random = mulberry32(9);
    const noise = data.labels.map(() => Math.floor(random() * 3));
    const result = await trainClassifier(
      input(
        { labels: noise, split: stratifiedSplit(noise, 0.3, 2) },
        {
          epochs: 60,
          learningRate: 0.3,
          earlyStopping: { enabled: true, patience: 3, minDelta: 0 },
        },
      ),
    );
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochsRun).toBeLessThan(60);
    expect(result.bestEpoch).toBe(result.epochsRun - 3);
    // The predictions come from the kept weights: they score exactly the best epoch's accuracy.
    const val = stratifiedSplit(noise, 0.3, 2).validation;
    const hits = result.predictions.validation.filter((p, i) => p === noise[val[i]!]).length;
    expect(hits / val.length).toBeCloseTo(result.history[result.bestEpoch - 1]!.valAccuracy, 9);
    expect(tf.memory().numTensors).toBe(before);
  });
});
