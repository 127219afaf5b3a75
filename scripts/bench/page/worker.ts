/**
 * The benchmark's baseline worker: the same images, the same layers trained, the same
 * backend, timed two ways in one worker —
 * 1. the studio's engine (`trainWithPlan`): the frozen prefix runs once per image and is
 *    cached, each epoch runs only the trained layers on the cached activations;
 * 2. the naive way: tfjs `model.fit` on the full network with the same layers set
 *    `trainable = false`, which runs every frozen layer on every image in every epoch.
 * Repetitions alternate, so both see the same machine load.
 */
import * as tf from '@tensorflow/tfjs';
import {
  CACHE_BUDGET_BYTES,
  DEFAULT_PARAMS,
  type JobBackends,
  type LayerMode,
  type LayerPlan,
  type TrainParams,
} from '../../../src/domain';
import { ImageDecoder } from '../../../src/data/decode';
import { stratifiedSplit, type Split } from '../../../src/data/split';
import { buildModel, fetchModelArtifacts } from '../../../src/model/load';
import { toModelInput, type InputSpec } from '../../../src/model/preprocess';
import { resizeArtifacts } from '../../../src/model/resize';
import { selectBackend } from '../../../src/training/backends';
import { trainWithPlan } from '../../../src/training/engine';
import { switchTo } from '../../../src/training/switch';
import type { BaselineConfig, BaselineReply, EngineRep, MicroResult, NaiveRep } from './protocol';
import { MemoryImages } from '../../../src/data/image-set';
import type { PrefixHelpers } from '../../../src/training/prefix';
import { createPrefixPool } from '../../../src/worker/prefix-pool';

const post = (reply: BaselineReply) => (self as unknown as Worker).postMessage(reply);

self.onmessage = async (e: MessageEvent<BaselineConfig>) => {
  try {
    post(await run(e.data));
  } catch (err) {
    post({ type: 'error', message: (err as Error).message ?? String(err) });
  }
};

/** Frozen up to `freezeUpTo`, fine-tuned from there to the feature layer (the studio's "Freeze up to"). */
function planOf(model: tf.LayersModel, config: BaselineConfig): LayerPlan {
  const names = model.layers.map((l) => l.name);
  const cut = names.indexOf(config.freezeUpTo);
  const end = names.indexOf(config.model.featureLayer);
  if (cut < 0 || end < 0)
    throw new Error(`No layer ${config.freezeUpTo} or ${config.model.featureLayer}`);
  const modes: Record<string, LayerMode> = {};
  model.layers.forEach((l, i) => {
    if (l.countParams() > 0 && i <= end) modes[l.name] = i <= cut ? 'frozen' : 'fine-tune';
  });
  return { modes, featureLayer: config.model.featureLayer };
}

/** One convolution, timed on its own (see `BaselineConfig.micro`). */
function micro(
  m: NonNullable<BaselineConfig['micro']>,
  backend: MicroResult['backend'],
): MicroResult {
  const x = tf.randomUniform(m.input, -1, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform(m.filter, -0.1, 0.1, 'float32', 2) as tf.Tensor4D;
  const once = () => {
    const y = tf.conv2d(x, w, 1, 'same');
    y.dataSync();
    y.dispose();
  };
  once();
  once();
  const ms: number[] = [];
  for (let i = 0; i < m.reps; i++) {
    const t = performance.now();
    once();
    ms.push(performance.now() - t);
  }
  tf.dispose([x, w]);
  return { type: 'micro', backend, ms };
}

async function run(config: BaselineConfig): Promise<BaselineReply> {
  const backend = await selectBackend(config.backend, { wasmThreads: config.threads });
  if (config.micro) return micro(config.micro, backend);
  const jobs: JobBackends = backend.jobs;
  const base = await fetchModelArtifacts(config.model.url);
  const artifacts =
    config.model.size === config.model.nativeSize ? base : resizeArtifacts(base, config.model.size);
  const spec: InputSpec = {
    size: config.model.size,
    channels: config.model.channels,
    valueRange: config.model.valueRange,
  };
  // As in the studio, the helpers build their copies of the network while the images load.
  const pool = config.featureWorkers ? createPrefixPool(config.featureWorkers) : null;
  const helpers = pool?.helpersFor(artifacts, spec) ?? null;

  const t0 = performance.now();
  const decoder = new ImageDecoder(config.model.size);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (const { url, label } of config.images) {
    const decoded = await decoder.decode(await (await fetch(url)).blob());
    if (!decoded.ok) throw new Error(`${url}: ${decoded.reason}`);
    images.push(decoded.pixels);
    labels.push(label);
  }
  const decodeMs = performance.now() - t0;

  const params: TrainParams = {
    ...DEFAULT_PARAMS,
    epochs: config.epochs,
    batchSize: config.batchSize,
    earlyStopping: { ...DEFAULT_PARAMS.earlyStopping, enabled: false },
  };
  const split = stratifiedSplit(
    labels,
    params.validationFraction,
    params.seed,
    params.testFraction,
  );
  const probe = await buildModel(artifacts);
  const plan = planOf(probe, config);
  probe.dispose();

  const engine: EngineRep[] = [];
  const naive: NaiveRep[] = [];
  let trainableParams = { engine: 0, naive: 0 };
  let frozenPrefixLayers = 0;
  let naiveError: string | null = null;
  for (let rep = 0; rep < config.reps; rep++) {
    const e = await engineRun(
      artifacts,
      spec,
      plan,
      params,
      images,
      labels,
      split,
      config,
      jobs,
      helpers,
    );
    engine.push(e.rep);
    trainableParams.engine = e.trainableParams;
    frozenPrefixLayers = e.frozenPrefixLayers;
    if (config.engineOnly) continue;
    try {
      const n = await naiveRun(artifacts, spec, params, images, labels, split, config, jobs);
      naive.push(n.rep);
      trainableParams = { ...trainableParams, naive: n.trainableParams };
    } catch (err) {
      // model.fit keeps every layer's activations of a batch for the backward pass; on a
      // large network that can exhaust the backend's memory, after which it is unusable.
      naiveError = (err as Error).message ?? String(err);
      break;
    }
  }
  return {
    type: 'result' as const,
    backend,
    images: images.length,
    trainImages: split.train.length,
    validationImages: split.validation.length,
    decodeMs,
    trainableParams,
    frozenPrefixLayers,
    featureWorkers: pool?.size() ?? 0,
    helperStats: pool?.stats() ?? [],
    engine,
    naive,
    naiveError,
  };
}

async function engineRun(
  artifacts: tf.io.ModelArtifacts,
  spec: InputSpec,
  plan: LayerPlan,
  params: TrainParams,
  images: Uint8Array[],
  labels: number[],
  split: Split,
  config: BaselineConfig,
  backends: JobBackends,
  prefixHelpers: PrefixHelpers | null,
) {
  const before = tf.memory().numTensors;
  const start = performance.now();
  let prefixEnd = start;
  const marks: number[] = [];
  const result = await trainWithPlan({
    artifacts,
    spec,
    plan,
    params,
    images: new MemoryImages(images, spec.size),
    labels,
    numClasses: config.numClasses,
    split,
    cacheKey: `bench-${Math.random()}`,
    cache: null,
    cacheBudgetBytes: CACHE_BUDGET_BYTES,
    prefixHelpers: () => prefixHelpers,
    backends,
    shouldStop: () => false,
    onPrefixProgress: (done, total) => {
      if (done >= total) prefixEnd = performance.now();
    },
    onBatches: () => {},
    onEpoch: () => marks.push(performance.now()),
  });
  const epochMs = marks.map((t, i) => t - (i === 0 ? prefixEnd : marks[i - 1]!));
  await switchTo(backends.features);
  return {
    rep: {
      prefixMs: result.prefixMs,
      epochMs,
      totalMs: performance.now() - start,
      tensorsLeft: tf.memory().numTensors - before,
    },
    trainableParams: result.trainableParams,
    frozenPrefixLayers: result.frozenPrefixLayers,
  };
}

async function naiveRun(
  artifacts: tf.io.ModelArtifacts,
  spec: InputSpec,
  params: TrainParams,
  images: Uint8Array[],
  labels: number[],
  split: Split,
  config: BaselineConfig,
  backends: JobBackends,
) {
  // The same backend the engine trains the network on.
  if (!(await switchTo(backends.fineTune)))
    throw new Error(`${backends.fineTune} is not available`);
  const before = tf.memory().numTensors;
  const start = performance.now();
  const full = await buildModel(artifacts);
  const names = full.layers.map((l) => l.name);
  const cut = names.indexOf(config.freezeUpTo);
  const features = full.getLayer(config.model.featureLayer).output as tf.SymbolicTensor;
  const pooled =
    features.shape.length === 4
      ? (tf.layers.globalAveragePooling2d({}).apply(features) as tf.SymbolicTensor)
      : features;
  const head = tf.layers.dense({ units: config.numClasses, activation: 'softmax' });
  const model = tf.model({ inputs: full.inputs, outputs: head.apply(pooled) as tf.SymbolicTensor });
  full.layers.forEach((layer, i) => (layer.trainable = i > cut));
  model.compile({
    optimizer: tf.train.adam(params.learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const trainableParams =
    model.trainableWeights.reduce(
      (n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
      0,
    ) - head.countParams();
  const pick = (idx: number[]) =>
    toModelInput(
      idx.map((i) => images[i]!),
      spec,
    );
  const onehot = (idx: number[]) =>
    tf.oneHot(
      tf.tensor1d(
        idx.map((i) => labels[i]!),
        'int32',
      ),
      config.numClasses,
    );
  const xTrain = pick(split.train);
  const yTrain = onehot(split.train);
  const xVal = pick(split.validation);
  const yVal = onehot(split.validation);
  const fitStart = performance.now();
  const marks: number[] = [];
  try {
    await model.fit(xTrain, yTrain, {
      epochs: params.epochs,
      batchSize: params.batchSize,
      shuffle: true,
      validationData: [xVal, yVal],
      verbose: 0,
      callbacks: { onEpochEnd: async () => void marks.push(performance.now()) },
    });
  } finally {
    tf.dispose([xTrain, yTrain, xVal, yVal]);
    model.optimizer.dispose();
    full.dispose();
    head.dispose();
  }
  const epochMs = marks.map((t, i) => t - (i === 0 ? fitStart : marks[i - 1]!));
  const rep: NaiveRep = {
    setupMs: fitStart - start,
    epochMs,
    totalMs: performance.now() - start,
    tensorsLeft: tf.memory().numTensors - before,
  };
  await switchTo(backends.features);
  return { rep, trainableParams };
}
