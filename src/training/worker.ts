/// <reference lib="webworker" />
/**
 * The training worker: all tfjs work happens here. It owns the decoded dataset (uint8),
 * the loaded model, and the feature cache, and answers the UI with numbers only.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend, switchTo } from './backends';
import { extractFeatures } from './features';
import { trainSoftmaxHead } from './head';
import type { BackendName, BackendReport, ClassCount, FromWorker, RunTimings, SkippedFile, ToWorker } from './protocol';
import { classifyFolder } from '../data/folder-rules';
import { ImageDecoder } from '../data/decode';
import { stratifiedSplit } from '../data/split';
import { buildModel, featureExtractor, fetchModelArtifacts } from '../model/load';
import { describeLayers } from '../model/inspect';
import { catalogEntry, type CatalogEntry } from '../model/catalog';

declare const self: DedicatedWorkerGlobalScope;

interface LoadedModel {
  entry: CatalogEntry;
  artifacts: tf.io.ModelArtifacts;
  /** The feature extractor built on `backend`, or null until a job needs it. */
  extractor: tf.LayersModel | null;
  full: tf.LayersModel | null;
  backend: string;
}

interface Dataset {
  version: number;
  classNames: string[];
  images: Uint8Array[];
  labels: number[];
  size: number;
}

let report: BackendReport | null = null;
let model: LoadedModel | null = null;
let dataset: Dataset | null = null;
let datasetVersion = 0;
let featureCache: { key: string; features: Float32Array; dim: number } | null = null;
const stopRequests = new Set<string>();
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker): void {
  self.postMessage(message);
}

function disposeBuilt(m: LoadedModel): void {
  m.full?.dispose();
  m.extractor = null;
  m.full = null;
}

/** The feature extractor on the current backend, rebuilt from artifacts when the backend changed. */
async function extractorHere(m: LoadedModel): Promise<tf.LayersModel> {
  if (m.extractor && m.backend === tf.getBackend()) return m.extractor;
  disposeBuilt(m);
  const full = await buildModel(m.artifacts);
  m.full = full;
  m.extractor = featureExtractor(full, m.entry.featureLayer);
  m.backend = tf.getBackend();
  return m.extractor;
}

async function init(runId: string, choice: Parameters<typeof selectBackend>[0]): Promise<void> {
  if (model) disposeBuilt(model);
  report = await selectBackend(choice);
  post({ type: 'backend', runId, report });
}

async function loadModel(runId: string, modelId: string, url: string): Promise<void> {
  const entry = catalogEntry(modelId);
  if (!entry) throw new Error(`Unknown model "${modelId}".`);
  const artifacts = await fetchModelArtifacts(url);
  const next: LoadedModel = { entry, artifacts, extractor: null, full: null, backend: '' };
  // Inspect on the active backend; this also proves the weights load.
  const extractor = await extractorHere(next);
  const featureDim = (extractor.outputs[0]?.shape ?? []).slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
  if (model) disposeBuilt(model);
  model = next;
  featureCache = null;
  post({
    type: 'model',
    runId,
    info: {
      id: entry.id,
      name: entry.name,
      inputSize: entry.inputSize,
      featureLayer: entry.featureLayer,
      featureDim,
      totalParams: extractor.countParams(),
      layers: describeLayers(extractor),
    },
  });
}

async function loadDataset(runId: string, files: Parameters<typeof classifyFolder>[0], skippedBefore: SkippedFile[]): Promise<void> {
  const size = model?.entry.inputSize ?? 224;
  const { files: usable, classNames, skipped: byName } = classifyFolder(files);
  const skipped = [...skippedBefore, ...byName];
  const decoder = new ImageDecoder(size);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const counts = new Map<string, number>();
  let lastPost = 0;
  for (let i = 0; i < usable.length; i++) {
    const f = usable[i]!;
    const result = await decoder.decode(f.file);
    if (result.ok) {
      images.push(result.pixels);
      labels.push(classNames.indexOf(f.className));
      counts.set(f.className, (counts.get(f.className) ?? 0) + 1);
    } else {
      skipped.push({ path: f.path, reason: result.reason });
    }
    if (performance.now() - lastPost > 100 || i === usable.length - 1) {
      post({ type: 'decode-progress', runId, done: i + 1, total: usable.length });
      lastPost = performance.now();
    }
  }
  // A class whose every file failed to decode is not a class.
  const kept = classNames.filter((c) => (counts.get(c) ?? 0) > 0);
  const remap = classNames.map((c) => kept.indexOf(c));
  dataset = { version: ++datasetVersion, classNames: kept, images, labels: labels.map((l) => remap[l]!), size };
  featureCache = null;
  const classes: ClassCount[] = kept.map((name) => ({ name, count: counts.get(name) ?? 0 }));
  post({ type: 'dataset', runId, classes, skipped, inputSize: size });
}

async function train(runId: string, params: Extract<ToWorker, { type: 'train' }>['params']): Promise<void> {
  if (!model) throw new Error('No model is loaded yet.');
  if (!dataset || dataset.images.length === 0) throw new Error('No dataset is loaded yet.');
  if (!report) throw new Error('The worker has no backend yet.');
  const m = model;
  const data = dataset;
  const before = tf.memory().numTensors;
  const stopped = () => stopRequests.has(runId);
  const key = `${m.entry.id}@${data.version}`;
  let featuresMs = 0;
  let featuresBackend: BackendName | null = null;
  if (featureCache?.key !== key) {
    if (!(await switchTo(report.jobs.features))) await switchTo(report.active);
    featuresBackend = tf.getBackend() as BackendName;
    const t0 = performance.now();
    const extractor = await extractorHere(m);
    let lastPost = 0;
    const result = await extractFeatures(extractor, {
      images: data.images,
      size: data.size,
      valueRange: m.entry.valueRange,
      shouldStop: stopped,
      onProgress: (done) => {
        if (performance.now() - lastPost > 100 || done === data.images.length) {
          post({ type: 'features-progress', runId, done, total: data.images.length, cached: false });
          lastPost = performance.now();
        }
      },
    });
    if (!result) {
      finish(runId, true, 0, 0, before, null);
      return;
    }
    featuresMs = performance.now() - t0;
    featureCache = { key, ...result };
  } else {
    post({ type: 'features-progress', runId, done: data.images.length, total: data.images.length, cached: true });
  }
  const cache = featureCache;
  if (!(await switchTo(report.jobs.head))) await switchTo(report.active);
  const split = stratifiedSplit(data.labels, params.validationFraction, params.seed);
  const headBackend = tf.getBackend() as BackendName;
  const t1 = performance.now();
  const result = await trainSoftmaxHead({
    features: cache.features,
    dim: cache.dim,
    labels: data.labels,
    numClasses: data.classNames.length,
    split,
    learningRate: params.learningRate,
    epochs: params.epochs,
    batchSize: params.batchSize,
    seed: params.seed,
    shouldStop: stopped,
    onBatches: (points) => post({ type: 'batches', runId, points }),
    onEpoch: (metrics) => post({ type: 'epoch', runId, metrics, totalEpochs: params.epochs }),
  });
  const last = result.history[result.history.length - 1];
  const timings: RunTimings = { images: data.images.length, featuresMs, featuresBackend, headMs: performance.now() - t1, headBackend };
  finish(runId, result.stopped, last?.valAccuracy ?? 0, result.epochsRun, before, timings);
}

function finish(runId: string, stopped: boolean, valAccuracy: number, epochsRun: number, before: number, timings: RunTimings | null): void {
  stopRequests.delete(runId);
  const numTensors = tf.memory().numTensors;
  post({ type: 'done', runId, stopped, valAccuracy, epochsRun, timings, numTensors, numTensorsBefore: before });
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      return init(msg.runId, msg.backend);
    case 'load-model':
      return loadModel(msg.runId, msg.modelId, msg.url);
    case 'load-dataset':
      return loadDataset(msg.runId, msg.files, msg.skipped);
    case 'train':
      return train(msg.runId, msg.params);
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
      stopRequests.delete(msg.runId);
      const message = err instanceof Error ? err.message : String(err);
      post({ type: 'error', runId: msg.runId ?? '', message });
    }),
  );
};
