import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryImages } from '../data/image-set';
import { stratifiedSplit } from '../data/split';
import { DEFAULT_PARAMS, type LayerMode, type LrPoint, type TrainParams } from '../domain';
import { trainWithPlan, type EngineRun, type PrefixCache } from './engine';
import { findLearningRate, type LrFindRun } from './lr-find';
import { smoother, suggestRate, sweepRate } from './lr-suggest';
import { artifactsOf } from '../model/artifacts-of';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** conv → BN → relu → conv (`filters` features) → pool → dense (the source head), 8×8 RGB. */
function tinyNet(filters: number): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [8, 8, 3], name: 'input' });
  const c1 = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      name: 'conv1',
      kernelInitializer: init(1),
    })
    .apply(input) as tf.SymbolicTensor;
  const b1 = tf.layers.batchNormalization({ name: 'bn1' }).apply(c1) as tf.SymbolicTensor;
  const r1 = tf.layers.reLU({ name: 'relu1' }).apply(b1) as tf.SymbolicTensor;
  const c2 = tf.layers
    .conv2d({
      filters,
      kernelSize: 3,
      activation: 'relu',
      name: 'conv2',
      kernelInitializer: init(2),
    })
    .apply(r1) as tf.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c2) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'source_head' })
    .apply(pool) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/**
 * Three classes of 8×8 images: a bright top, left or bottom-right region, with noise; with
 * `wrong`, one label in five is wrong, so no head fits them all and too large a rate overshoots.
 */
function images(perClass: number, wrong = true): { images: Uint8Array[]; labels: number[] } {
  const out: Uint8Array[] = [];
  const labels: number[] = [];
  let s = 11;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 90;
  const bright = [
    (_x: number, y: number) => y < 4,
    (x: number) => x < 4,
    (x: number, y: number) => x >= 4 && y >= 4,
  ];
  for (let c = 0; c < 3; c++)
    for (let n = 0; n < perClass; n++) {
      const img = new Uint8Array(8 * 8 * 3);
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++)
          for (let ch = 0; ch < 3; ch++)
            img[(y * 8 + x) * 3 + ch] = (bright[c]!(x, y) ? 150 : 30) + rand();
      out.push(img);
      labels.push(wrong && n % 5 === 4 ? (c + 1) % 3 : c);
    }
  return { images: out, labels };
}

const PARAMS: TrainParams = {
  ...DEFAULT_PARAMS,
  batchSize: 8,
  seed: 3,
  validationFraction: 0.25,
  testFraction: 0,
  epochs: 3,
};

async function setup(modes: Record<string, LayerMode> = {}, filters = 128, wrong = true) {
  const source = tinyNet(filters);
  const artifacts = await artifactsOf(source);
  source.dispose();
  const data = images(30, wrong);
  const run: LrFindRun = {
    artifacts,
    spec: { size: 8, channels: 3, valueRange: [0, 1] },
    plan: { featureLayer: 'pool', modes },
    images: new MemoryImages(data.images, 8),
    labels: data.labels,
    numClasses: 3,
    split: stratifiedSplit(data.labels, 0.25, 1),
    params: PARAMS,
    cacheKey: 'm@d',
    cache: null,
    cacheBudgetBytes: 1e9,
    backends: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
    shouldStop: () => false,
    onPrefixProgress: () => {},
  };
  return run;
}

const trainingRun = (run: LrFindRun, cache: PrefixCache | null): EngineRun => ({
  ...run,
  cache,
  onBatches: () => {},
  onEpoch: () => {},
});

/** Where the smoothed loss is lowest, the first ten steps left out (as the suggestion does). */
const lowestAt = (points: readonly LrPoint[]) =>
  points.reduce((best, p, i) => (i >= 10 && p.smoothed < points[best]!.smoothed ? i : best), 10);

describe('the pieces', () => {
  it('grows the rate by the same factor each step, from the first rate to the last', () => {
    const rates = Array.from({ length: 8 }, (_, i) => sweepRate(i, 8, 1e-7, 1));
    expect(rates[0]).toBeCloseTo(1e-7, 12);
    expect(rates[7]).toBeCloseTo(1, 9);
    const ratios = rates.slice(1).map((r, i) => r / rates[i]!);
    for (const q of ratios) expect(q).toBeCloseTo(10, 6); // 7 decades in 7 steps
  });

  it('smooths with a bias-corrected moving average (the first value is itself, a constant stays constant)', () => {
    const s = smoother(0.9);
    expect(s(2)).toBeCloseTo(2, 10);
    expect(s(2)).toBeCloseTo(2, 10);
    const t = smoother(0.9);
    t(0);
    // (0.9·0.1·0 + 0.1·1) / (1 − 0.81) = 0.1/0.19
    expect(t(1)).toBeCloseTo(0.1 / 0.19, 10);
  });

  it('suggests the rate at the lowest smoothed loss ÷ 10, within the field range, and nothing for a flat curve', () => {
    const curve = (f: (r: number) => number) =>
      Array.from({ length: 50 }, (_, i) => {
        const rate = sweepRate(i, 50, 1e-6, 1);
        return { rate, loss: f(rate), smoothed: f(rate) };
      });
    // A valley at 1e-2 (a parabola in log rate).
    const valley = curve((r) => 1 + (Math.log10(r) + 2) ** 2);
    const s = suggestRate(valley, { min: 1e-7, max: 10 });
    expect(s.minimum).toBeCloseTo(1e-2, 2);
    expect(s.suggested).toBeCloseTo(s.minimum! / 10, 12);
    expect(s.steepest).toBeLessThan(s.minimum!);
    expect(s.climbsFrom).toBeGreaterThan(s.minimum!); // 1.5× the valley's floor of 1
    expect(suggestRate(valley, { min: 0.05, max: 10 }).suggested).toBe(0.05);
    expect(
      suggestRate(
        curve(() => 1),
        { min: 1e-7 },
      ).suggested,
    ).toBeNull();
    expect(
      suggestRate(
        curve((r) => 1 + r),
        { min: 1e-7 },
      ).suggested,
    ).toBeNull(); // only rises
    // A lucky first batch is no minimum: the first ten points are left out.
    const lucky = valley.map((p, i) => (i === 0 ? { ...p, smoothed: 0 } : p));
    expect(suggestRate(lucky, { min: 1e-7 }).minimum).toBeCloseTo(1e-2, 2);
  });
});

describe('findLearningRate', () => {
  it('on a head: the smoothed loss falls, then climbs; the suggestion lies where training works; nothing leaks', async () => {
    const run = await setup();
    const baseline = tf.memory().numTensors;
    const out = await findLearningRate(run);
    expect(tf.memory().numTensors).toBe(baseline);
    const points = out.head.points;
    expect(out.fineTune).toBeNull();
    expect(out.head.lossOf).toBe('validation');
    const low = lowestAt(points);
    // It fell: the lowest smoothed loss is well below the start, somewhere in the middle.
    expect(points[low]!.smoothed).toBeLessThan(0.7 * points[0]!.smoothed);
    expect(low).toBeGreaterThan(10);
    // Then it climbed: at least half again above the lowest value by the end of the sweep
    // (which ends early only when it passes 4× the lowest).
    expect(points.at(-1)!.smoothed).toBeGreaterThan(1.5 * points[low]!.smoothed);
    expect(out.head.ended).toBe(points.length === 100 ? 'last rate' : 'diverged');
    // Rates are recorded as swept: each step ×(1e7)^(1/99).
    expect(points[1]!.rate / points[0]!.rate).toBeCloseTo(10 ** (7 / 99), 6);
    expect(out.head.suggested).toBeCloseTo(points[low]!.rate / 10, 12);
    // Adam on a softmax head: a sane rate is 1e-4…1e-1 (a sweep that never applied its rates
    // would fall to the end and suggest 0.1 or more; one that diverged at once, nothing).
    expect(out.head.suggested).toBeGreaterThan(1e-4);
    expect(out.head.suggested).toBeLessThan(0.1);
    // And it is a rate that trains: 3 epochs at it beat 3 epochs at 1e-6.
    const at = async (learningRate: number) =>
      (
        await trainWithPlan(trainingRun({ ...run, params: { ...PARAMS, learningRate } }, null))
      ).history.at(-1)!.trainLoss;
    expect(await at(out.head.suggested!)).toBeLessThan(0.8 * (await at(1e-6)));
  });

  it('with fine-tuned layers: sweeps their rate too, and changes nothing a training run sees', async () => {
    const run = await setup({ conv2: 'fine-tune' }, 16);
    const bytes = new Uint8Array(run.artifacts.weightData as ArrayBuffer).slice();
    const before = await trainWithPlan(trainingRun(run, null));
    const baseline = tf.memory().numTensors;
    const out = await findLearningRate({ ...run, cache: before.cache });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(out.cache).toBe(before.cache); // the frozen prefix was reused, not recomputed
    const ft = out.fineTune!;
    expect(ft.group).toBe('fine-tune');
    expect(ft.headRate).toBe(out.head.suggested);
    expect(ft.points.length).toBeGreaterThan(10);
    expect(ft.points[0]!.rate).toBeCloseTo(1e-7, 12);
    // The labels' noise sets a floor no fine-tuning lowers: the curve stays flat, then climbs
    // once the rate wrecks the pretrained conv. A flat curve's lowest point is noise: it gives
    // no suggestion, or one below the head's rate.
    const low = lowestAt(ft.points);
    expect(Math.max(...ft.points.slice(-5).map((p) => p.smoothed))).toBeGreaterThan(
      1.5 * ft.points[low]!.smoothed,
    );
    expect(ft.climbsFrom).toBeGreaterThan(1e-3);
    if (ft.suggested !== null) expect(ft.suggested).toBeLessThan(out.head.suggested!);
    // The pretrained weights are bit-identical, and a run afterwards learns exactly as before.
    expect(new Uint8Array(run.artifacts.weightData as ArrayBuffer)).toEqual(bytes);
    const after = await trainWithPlan(trainingRun(run, out.cache));
    expect(after.history).toEqual(before.history);
    expect(Array.from(after.kernel)).toEqual(Array.from(before.kernel));
  });

  it('stops when asked, with the curve so far and no suggestion', async () => {
    const run = await setup();
    let steps = 0;
    const baseline = tf.memory().numTensors;
    const out = await findLearningRate({
      ...run,
      onStep: () => void steps++,
      shouldStop: () => steps >= 5,
    });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(out.stopped).toBe(true);
    expect(out.head.points).toHaveLength(5);
    expect(out.head.suggested).toBeNull();
  });

  it('without a validation split, measures the loss on the training batches', async () => {
    const run = await setup();
    const out = await findLearningRate({
      ...run,
      split: { ...run.split, train: [...run.split.train, ...run.split.validation], validation: [] },
      options: { steps: 20 },
    });
    expect(out.head.lossOf).toBe('training batches');
    expect(out.head.points).toHaveLength(20);
  });
});
