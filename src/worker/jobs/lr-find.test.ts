import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryImages } from '../../data/image-set';
import { DEFAULT_PARAMS, type BackendReport } from '../../domain';
import { createContext, type WorkerContext } from '../context';
import type { Reply } from '../protocol';
import { lrFind } from './lr-find';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 8;

async function artifacts(): Promise<tf.io.ModelArtifacts> {
  const input = tf.input({ shape: [SIDE, SIDE, 3], name: 'input' });
  const conv = tf.layers
    .conv2d({
      filters: 16,
      kernelSize: 3,
      activation: 'relu',
      name: 'conv',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input) as tf.SymbolicTensor;
  const pool = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, name: 'head' }).apply(pool) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
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

const report: BackendReport = {
  active: 'cpu',
  requested: 'cpu',
  gpu: 'none',
  jobs: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
  note: '',
};

/** A context with the tiny network and two classes (bright top, bright bottom) of 20 images each. */
async function loaded(): Promise<WorkerContext> {
  const ctx = createContext(() => ({ decode: async () => ({ ok: false, reason: 'unused' }) }));
  ctx.report = report;
  ctx.model = {
    card: {
      id: 'tiny',
      name: 'tiny',
      source: 'custom',
      inputSize: SIDE,
      resolutions: [SIDE],
      channels: 3,
      valueRange: [0, 1],
      featureLayer: 'pool',
      provenanceSummary: '',
      provenance: [],
    },
    artifacts: await artifacts(),
    resolution: SIDE,
    version: 1,
  };
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < 40; i++) {
    const top = i % 2 === 0;
    images.push(
      Uint8Array.from({ length: SIDE * SIDE * 3 }, (_, j) => {
        const y = Math.floor(j / 3 / SIDE);
        return (y < SIDE / 2 === top ? 170 : 40) + ((i * 31 + j * 7) % 60);
      }),
    );
    labels.push(top ? 0 : 1);
  }
  ctx.dataset = {
    version: 2,
    files: [],
    classNames: ['top', 'bottom'],
    images: new MemoryImages(images, SIDE),
    labels,
    size: SIDE,
    skipped: [],
  };
  return ctx;
}

describe('lr-find job', () => {
  it('answers progress, then both sweeps with suggestions; keeps the prefix cache for training; leaks nothing', async () => {
    const ctx = await loaded();
    const posted: Reply<'lr-find'>[] = [];
    await lrFind(
      ctx,
      {
        type: 'lr-find',
        id: 'lr-find-1',
        params: { ...DEFAULT_PARAMS, batchSize: 8 },
        plan: { featureLayer: 'pool', modes: { conv: 'fine-tune' } },
      },
      (m) => void posted.push(m),
    );
    const last = posted.at(-1)!;
    expect(last.type).toBe('lr-find-result');
    if (last.type !== 'lr-find-result') return;
    const { result } = last;
    expect(result.stopped).toBe(false);
    expect(result.head.points.length).toBeGreaterThan(20);
    expect(result.fineTune?.points.length).toBeGreaterThan(20);
    expect(result.numTensors).toBe(result.numTensorsBefore);
    const phases = new Set(posted.flatMap((m) => (m.type === 'lr-find-progress' ? [m.phase] : [])));
    expect(phases).toEqual(new Set(['head', 'fine-tune']));
    // Everything up to the fine-tuned conv is the input itself: nothing to cache here.
    expect(ctx.prefixCache).toBeNull();
    expect(ctx.stops.size).toBe(0);
  });

  it('caches the frozen features as training does, and stops when asked', async () => {
    const ctx = await loaded();
    const posted: Reply<'lr-find'>[] = [];
    ctx.stops.add('lr-find-2');
    await lrFind(
      ctx,
      {
        type: 'lr-find',
        id: 'lr-find-2',
        params: DEFAULT_PARAMS,
        plan: { featureLayer: 'pool', modes: {} },
      },
      (m) => void posted.push(m),
    );
    const last = posted.at(-1);
    expect(last?.type === 'lr-find-result' && last.result.stopped).toBe(true);
    expect(ctx.stops.size).toBe(0);
    // Not stopped: the head's sweep runs on the cached features of the frozen network.
    await lrFind(
      ctx,
      {
        type: 'lr-find',
        id: 'lr-find-3',
        params: DEFAULT_PARAMS,
        plan: { featureLayer: 'pool', modes: {} },
      },
      (m) => void posted.push(m),
    );
    expect(ctx.prefixCache?.key).toMatch(/^1@2\|/);
    const done = posted.at(-1);
    expect(done?.type === 'lr-find-result' && done.result.head.suggested).toBeGreaterThan(0);
    expect(done?.type === 'lr-find-result' && done.result.fineTune).toBeNull();
  });

  it('refuses without a model or a dataset, with a sentence for the user', async () => {
    const ctx = createContext(() => ({ decode: async () => ({ ok: false, reason: '' }) }));
    await expect(
      lrFind(
        ctx,
        { type: 'lr-find', id: 'x', params: DEFAULT_PARAMS, plan: { featureLayer: '', modes: {} } },
        () => {},
      ),
    ).rejects.toThrow('No model is loaded yet.');
  });
});
