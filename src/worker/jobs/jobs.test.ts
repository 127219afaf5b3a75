/**
 * The worker's jobs run without a Worker: a context with a fake decoder, and a recording
 * `reply`, stand in for the worker's globals.
 */
import * as tf from '@tensorflow/tfjs';
import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_PARAMS,
  SOURCE_TEST_PER_CLASS,
  type BackendReport,
  type ModelCard,
} from '../../domain';
import { createContext, type Decoder, type WorkerContext } from '../context';
import type { JobName, Reply } from '../protocol';
import { evaluationOf } from './evaluate';
import { loadSourceTest } from './forgetting';
import { stretchChannel } from './feature-maps';
import { loadDataset } from './load-dataset';
import { probeSample, runProbe } from './probe';
import { train } from './train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIDE = 8;

/** "Decodes" a Blob whose text is `class:<0|1>` into an 8×8 image bright on top or at the bottom; `bad` fails. */
const fakeDecoder = (side = SIDE): Decoder => ({
  decode: async (file) => {
    const text = await file.text();
    if (text === 'bad') return { ok: false, reason: 'corrupt or unreadable image' };
    const top = text.endsWith('0');
    const seed = text.length * 7 + text.charCodeAt(text.length - 2);
    const pixels = new Uint8Array(side * side * 3);
    for (let i = 0; i < pixels.length; i++) {
      const y = Math.floor(i / 3 / side);
      pixels[i] = (y < side / 2 === top ? 200 : 30) + ((seed * (i + 1)) % 40);
    }
    return { ok: true, pixels };
  },
});

/** A context, and a `reply` (fit for any job) that records the answers in `posted`. */
function context() {
  const posted: Reply<JobName>[] = [];
  const reply = (m: Reply<JobName>) => void posted.push(m);
  const ctx: WorkerContext = createContext(fakeDecoder);
  return { ctx, posted, reply };
}

const file = (path: string, text: string) => ({
  path,
  file: new Blob([text], { type: 'image/png' }),
});

function tinyFolder(perClass: number) {
  const files = [];
  for (let i = 0; i < perClass; i++) {
    files.push(file(`d/top/${i}.png`, `img-${i}:0`));
    files.push(file(`d/bottom/${i}.png`, `img-${i}:1`));
  }
  return files;
}

async function tinyModelArtifacts(): Promise<tf.io.ModelArtifacts> {
  const input = tf.input({ shape: [SIDE, SIDE, 3], name: 'input' });
  const conv = tf.layers
    .conv2d({
      filters: 4,
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

const cpuReport: BackendReport = {
  active: 'cpu',
  requested: 'cpu',
  gpu: 'none',
  jobs: { features: 'cpu', head: 'cpu', fineTune: 'cpu' },
  note: '',
};

/** Gives the context the tiny model at its own side (and the cpu backend). */
async function withTinyModel(ctx: WorkerContext, card: Partial<ModelCard> = {}): Promise<void> {
  ctx.report = cpuReport;
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
      ...card,
    },
    artifacts: await tinyModelArtifacts(),
    resolution: SIDE,
    version: 1,
  };
}

describe('load-dataset job', () => {
  it('sorts files into classes, skips what cannot be used with reasons, and offers examples', async () => {
    const { ctx, posted, reply } = context();
    const files = [
      ...tinyFolder(3),
      file('d/top/broken.png', 'bad'),
      { path: 'd/top/notes.txt', file: new Blob(['x'], { type: 'text/plain' }) },
    ];
    await loadDataset(ctx, { type: 'load-dataset', id: 'dataset-1', files, skipped: [] }, reply);
    const done = posted.find((m) => m.type === 'dataset');
    expect(done).toMatchObject({
      classes: [
        { name: 'bottom', count: 3 },
        { name: 'top', count: 3 },
      ],
    });
    expect(ctx.dataset?.size).toBe(224);
    const skipped = done?.type === 'dataset' ? done.skipped : [];
    expect(skipped.map((s) => [s.path, s.reason])).toEqual([
      ['d/top/notes.txt', 'not an image (.txt)'],
      ['d/top/broken.png', 'corrupt or unreadable image'],
    ]);
    expect(done?.type === 'dataset' && done.examples).toHaveLength(6);
    expect(posted.filter((m) => m.type === 'decode-progress').at(-1)).toMatchObject({
      done: 7,
      total: 7,
    });
    expect(ctx.dataset?.images).toHaveLength(6);
  });
});

describe('train job', () => {
  it('trains, evaluates on the test split, reports done with the worker back at its tensor baseline', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx);
    await loadDataset(
      ctx,
      {
        type: 'load-dataset',
        id: 'dataset-1',
        files: tinyFolder(15),
        skipped: [],
      },
      reply,
    );
    posted.length = 0;
    await train(
      ctx,
      {
        type: 'train',
        id: 'train-1',
        params: { ...DEFAULT_PARAMS, epochs: 4, batchSize: 6, learningRate: 0.05 },
        plan: { modes: { conv: 'fine-tune' }, featureLayer: 'pool' },
      },
      reply,
    );
    const types = posted.map((m) => m.type);
    expect(types.filter((t) => t === 'epoch')).toHaveLength(4);
    expect(types.at(-1)).toBe('done');
    const evaluation = posted.find((m) => m.type === 'evaluation');
    expect(evaluation?.type === 'evaluation' && evaluation.evaluation.split).toBe('test');
    // Bright-top vs bright-bottom is easy: a working head beats chance (50%) by far.
    expect(evaluation?.type === 'evaluation' && evaluation.evaluation.accuracy).toBeGreaterThan(
      0.8,
    );
    const done = posted.at(-1);
    expect(done?.type === 'done' && done.numTensors).toBe(
      done?.type === 'done' && done.numTensorsBefore,
    );
    expect(ctx.stops.size).toBe(0);
  });

  it('refuses to train before a model and a dataset are there, with a sentence for the user', async () => {
    const { ctx, reply } = context();
    await expect(
      train(
        ctx,
        {
          type: 'train',
          id: 'train-1',
          params: DEFAULT_PARAMS,
          plan: { modes: {}, featureLayer: 'x' },
        },
        reply,
      ),
    ).rejects.toThrow('No model is loaded yet.');
  });
});

describe('evaluation, probe sample and feature maps', () => {
  it('reports the confusion matrix and misclassified paths on the test split', () => {
    const files = ['a/1', 'a/2', 'b/1', 'b/2'].map((p) => ({
      path: p,
      file: new Blob(),
      className: p[0]!,
    }));
    const report = evaluationOf(
      { labels: [0, 0, 1, 1], classNames: ['a', 'b'], files },
      { train: [], validation: [], test: [0, 1, 2, 3] },
      { validation: [], test: [0, 0, 0, 1] },
    );
    expect(report.confusion).toEqual([
      [2, 0],
      [1, 1],
    ]);
    expect(report.accuracy).toBe(0.75);
    expect(report.misclassified).toEqual({ '1-0': ['b/1'] });
  });

  it('draws at most perClass images of each class, reproducibly', () => {
    const labels = [0, 0, 0, 0, 1, 1, 2];
    const a = probeSample(labels, 3, 2, 7);
    expect(a).toEqual(probeSample(labels, 3, 2, 7));
    expect(a.map((i) => labels[i])).toEqual([0, 0, 1, 1, 2]);
  });

  it('stretches a channel to 0..255 and leaves a flat one black', () => {
    // 2 pixels × 2 channels, interleaved: channel 0 = [1, 3], channel 1 = [5, 5].
    const values = new Float32Array([1, 5, 3, 5]);
    expect(Array.from(stretchChannel(values, 2, 2, 0))).toEqual([0, 255]);
    expect(Array.from(stretchChannel(values, 2, 2, 1))).toEqual([0, 0]);
  });
});

describe('large datasets: browser storage, cancelling, room', () => {
  const load = (
    ctx: WorkerContext,
    reply: (m: Reply<JobName>) => void,
    id: string,
    files = tinyFolder(12),
    budget?: number,
  ) =>
    loadDataset(
      ctx,
      {
        type: 'load-dataset',
        id,
        files,
        skipped: [],
        ...(budget !== undefined ? { memoryBudgetBytes: budget } : {}),
      },
      reply,
    );

  it('past the memory budget the images go to IndexedDB, and training reads them per batch to the same weights', async () => {
    const heads: Float32Array[] = [];
    for (const budget of [2 ** 30, 1]) {
      const { ctx, posted, reply } = context();
      await withTinyModel(ctx);
      await load(ctx, reply, 'dataset-1', tinyFolder(12), budget);
      const where = budget === 1 ? 'storage' : 'memory';
      expect(posted.find((m) => m.type === 'dataset')).toMatchObject({ where });
      expect(ctx.dataset?.images.where).toBe(where);
      // Fine-tuning the first layer: nothing is cached, every step starts from the images.
      await train(
        ctx,
        {
          type: 'train',
          id: 'train-1',
          params: { ...DEFAULT_PARAMS, epochs: 2, batchSize: 5, learningRate: 0.05 },
          plan: { modes: { conv: 'fine-tune' }, featureLayer: 'pool' },
        },
        reply,
      );
      const weights = posted.find((m) => m.type === 'weights');
      heads.push(weights?.type === 'weights' ? weights.weights.head.kernel : new Float32Array());
      const done = posted.at(-1);
      expect(done?.type === 'done' && done.numTensors).toBe(
        done?.type === 'done' && done.numTensorsBefore,
      );
    }
    expect(heads[0]!.length).toBeGreaterThan(0);
    expect(Array.from(heads[1]!)).toEqual(Array.from(heads[0]!));
  });

  it('a cancelled read keeps the dataset loaded before, and says which it is', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx);
    await load(ctx, reply, 'dataset-1', tinyFolder(4));
    const before = ctx.dataset;
    let decoded = 0;
    const decoder = ctx.makeDecoder;
    ctx.makeDecoder = (size) => ({
      decode: (f) => {
        if (++decoded === 3) ctx.stops.add('dataset-2');
        return decoder(size).decode(f);
      },
    });
    await load(ctx, reply, 'dataset-2', tinyFolder(20), 1);
    expect(ctx.dataset).toBe(before);
    expect(await ctx.dataset!.images.read([7])).toHaveLength(1);
    expect(posted.at(-1)).toMatchObject({
      type: 'dataset-cancelled',
      previous: {
        classes: [
          { name: 'bottom', count: 4 },
          { name: 'top', count: 4 },
        ],
        where: 'memory',
      },
    });
    expect(decoded).toBe(3);
    expect(ctx.stops.size).toBe(0);
  });

  it('a folder the browser has no room for is refused before anything is read', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx);
    await load(ctx, reply, 'dataset-1', tinyFolder(2));
    const before = ctx.dataset;
    posted.length = 0;
    vi.stubGlobal('navigator', {
      storage: { estimate: () => Promise.resolve({ quota: 10_000, usage: 2_000 }) },
    });
    try {
      await load(ctx, reply, 'dataset-2', tinyFolder(30), 1);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(ctx.dataset).toBe(before);
    const answers = posted;
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      type: 'dataset-cancelled',
      previous: {
        classes: [
          { name: 'bottom', count: 2 },
          { name: 'top', count: 2 },
        ],
      },
    });
    expect(answers[0]?.type === 'dataset-cancelled' && answers[0].reason).toMatch(
      /^60 images at 8×8 px need 0\.0 GB of browser storage, and this browser can give the studio about 0\.0 GB\. Nothing was read\./,
    );
  });
});

describe('source test images for forgetting', () => {
  it('keeps at most SOURCE_TEST_PER_CLASS images of each source class, whatever the folder size', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx, { valueRange: [-1, 1], sourceClasses: ['top', 'bottom'] });
    await loadSourceTest(
      ctx,
      {
        type: 'load-source-test',
        id: 'source-1',
        files: [...tinyFolder(SOURCE_TEST_PER_CLASS + 20), file('d/other/x.png', 'img-x:0')],
      },
      reply,
    );
    const labels = ctx.sourceTest?.labels ?? [];
    expect(labels.filter((l) => l === 0)).toHaveLength(SOURCE_TEST_PER_CLASS);
    expect(labels.filter((l) => l === 1)).toHaveLength(SOURCE_TEST_PER_CLASS);
    expect(ctx.sourceTest?.images).toHaveLength(2 * SOURCE_TEST_PER_CLASS);
    expect(posted).toEqual([{ type: 'source-test-loaded' }]);
  });

  it('ends with its answer also when the model has no source classes (nothing kept)', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx);
    await loadSourceTest(
      ctx,
      { type: 'load-source-test', id: 'source-1', files: tinyFolder(2) },
      reply,
    );
    expect(ctx.sourceTest).toBeNull();
    expect(posted).toEqual([{ type: 'source-test-loaded' }]);
  });
});

describe('probe job', () => {
  it('answers probe-stopped, its own end, when stopped before it finished', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx);
    await loadDataset(
      ctx,
      { type: 'load-dataset', id: 'dataset-1', files: tinyFolder(4), skipped: [] },
      reply,
    );
    posted.length = 0;
    ctx.stops.add('probe-1');
    await runProbe(ctx, { type: 'probe', id: 'probe-1', perClass: 4, seed: 1 }, reply);
    expect(posted).toEqual([{ type: 'probe-stopped' }]);
    expect(ctx.stops.size).toBe(0);
  });

  it('ends with the probe points when it runs to the end', async () => {
    const { ctx, posted, reply } = context();
    await withTinyModel(ctx);
    await loadDataset(
      ctx,
      { type: 'load-dataset', id: 'dataset-1', files: tinyFolder(4), skipped: [] },
      reply,
    );
    posted.length = 0;
    await runProbe(ctx, { type: 'probe', id: 'probe-1', perClass: 4, seed: 1 }, reply);
    const last = posted.at(-1);
    expect(last?.type).toBe('probe-result');
    expect(last?.type === 'probe-result' && last.points.length).toBeGreaterThan(0);
    expect(posted.slice(0, -1).every((m) => m.type === 'probe-progress')).toBe(true);
  });
});

describe('a folder handed over in parts', () => {
  it('reads the files sent ahead together with the last part; a stop before it reads none', async () => {
    const { ctx, posted, reply } = context();
    const files = tinyFolder(6);
    ctx.pendingFiles.set('dataset-1', files.slice(0, 8));
    ctx.pendingFiles.set('dataset-0', files.slice(0, 2));
    await loadDataset(
      ctx,
      {
        type: 'load-dataset',
        id: 'dataset-1',
        files: files.slice(8),
        skipped: [],
        chunked: true,
      },
      reply,
    );
    expect(posted.find((m) => m.type === 'dataset')).toMatchObject({
      classes: [
        { name: 'bottom', count: 6 },
        { name: 'top', count: 6 },
      ],
    });
    expect(ctx.pendingFiles.size).toBe(0);

    ctx.pendingFiles.set('dataset-2', tinyFolder(3));
    ctx.stops.add('dataset-2');
    posted.length = 0;
    await loadDataset(
      ctx,
      {
        type: 'load-dataset',
        id: 'dataset-2',
        files: [],
        skipped: [],
        chunked: true,
      },
      reply,
    );
    expect(posted.map((m) => m.type)).toEqual(['dataset-cancelled']);
    expect(ctx.dataset?.images).toHaveLength(12);
    expect(ctx.stops.size).toBe(0);
  });
});
