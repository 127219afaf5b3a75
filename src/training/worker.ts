/// <reference lib="webworker" />
/**
 * The training worker: all tfjs work happens here. It owns the decoded dataset (uint8),
 * the network's artifacts, and the frozen-prefix cache, and answers with numbers only.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backends';
import { switchTo } from './switch';
import { trainWithPlan, type PrefixCache } from './engine';
import type {
  BackendReport,
  ClassCount,
  DatasetFile,
  Evaluation,
  FromWorker,
  LayerPlan,
  ModelCard,
  ModelSource,
  RunTimings,
  SkippedFile,
  ToWorker,
  TrainParams,
} from './protocol';
import { classifyFolder, type ClassifiedFile } from '../data/folder-rules';
import { ImageDecoder } from '../data/decode';
import { mulberry32, shuffleInPlace, stratifiedSplit, type Split } from '../data/split';
import { probe } from './probe';
import { accuracy, confusionMatrix, misclassified, perClassPrecisionRecall } from './metrics';
import {
  artifactsFromFiles,
  buildModel,
  defaultFeatureLayer,
  fetchModelArtifacts,
} from '../model/load';
import { describeLayers } from '../model/inspect';
import { catalogEntry } from '../model/catalog';
import { resizeArtifacts } from '../model/resize';
import { layerGraph, runSteps } from '../model/graph';
import { toModelInput, type InputSpec } from '../model/preprocess';

declare const self: DedicatedWorkerGlobalScope;

/** Largest frozen-prefix cache kept in memory. */
const CACHE_BUDGET_BYTES = 768 * 2 ** 20;

interface LoadedModel {
  card: ModelCard;
  /** Artifacts at the input size the network is built for now. */
  artifacts: tf.io.ModelArtifacts;
  resolution: number;
  version: number;
}

interface Dataset {
  version: number;
  /** Usable files, kept so the images can be decoded again at another input size. */
  files: ClassifiedFile[];
  classNames: string[];
  images: Uint8Array[];
  labels: number[];
  size: number;
  skipped: SkippedFile[];
}

/** The source task's test images (for a model that keeps its source head), to measure forgetting. */
interface SourceTest {
  modelVersion: number;
  images: Uint8Array[];
  labels: number[];
  /** Accuracy of the untouched pretrained network, measured once. */
  before: number | null;
}

let report: BackendReport | null = null;
let sourceTest: SourceTest | null = null;
let model: LoadedModel | null = null;
let dataset: Dataset | null = null;
let versions = 0;
let prefixCache: PrefixCache | null = null;
let customCount = 0;
const stopRequests = new Set<string>();
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker): void {
  self.postMessage(message);
}

async function init(runId: string, choice: Parameters<typeof selectBackend>[0]): Promise<void> {
  report = await selectBackend(choice);
  post({ type: 'backend', runId, report });
}

async function artifactsOf(source: ModelSource): Promise<{
  card: Omit<ModelCard, 'featureLayer' | 'inputSize' | 'resolutions' | 'channels'> &
    Partial<ModelCard>;
  artifacts: tf.io.ModelArtifacts;
}> {
  if (source.kind === 'catalog') {
    const entry = catalogEntry(source.modelId);
    if (!entry) throw new Error(`Unknown model "${source.modelId}".`);
    const artifacts = await fetchModelArtifacts(source.url);
    const card: ModelCard = { ...entry };
    if (entry.cardUrl)
      Object.assign(card, await measuredFacts(new URL(entry.cardUrl, source.url).href, card));
    return { card, artifacts };
  }
  const artifacts =
    source.kind === 'url'
      ? await fetchModelArtifacts(source.url)
      : await artifactsFromFiles(source.files);
  const label =
    source.kind === 'url'
      ? (source.url.split('/').slice(-2, -1)[0] ?? source.url)
      : (source.files.find((f) => f.name.endsWith('.json'))?.name ?? 'model.json');
  const where = source.kind === 'url' ? source.url : 'dropped files';
  return {
    card: {
      id: `custom-${++customCount}`,
      name: `${label} (yours)`,
      source: 'custom',
      valueRange: [0, 1],
      provenanceSummary: `Your model, from ${where}. Pixel range assumed [0, 1].`,
      provenance: [
        `Loaded from ${where}. Thaw cannot know what it was trained on: that is for you to judge.`,
        'Pixels are fed in [0, 1]; if the network was trained on another range, its features will be off.',
      ],
    },
    artifacts,
  };
}

interface CardJson {
  sourceClasses?: { headIndex: number; name: string }[];
  sourceTestAccuracy?: number;
  sourceTestImages?: number;
  trainingImages?: number;
  epochs?: number;
  seed?: number;
  wallTimeSeconds?: { training?: number };
  command?: string;
}

/** Reads the measured facts of a bundled model's card (source classes, measured accuracy). */
async function measuredFacts(url: string, card: ModelCard): Promise<Partial<ModelCard>> {
  const res = await fetch(url);
  if (!res.ok) return {};
  const json = (await res.json()) as CardJson;
  const sourceClasses = json.sourceClasses
    ? [...json.sourceClasses].sort((a, b) => a.headIndex - b.headIndex).map((c) => c.name)
    : undefined;
  const facts: string[] = [];
  if (json.sourceTestAccuracy !== undefined) {
    facts.push(
      `Measured: ${(json.sourceTestAccuracy * 100).toFixed(1)}% accuracy on ${json.sourceTestImages ?? '?'} held-out source test images, after ${json.epochs ?? '?'} epochs on ${json.trainingImages ?? '?'} images (seed ${json.seed ?? '?'}, ${Math.round(json.wallTimeSeconds?.training ?? 0)} s; reproduce with ${json.command ?? 'the pretraining script'}).`,
    );
  }
  return { sourceClasses, provenance: [...card.provenance, ...facts] };
}

async function loadSourceTest(files: DatasetFile[]): Promise<void> {
  if (!model?.card.sourceClasses) return;
  // Folder names cannot hold every character of a class name ("T-shirt/top"): compare letters and digits only.
  const key = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const names = model.card.sourceClasses.map(key);
  const { files: usable } = classifyFolder(files);
  const decoder = new ImageDecoder(model.resolution);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (const f of usable) {
    const label = names.indexOf(key(f.className));
    const result = label >= 0 ? await decoder.decode(f.file) : null;
    if (result?.ok) {
      images.push(result.pixels);
      labels.push(label);
    }
  }
  sourceTest = { modelVersion: model.version, images, labels, before: null };
}

/** Accuracy of the network's own (source) head on the source test images. */
async function sourceAccuracy(
  net: tf.LayersModel,
  spec: InputSpec,
  test: SourceTest,
): Promise<number> {
  const graph = layerGraph(net);
  let hits = 0;
  for (let start = 0; start < test.images.length; start += 64) {
    const idx = test.images.slice(start, start + 64);
    const pred = tf.tidy(() =>
      runSteps(graph, toModelInput(idx, spec), 0, graph.steps.length - 1, () => false).argMax(-1),
    );
    const values = await pred.data();
    pred.dispose();
    values.forEach((p, i) => (hits += p === test.labels[start + i] ? 1 : 0));
  }
  return hits / Math.max(1, test.images.length);
}

async function loadModel(
  runId: string,
  source: ModelSource,
  resolution: number | null,
): Promise<void> {
  const { card: partial, artifacts: base } = await artifactsOf(source);
  // Inspect once at the native size; this also proves the weights load.
  const native = await buildModel(base);
  let card: ModelCard;
  try {
    const shape = native.inputs[0]?.shape ?? [];
    const side = (shape[1] as number | null) ?? 224;
    const channels = shape[3] === 1 ? 1 : 3;
    card = {
      inputSize: side,
      resolutions: [side],
      channels,
      featureLayer: defaultFeatureLayer(native),
      ...partial,
    } as ModelCard;
  } finally {
    native.dispose();
  }
  const size = resolution && card.resolutions.includes(resolution) ? resolution : card.inputSize;
  const artifacts = size === card.inputSize ? base : resizeArtifacts(base, size);
  const built = await buildModel(artifacts);
  try {
    const graph = layerGraph(built);
    const layers = describeLayers(built).map((l, i) => ({ ...l, cutPoint: graph.cut[i] ?? false }));
    model = { card, artifacts, resolution: size, version: ++versions };
    prefixCache = null;
    post({
      type: 'model',
      runId,
      info: { card, resolution: size, totalParams: built.countParams(), layers },
    });
  } finally {
    built.dispose();
  }
  if (dataset && dataset.size !== size)
    await decodeDataset(
      runId,
      dataset.files,
      dataset.classNames,
      dataset.skipped.filter((s) => !s.decodeFailure),
    );
}

async function loadDataset(
  runId: string,
  files: DatasetFile[],
  skippedBefore: SkippedFile[],
): Promise<void> {
  const { files: usable, classNames, skipped } = classifyFolder(files);
  await decodeDataset(runId, usable, classNames, [...skippedBefore, ...skipped]);
}

async function decodeDataset(
  runId: string,
  usable: ClassifiedFile[],
  classNames: string[],
  skippedBefore: SkippedFile[],
): Promise<void> {
  const size = model?.resolution ?? 224;
  const skipped = [...skippedBefore];
  const decoder = new ImageDecoder(size);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const kept: ClassifiedFile[] = [];
  const counts = new Map<string, number>();
  let lastPost = 0;
  for (let i = 0; i < usable.length; i++) {
    const f = usable[i]!;
    const result = await decoder.decode(f.file);
    if (result.ok) {
      images.push(result.pixels);
      labels.push(classNames.indexOf(f.className));
      kept.push(f);
      counts.set(f.className, (counts.get(f.className) ?? 0) + 1);
    } else {
      skipped.push({ path: f.path, reason: result.reason, decodeFailure: true });
    }
    if (performance.now() - lastPost > 100 || i === usable.length - 1) {
      post({ type: 'decode-progress', runId, done: i + 1, total: usable.length });
      lastPost = performance.now();
    }
  }
  // A class whose every file failed to decode is not a class.
  const present = classNames.filter((c) => (counts.get(c) ?? 0) > 0);
  const remap = classNames.map((c) => present.indexOf(c));
  dataset = {
    version: ++versions,
    files: kept,
    classNames: present,
    images,
    labels: labels.map((l) => remap[l]!),
    size,
    skipped,
  };
  prefixCache = null;
  const classes: ClassCount[] = present.map((name) => ({ name, count: counts.get(name) ?? 0 }));
  post({ type: 'dataset', runId, classes, skipped, inputSize: size });
}

async function train(runId: string, params: TrainParams, plan: LayerPlan): Promise<void> {
  if (!model) throw new Error('No model is loaded yet.');
  if (!dataset || dataset.images.length === 0) throw new Error('No dataset is loaded yet.');
  if (!report) throw new Error('The worker has no backend yet.');
  if (dataset.size !== model.resolution)
    throw new Error('The images are still being prepared for this model; try again in a moment.');
  const before = tf.memory().numTensors;
  const data = dataset;
  const split = stratifiedSplit(
    data.labels,
    params.validationFraction,
    params.seed,
    params.testFraction,
  );
  let finished = false;
  const spec: InputSpec = {
    size: model.resolution,
    channels: model.card.channels,
    valueRange: model.card.valueRange,
  };
  const test =
    sourceTest && sourceTest.modelVersion === model.version && sourceTest.images.length > 0
      ? sourceTest
      : null;
  let forgetting: Evaluation['forgetting'] = null;
  try {
    const result = await trainWithPlan({
      artifacts: model.artifacts,
      spec,
      featureLayer: plan.featureLayer,
      modes: plan.modes,
      images: data.images,
      labels: data.labels,
      numClasses: data.classNames.length,
      split,
      params,
      cacheKey: `${model.version}@${data.version}`,
      cache: prefixCache,
      cacheBudgetBytes: CACHE_BUDGET_BYTES,
      backends: report.jobs,
      shouldStop: () => stopRequests.has(runId),
      onPrefixProgress: (done, total, cached) =>
        post({ type: 'features-progress', runId, done, total, cached }),
      onBatches: (points) => post({ type: 'batches', runId, points }),
      onEpoch: (metrics) => post({ type: 'epoch', runId, metrics, totalEpochs: params.epochs }),
      onDrift: (drift) => post({ type: 'drift', runId, drift }),
      onTrained: test
        ? async (trained) => {
            test.before ??= await pristineSourceAccuracy(spec, test);
            forgetting = {
              before: test.before,
              after: await sourceAccuracy(trained, spec, test),
              images: test.images.length,
            };
          }
        : undefined,
    });
    prefixCache = result.cache;
    const projection = {
      ...result.projection,
      labels: split.validation.map((i) => data.labels[i]!),
      featuresTrained: result.trainableParams > 0,
    };
    if (result.epochsRun > 0)
      post({
        type: 'evaluation',
        runId,
        evaluation: { ...evaluate(data, split, result.predictions), forgetting, projection },
      });
    const last = result.history[result.history.length - 1];
    const timings: RunTimings = {
      images: data.images.length,
      featuresMs: result.prefixMs,
      featuresBackend: result.prefixBackend,
      headMs: result.trainMs,
      headBackend: result.trainBackend,
      frozenPrefixLayers: result.frozenPrefixLayers,
      trainableParams: result.trainableParams,
    };
    finished = true;
    finish(runId, result.stopped, last?.valAccuracy ?? 0, result.epochsRun, before, timings);
  } finally {
    if (!finished) stopRequests.delete(runId);
    await switchTo(report.active);
  }
}

/** Confusion matrix and per-class scores on the test split (or validation, when there is no test split). */
async function pristineSourceAccuracy(spec: InputSpec, test: SourceTest): Promise<number> {
  const fresh = await buildModel(model!.artifacts);
  try {
    return await sourceAccuracy(fresh, spec, test);
  } finally {
    fresh.dispose();
  }
}

function evaluate(
  data: Dataset,
  split: Split,
  predictions: { validation: number[]; test: number[] },
): Omit<Evaluation, 'forgetting' | 'projection'> {
  const onTest = split.test.length > 0;
  const indices = onTest ? split.test : split.validation;
  const predicted = onTest ? predictions.test : predictions.validation;
  const truth = indices.map((i) => data.labels[i]!);
  const confusion = confusionMatrix(truth, predicted, data.classNames.length);
  const wrong = misclassified(truth, predicted);
  return {
    split: onTest ? 'test' : 'validation',
    classNames: data.classNames,
    accuracy: accuracy(confusion),
    confusion,
    perClass: perClassPrecisionRecall(confusion),
    misclassified: Object.fromEntries(
      [...wrong].map(([cell, at]) => [cell, at.map((j) => data.files[indices[j]!]!.path)]),
    ),
  };
}

/** The pretrained network's activations at `layer` for one image: 16 channels at most, each stretched to 0..255. */
async function featureMaps(runId: string, path: string, layer: string): Promise<void> {
  if (!model || !dataset) throw new Error('Load a model and a dataset first.');
  const index = dataset.files.findIndex((f) => f.path === path);
  if (index < 0) throw new Error(`No image "${path}" in the dataset.`);
  const net = await buildModel(model.artifacts);
  try {
    const graph = layerGraph(net);
    const end = graph.steps.findIndex((s) => s.layer.name === layer);
    if (end < 0) throw new Error(`No layer "${layer}".`);
    const spec: InputSpec = {
      size: model.resolution,
      channels: model.card.channels,
      valueRange: model.card.valueRange,
    };
    const out = tf.tidy(() => {
      const y = runSteps(graph, toModelInput([dataset!.images[index]!], spec), 0, end, () => false);
      if (y.rank !== 4)
        throw new Error(
          `${layer} has no spatial output (shape ${y.shape.join('×')}); choose a convolution layer.`,
        );
      return y.squeeze([0]) as tf.Tensor3D;
    });
    const [height, width, total] = out.shape;
    const values = (await out.data()) as Float32Array;
    out.dispose();
    const shown = Math.min(16, total);
    const channels = Array.from({ length: shown }, (_, c) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < height * width; i++) {
        const v = values[i * total + c]!;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return Uint8Array.from({ length: height * width }, (_, i) =>
        hi > lo ? Math.round(((values[i * total + c]! - lo) / (hi - lo)) * 255) : 0,
      );
    });
    post({
      type: 'feature-maps',
      runId,
      maps: { layer, path, width, height, channels, totalChannels: total },
    });
  } finally {
    net.dispose();
  }
}

async function runProbe(runId: string, perClass: number, seed: number): Promise<void> {
  if (!model) throw new Error('No model is loaded yet.');
  if (!dataset || dataset.images.length === 0) throw new Error('Load a dataset first.');
  if (!report) throw new Error('The worker has no backend yet.');
  const data = dataset;
  // A seeded subsample of at most `perClass` images per class keeps the probe quick.
  const random = mulberry32(seed);
  const chosen: number[] = [];
  data.classNames.forEach((_, c) => {
    const members = shuffleInPlace(
      data.labels.flatMap((l, i) => (l === c ? [i] : [])),
      random,
    );
    chosen.push(...members.slice(0, perClass));
  });
  await switchTo(report.jobs.features);
  try {
    const points = await probe({
      artifacts: model.artifacts,
      spec: {
        size: model.resolution,
        channels: model.card.channels,
        valueRange: model.card.valueRange,
      },
      featureLayer: model.card.featureLayer,
      images: chosen.map((i) => data.images[i]!),
      labels: chosen.map((i) => data.labels[i]!),
      numClasses: data.classNames.length,
      seed,
      onProgress: (done, total) => post({ type: 'probe-progress', runId, done, total }),
      shouldStop: () => stopRequests.has(runId),
    });
    stopRequests.delete(runId);
    if (points) post({ type: 'probe-result', runId, points });
  } finally {
    await switchTo(report.active);
  }
}

function finish(
  runId: string,
  stopped: boolean,
  valAccuracy: number,
  epochsRun: number,
  before: number,
  timings: RunTimings | null,
): void {
  stopRequests.delete(runId);
  const numTensors = tf.memory().numTensors;
  post({
    type: 'done',
    runId,
    stopped,
    valAccuracy,
    epochsRun,
    timings,
    numTensors,
    numTensorsBefore: before,
  });
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      return init(msg.runId, msg.backend);
    case 'load-model':
      return loadModel(msg.runId, msg.source, msg.resolution);
    case 'load-dataset':
      return loadDataset(msg.runId, msg.files, msg.skipped);
    case 'train':
      return train(msg.runId, msg.params, msg.plan);
    case 'load-source-test':
      return loadSourceTest(msg.files);
    case 'probe':
      return runProbe(msg.runId, msg.perClass, msg.seed);
    case 'feature-maps':
      return featureMaps(msg.runId, msg.path, msg.layer);
    case 'stop':
      return;
    default: {
      const unknown: never = msg;
      throw new Error(`Unknown message type: ${(unknown as { type: string }).type}`);
    }
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  // Stop must act while a job runs, so it skips the queue.
  if (msg.type === 'stop') {
    stopRequests.add(msg.runId);
    return;
  }
  queue = queue.then(() =>
    handle(msg).catch((err: unknown) => {
      post({
        type: 'error',
        runId: msg.runId ?? '',
        message: err instanceof Error ? err.message : String(err),
      });
    }),
  );
};
