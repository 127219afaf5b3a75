import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stratifiedSplit } from '../data/split';
import { layerGraph } from '../model/graph';
import { applyPlan } from '../model/plan';
import { buildModel } from '../model/load';
import { evenlySpaced, trainWithPlan, type EngineRun } from './engine';
import { DEFAULT_PARAMS, type LayerMode } from '../domain';
import { MemoryImages } from '../data/image-set';
import { artifactsOf } from '../model/artifacts-of';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** conv → BN → relu → [residual: conv → add] → conv → pool → dense (the source head). */
function tinyResNet(): tf.LayersModel {
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
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      name: 'conv2',
      kernelInitializer: init(2),
    })
    .apply(r1) as tf.SymbolicTensor;
  const add = tf.layers.add({ name: 'add' }).apply([r1, c2]) as tf.SymbolicTensor;
  const c3 = tf.layers
    .conv2d({
      filters: 6,
      kernelSize: 3,
      activation: 'relu',
      name: 'conv3',
      kernelInitializer: init(3),
    })
    .apply(add) as tf.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(c3) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: 'softmax', name: 'source_head' })
    .apply(pool) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Two classes of 8×8 images: bright top half vs bright bottom half, with noise. */
function images(perClass: number): { images: Uint8Array[]; labels: number[] } {
  const out: Uint8Array[] = [];
  const labels: number[] = [];
  let s = 7;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 60;
  for (let c = 0; c < 2; c++) {
    for (let n = 0; n < perClass; n++) {
      const img = new Uint8Array(8 * 8 * 3);
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++)
          for (let ch = 0; ch < 3; ch++)
            img[(y * 8 + x) * 3 + ch] = (y < 4 === (c === 0) ? 180 : 20) + rand();
      out.push(img);
      labels.push(c);
    }
  }
  return { images: out, labels };
}

const snapshot = async (model: tf.LayersModel, layer: string) =>
  Promise.all(
    model
      .getLayer(layer)
      .getWeights()
      .map(async (w) => Array.from(await w.data())),
  );

async function run(modes: Record<string, LayerMode>, extra: Partial<EngineRun> = {}) {
  const source = tinyResNet();
  const artifacts = await artifactsOf(source);
  source.dispose();
  const data = images(12);
  const prefixEvents: boolean[] = [];
  let trained: Record<string, number[]> = {};
  const result = await trainWithPlan({
    artifacts,
    spec: { size: 8, channels: 3, valueRange: [0, 1] },
    plan: { featureLayer: 'pool', modes },
    images: new MemoryImages(data.images, 8),
    labels: data.labels,
    numClasses: 2,
    split: stratifiedSplit(data.labels, 0.25, 1),
    params: {
      ...DEFAULT_PARAMS,
      learningRate: 0.05,
      fineTuneLearningRate: 0.05,
      epochs: 3,
      batchSize: 6,
      seed: 5,
      validationFraction: 0.25,
    },
    cacheKey: 'm@d',
    cache: null,
    cacheBudgetBytes: 1e9,
    backends: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
    shouldStop: () => false,
    onPrefixProgress: (_d, _t, cached) => prefixEvents.push(cached),
    onBatches: () => {},
    onEpoch: () => {},
    onTrained: async (m) => {
      trained = Object.fromEntries(
        await Promise.all(
          ['conv1', 'bn1', 'conv2', 'conv3'].map(
            async (n) => [n, (await snapshot(m, n)).flat()] as const,
          ),
        ),
      );
    },
    ...extra,
  });
  const original = await buildModel(artifacts);
  const before = Object.fromEntries(
    await Promise.all(
      ['conv1', 'bn1', 'conv2', 'conv3'].map(
        async (n) => [n, (await snapshot(original, n)).flat()] as const,
      ),
    ),
  );
  original.dispose();
  return { result, trained, before, prefixEvents, artifacts };
}

describe('layer graph and plan', () => {
  it('finds cut points: none inside the residual block', async () => {
    const model = tinyResNet();
    const graph = layerGraph(model);
    const cuts = Object.fromEntries(graph.steps.map((s, i) => [s.layer.name, graph.cut[i]]));
    // relu1 feeds both conv2 and the add: after it one tensor flows (the block input), after conv2 two.
    expect(cuts).toEqual({
      input: true,
      conv1: true,
      bn1: true,
      relu1: true,
      conv2: false,
      add: true,
      conv3: true,
      pool: true,
      source_head: true,
    });
    model.dispose();
  });

  it('turns each mode pattern into exactly the expected trainable variables', async () => {
    const model = tinyResNet();
    const names = (vars: tf.Variable[]) => vars.map((v) => v.name.replace(/_\d+$/, '')).sort();
    const g1 = applyPlan(model.layers, { conv2: 'fine-tune', conv3: 'reinit' });
    expect(names(g1.fineTune)).toEqual(['conv2/bias', 'conv2/kernel']);
    expect(names(g1.reinit)).toEqual(['conv3/bias', 'conv3/kernel']);
    const g2 = applyPlan(model.layers, { bn1: 'fine-tune' });
    // BatchNorm: gamma and beta train; the moving statistics never do.
    expect(names(g2.fineTune)).toEqual(['bn1/beta', 'bn1/gamma']);
    expect(g2.reinit).toEqual([]);
    expect(model.getLayer('conv2').trainable).toBe(false);
    const g3 = applyPlan(model.layers, {});
    expect([...g3.fineTune, ...g3.reinit]).toEqual([]);
    model.dispose();
  });
});

describe('trainWithPlan', () => {
  it('keeps Frozen weights bit-identical, moves Fine-tune ones, re-draws Re-initialize ones, and leaks nothing', async () => {
    const baseline = tf.memory().numTensors;
    const { result, trained, before } = await run({
      conv1: 'frozen',
      bn1: 'frozen',
      conv2: 'fine-tune',
      conv3: 'reinit',
    });
    expect(tf.memory().numTensors).toBe(baseline);
    expect(trained.conv1).toEqual(before.conv1);
    expect(trained.bn1).toEqual(before.bn1); // moving statistics included: frozen BN runs in inference mode
    expect(trained.conv2).not.toEqual(before.conv2);
    expect(trained.conv3).not.toEqual(before.conv3);
    expect(result.frozenPrefixLayers).toBe(4); // input, conv1, bn1, relu1 (the residual block's input)
    expect(result.trainableParams).toBe(4 * 4 * 9 + 4 + 6 * 4 * 9 + 6);
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
  });

  it('keeps the BatchNorm statistics of a fine-tuned layer (inference mode) while training its scale', async () => {
    const { trained, before } = await run({ bn1: 'fine-tune' });
    // weights: gamma, beta, moving_mean, moving_variance (4 channels each)
    expect(trained.bn1!.slice(8)).toEqual(before.bn1!.slice(8));
    expect(trained.bn1!.slice(0, 8)).not.toEqual(before.bn1!.slice(0, 8));
  });

  it('trains the first layers and keeps the last ones (reverse layer transfer)', async () => {
    const { trained, before } = await run({ conv1: 'reinit', conv3: 'frozen' });
    expect(trained.conv1).not.toEqual(before.conv1);
    expect(trained.conv3).toEqual(before.conv3);
  });

  it('gives the same losses with the prefix cache as without it, and reuses it', async () => {
    const modes: Record<string, LayerMode> = { conv3: 'fine-tune' };
    const cached = await run(modes);
    const uncached = await run(modes, { cacheBudgetBytes: 0 });
    expect(cached.result.frozenPrefixLayers).toBe(6); // input … add
    expect(uncached.result.frozenPrefixLayers).toBe(1); // over budget: recomputed from the images
    const losses = (r: typeof cached) => r.result.history.map((h) => +h.trainLoss.toFixed(5));
    expect(losses(cached)).toEqual(losses(uncached));
    // From the cache: the prefix helpers are not even asked for (they may be stopped).
    let asked = 0;
    const again = await run(modes, {
      cache: cached.result.cache,
      prefixHelpers: () => (asked++, null),
    });
    expect(asked).toBe(0);
    expect(again.prefixEvents).toEqual([true]);
    expect(losses(again)).toEqual(losses(cached));
  });

  it('trains Fine-tune layers at their own rate, not the head rate', async () => {
    // Fine-tune rate 0, head rate 0.05: the fine-tuned conv must not move while the head learns.
    // Swapping the two groups' rates would move conv2 and leave the head untrained.
    const { result, trained, before } = await run(
      { conv2: 'fine-tune' },
      {
        params: {
          ...DEFAULT_PARAMS,
          learningRate: 0.05,
          fineTuneLearningRate: 0,
          epochs: 3,
          batchSize: 6,
          seed: 5,
          validationFraction: 0.25,
        },
      },
    );
    expect(trained.conv2).toEqual(before.conv2);
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
  });

  it('refuses to take features from inside a residual block', async () => {
    await expect(run({}, { plan: { featureLayer: 'conv2', modes: {} } })).rejects.toThrow(
      /skip connection crosses it/,
    );
  });
});

describe('standardization', () => {
  it('centres each feature and scales all by one common factor, so near-constant features are not blown up', async () => {
    const { standardization } = await import('./engine');
    // Feature 0 varies (±1), feature 1 is almost constant: per-feature z-scores would multiply it by ~1000.
    const data = new Float32Array([1, 5, -1, 5.001, 1, 5, -1, 5.001]);
    const { mean, std } = standardization({ data, dim: 2 }, [0, 1, 2, 3]);
    expect(Array.from(mean).map((v) => +v.toFixed(4))).toEqual([0, 5.0005]);
    expect(std[0]).toBeCloseTo(std[1]!, 6);
    expect(std[0]).toBeCloseTo(Math.sqrt((1 + 0.00000025) / 2), 4);
  });
});

describe('evenlySpaced', () => {
  it('keeps everything up to the limit, else evenly spaced items in order', () => {
    expect(evenlySpaced([1, 2, 3], 5)).toEqual([1, 2, 3]);
    const picked = evenlySpaced(
      Array.from({ length: 10_000 }, (_, i) => i),
      1000,
    );
    expect(picked).toHaveLength(1000);
    expect(picked[0]).toBe(0);
    expect(picked[999]).toBe(9990);
    expect(picked.every((v, i) => i === 0 || v > picked[i - 1]!)).toBe(true);
  });
});
