import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { layerGraph } from '../model/graph';
import { buildModel } from '../model/load';
import type { InputSpec } from '../model/preprocess';
import { MemoryImages } from '../data/image-set';
import { computePrefix, type PrefixJob } from '../training/prefix';
import {
  prefixHelper,
  type FromPrefixHelper,
  type ToPrefixHelper,
} from '../training/prefix-helper';
import { createPrefixPool, MAX_HELPER_WEIGHT_BYTES, type WorkerLike } from './prefix-pool';
import { artifactsOf } from '../model/artifacts-of';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SPEC: InputSpec = { size: 6, channels: 3, valueRange: [0, 1] };

function network(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3] });
  let x = tf.layers
    .conv2d({
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

/** A worker that runs the real helper logic in this thread, answering asynchronously. */
class InProcessHelper implements WorkerLike {
  onmessage: ((event: MessageEvent<FromPrefixHelper>) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  received: ToPrefixHelper['type'][] = [];
  terminated = false;
  private handle = prefixHelper((m) =>
    setTimeout(() => this.onmessage?.({ data: m } as MessageEvent<FromPrefixHelper>)),
  );
  constructor(private failRuns = false) {}
  postMessage(message: ToPrefixHelper) {
    this.received.push(message.type);
    if (this.failRuns && message.type === 'run')
      setTimeout(() =>
        this.onmessage?.({
          data: { type: 'failed', id: message.id, message: 'out of memory' },
        } as MessageEvent<FromPrefixHelper>),
      );
    else void this.handle(message);
  }
  terminate() {
    this.terminated = true;
  }
}

const images = (n: number) =>
  new MemoryImages(
    Array.from({ length: n }, (_, i) =>
      Uint8Array.from({ length: 6 * 6 * 3 }, (_, j) => (i * 31 + j * 7) % 256),
    ),
    6,
  );

const job = (n: number, extra: Partial<PrefixJob> = {}): PrefixJob => ({
  images: images(n),
  spec: SPEC,
  cacheKey: 'k',
  cacheBudgetBytes: 1e9,
  shouldStop: () => false,
  onPrefixProgress: () => undefined,
  ...extra,
});

describe('the prefix pool', () => {
  it('gives the rows this thread computes, and loads a new network when the run has one', async () => {
    const made: InProcessHelper[] = [];
    const pool = createPrefixPool(2, () => {
      const h = new InProcessHelper();
      made.push(h);
      return h;
    });
    for (const seed of [1, 2]) {
      const artifacts = await artifactsOf(network(seed));
      const model = await buildModel(artifacts);
      const graph = layerGraph(model);
      const alone = await computePrefix(job(50), graph, 3);
      const helpers = pool.helpersFor(artifacts, SPEC);
      expect(helpers?.count).toBe(2);
      // The same network again: nothing is sent.
      expect(pool.helpersFor(artifacts, SPEC)).toBe(helpers);
      const shared = await computePrefix(job(50, { prefixHelpers: () => helpers }), graph, 3);
      expect(Array.from(shared!.data)).toEqual(Array.from(alone!.data));
      model.dispose();
    }
    expect(made).toHaveLength(2);
    for (const h of made) {
      expect(h.received.filter((t) => t === 'model')).toHaveLength(2);
      expect(h.received.filter((t) => t === 'run').length).toBeGreaterThan(0);
    }
    pool.terminate();
    expect(made.every((h) => h.terminated)).toBe(true);
    expect(pool.size()).toBe(0);
  });

  it('stops its helpers when idle and starts them again for the next pass', async () => {
    const artifacts = await artifactsOf(network(5));
    const model = await buildModel(artifacts);
    const graph = layerGraph(model);
    const alone = await computePrefix(job(40), graph, 3);
    const made: InProcessHelper[] = [];
    const pool = createPrefixPool(
      2,
      () => {
        const h = new InProcessHelper();
        made.push(h);
        return h;
      },
      40,
    );
    for (let round = 1; round <= 2; round++) {
      const shared = await computePrefix(
        job(40, { prefixHelpers: () => pool.helpersFor(artifacts, SPEC) }),
        graph,
        3,
      );
      expect(shared!.workers).toBe(2);
      expect(Array.from(shared!.data)).toEqual(Array.from(alone!.data));
      expect(pool.running()).toBe(2);
      await new Promise((r) => setTimeout(r, 120));
      expect(pool.running()).toBe(0);
      expect(made).toHaveLength(2 * round);
      expect(made.every((h) => h.terminated)).toBe(true);
      expect(pool.size()).toBe(2);
    }
    model.dispose();
  });

  it('is given up when a helper fails, and the pass still completes on this thread', async () => {
    const artifacts = await artifactsOf(network(3));
    const model = await buildModel(artifacts);
    const graph = layerGraph(model);
    const alone = await computePrefix(job(40), graph, 3);
    let i = 0;
    const pool = createPrefixPool(2, () => new InProcessHelper(i++ === 1));
    const shared = await computePrefix(
      job(40, { prefixHelpers: () => pool.helpersFor(artifacts, SPEC) }),
      graph,
      3,
    );
    expect(Array.from(shared!.data)).toEqual(Array.from(alone!.data));
    expect(pool.size()).toBe(0);
    expect(pool.helpersFor(artifacts, SPEC)).toBeNull();
    model.dispose();
  });

  it('offers no helpers on one core, for a network too large to copy, or when a worker cannot start', async () => {
    const artifacts = await artifactsOf(network(4));
    expect(createPrefixPool(1, () => new InProcessHelper()).helpersFor(artifacts, SPEC)).toBeNull();
    const huge = { ...artifacts, weightData: new ArrayBuffer(MAX_HELPER_WEIGHT_BYTES + 1) };
    expect(createPrefixPool(2, () => new InProcessHelper()).helpersFor(huge, SPEC)).toBeNull();
    const dead: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage() {
        setTimeout(() => this.onerror?.(new Event('error')));
      },
      terminate() {},
    };
    const pool = createPrefixPool(2, () => ({ ...dead }));
    const helpers = pool.helpersFor(artifacts, SPEC)!;
    await expect(helpers.run(0, [new Uint8Array(6 * 6 * 3)], 3)).rejects.toThrow();
    expect(pool.size()).toBe(0);
  });
});
