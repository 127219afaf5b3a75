import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerGraph, type LayerGraph } from '../model/graph';
import { buildModel } from '../model/load';
import { MemoryImages } from '../data/image-set';
import type { InputSpec } from '../model/preprocess';
import { INFERENCE_BATCH } from '../domain';
import { computePrefix, prefixRows, type PrefixHelpers, type PrefixJob } from './prefix';
import { artifactsOf } from '../model/artifacts-of';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SPEC: InputSpec = { size: 8, channels: 3, valueRange: [-1, 1] };

/** conv → BN → ReLU6 → depthwise → BN → conv: what the folded prefix runs. */
function network(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [8, 8, 3] });
  let x = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ name: 'b1', gammaInitializer: 'randomNormal' })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'r1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'd2', depthwiseInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'b2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ filters: 5, kernelSize: 1, name: 'c3', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

function images(n: number): MemoryImages {
  let s = 7;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % 256);
  return new MemoryImages(
    Array.from({ length: n }, () => Uint8Array.from({ length: 8 * 8 * 3 }, next)),
    8,
  );
}

/** In-process stand-ins for the helper workers: each builds its own copy of the network. */
async function fakeHelpers(
  artifacts: tf.io.ModelArtifacts,
  count: number,
  failOnCall = Infinity,
): Promise<PrefixHelpers & { calls: number[]; models: tf.LayersModel[] }> {
  const models = await Promise.all(Array.from({ length: count }, () => buildModel(artifacts)));
  const graphs: LayerGraph[] = models.map(layerGraph);
  const calls = Array.from({ length: count }, () => 0);
  let total = 0;
  return {
    count,
    calls,
    models,
    async run(lane, pixels, k) {
      if (++total >= failOnCall) throw new Error('helper lost');
      calls[lane]!++;
      // Lanes answer out of order, as workers do.
      await new Promise((r) => setTimeout(r, ((lane + total) % 3) * 2));
      return prefixRows(graphs[lane]!, pixels, SPEC, k);
    },
  };
}

function job(
  set: MemoryImages,
  extra: Partial<PrefixJob> = {},
): PrefixJob & { progress: number[] } {
  const progress: number[] = [];
  return {
    images: set,
    spec: SPEC,
    cacheKey: 'net@data',
    cacheBudgetBytes: 1e9,
    shouldStop: () => false,
    onPrefixProgress: (done) => progress.push(done),
    progress,
    ...extra,
  };
}

describe('computePrefix', () => {
  const n = INFERENCE_BATCH * 5 + 3;
  let artifacts: tf.io.ModelArtifacts;
  let graph: LayerGraph;
  let model: tf.LayersModel;
  const k = 5; // c1 b1 r1 d2 b2: the input is step 0
  beforeAll(async () => {
    artifacts = await artifactsOf(network());
    model = await buildModel(artifacts);
    graph = layerGraph(model);
  });

  it('shares the batches among helpers and puts every row back in its place', async () => {
    const set = images(n);
    const alone = await computePrefix(job(set), graph, k);
    const helpers = await fakeHelpers(artifacts, 2);
    const before = tf.memory().numTensors;
    const j = job(set, { prefixHelpers: () => helpers });
    const shared = await computePrefix(j, graph, k);
    expect(tf.memory().numTensors).toBe(before);
    expect(shared!.key).toBe(`net@data|${k}`);
    expect(shared!.shape).toEqual(alone!.shape);
    expect(shared!.shape).toEqual([8, 8, 4]);
    expect(shared!.data.length).toBe(n * 8 * 8 * 4);
    let worst = 0;
    for (let i = 0; i < alone!.data.length; i++)
      worst = Math.max(worst, Math.abs(shared!.data[i]! - alone!.data[i]!));
    expect(worst).toBeLessThan(1e-5);
    // Both lanes worked, and every batch ran once.
    expect(helpers.calls.every((c) => c >= 2)).toBe(true);
    expect(helpers.calls[0]! + helpers.calls[1]!).toBe(6);
    expect(j.progress.at(-1)).toBe(n);
    expect(shared!.workers).toBe(2);
    expect(alone!.workers).toBe(0);
    expect(j.progress).toEqual([...j.progress].sort((a, b) => a - b));
    helpers.models.forEach((m) => m.dispose());
  });

  it('finishes on this thread when a helper fails, with the same rows', async () => {
    const set = images(n);
    const alone = await computePrefix(job(set), graph, k);
    const helpers = await fakeHelpers(artifacts, 2, 3);
    const before = tf.memory().numTensors;
    const shared = await computePrefix(job(set, { prefixHelpers: () => helpers }), graph, k);
    expect(tf.memory().numTensors).toBe(before);
    expect(helpers.calls[0]! + helpers.calls[1]!).toBe(2);
    expect(shared!.workers).toBe(0);
    expect(Array.from(shared!.data)).toEqual(Array.from(alone!.data));
    helpers.models.forEach((m) => m.dispose());
  });

  it('returns nothing when stopped or over the budget, and leaves no tensor behind', async () => {
    const set = images(n);
    const helpers = await fakeHelpers(artifacts, 2);
    const before = tf.memory().numTensors;
    let reads = 0;
    const stopping = job(set, { prefixHelpers: () => helpers, shouldStop: () => ++reads > 4 });
    expect(await computePrefix(stopping, graph, k)).toBeNull();
    expect(stopping.progress.at(-1) ?? 0).toBeLessThan(n);
    const small = job(set, { prefixHelpers: () => helpers, cacheBudgetBytes: 1000 });
    expect(await computePrefix(small, graph, k)).toBeNull();
    expect(small.progress).toEqual([]);
    expect(tf.memory().numTensors).toBe(before);
    helpers.models.forEach((m) => m.dispose());
  });
});
