/**
 * The one place the UI talks to the training worker. It posts typed requests, turns the
 * worker's answers into store updates, and restarts a worker that died — re-sending the
 * backend choice, the model and the dataset, so nothing the user did is lost.
 */
import { useStudio } from '../state/store';
import { catalogEntry } from '../model/catalog';
import { droppedItems, filesFromEntries, filesFromInput } from '../data/traverse';
import type {
  BackendChoice,
  DatasetFile,
  FromWorker,
  ModelSource,
  SkippedFile,
  ToWorker,
} from './protocol';

type Job = 'init' | 'model' | 'dataset' | 'train' | 'source' | 'probe' | 'maps';

let worker: Worker | null = null;
let counter = 0;
const jobs = new Map<string, Job>();
let lastDataset: { name: string; files: DatasetFile[]; skipped: SkippedFile[] } | null = null;
let lastModel: ModelSource | null = null;
/** The newest request of each kind: answers to older ones are outdated and ignored. */
const latest: Partial<Record<Job, string>> = {};

const store = () => useStudio.getState();

function nextId(job: Job): string {
  const id = `${job}-${++counter}`;
  jobs.set(id, job);
  latest[job] = id;
  return id;
}

function send(message: ToWorker): void {
  worker?.postMessage(message);
}

function onMessage(msg: FromWorker): void {
  const s = store();
  const job = jobs.get(msg.runId);
  if (job && job !== 'train' && latest[job] !== msg.runId) {
    // e.g. the backend report of an init the user has already overridden.
    if (
      msg.type === 'backend' ||
      msg.type === 'model' ||
      msg.type === 'dataset' ||
      msg.type === 'error' ||
      msg.type === 'probe-result' ||
      msg.type === 'feature-maps'
    )
      jobs.delete(msg.runId);
    return;
  }
  switch (msg.type) {
    case 'backend':
      s.setBackendReport(msg.report);
      break;
    case 'model':
      s.setModel(msg.info);
      if (msg.info.card.sourceSample) void sendSourceTest(msg.info.card.sourceSample);
      break;
    case 'decode-progress':
      s.setDecodeProgress(msg.done, msg.total);
      break;
    case 'dataset':
      s.setDataset(msg.classes, msg.skipped);
      break;
    case 'features-progress':
      if (msg.runId === s.runId) s.setFeaturesProgress(msg.done, msg.total, msg.cached);
      break;
    case 'batches':
      if (msg.runId === s.runId) s.addBatches(msg.points);
      break;
    case 'epoch':
      if (msg.runId === s.runId) s.addEpoch(msg.metrics);
      break;
    case 'drift':
      if (msg.runId === s.runId) s.setDrift(msg.drift);
      break;
    case 'evaluation':
      if (msg.runId === s.runId) s.setEvaluation(msg.evaluation);
      break;
    case 'probe-progress':
      if (msg.runId === s.probe.runId) useStudio.setState({ probeProgress: msg.done });
      break;
    case 'feature-maps':
      s.setFeatureMaps(msg.maps, null);
      break;
    case 'probe-result':
      if (msg.runId === s.probe.runId) s.setProbe({ status: 'done', points: msg.points });
      break;
    case 'done':
      if (msg.runId === s.runId) {
        s.finishRun(
          msg.stopped,
          msg.valAccuracy,
          { before: msg.numTensorsBefore, after: msg.numTensors },
          msg.timings,
        );
      }
      break;
    case 'error':
      reportError(job, msg.message);
      break;
    default: {
      const unknown: never = msg;
      console.warn('Unknown message from the worker', unknown);
    }
  }
  if (
    msg.type === 'done' ||
    msg.type === 'error' ||
    msg.type === 'model' ||
    msg.type === 'dataset' ||
    msg.type === 'backend' ||
    msg.type === 'probe-result' ||
    msg.type === 'feature-maps'
  ) {
    jobs.delete(msg.runId);
  }
}

function reportError(job: Job | undefined, message: string): void {
  const s = store();
  if (job === 'init') s.setBackendReport(null, message);
  else if (job === 'model') s.setModelError(message);
  else if (job === 'dataset') s.setDatasetError(message);
  else if (job === 'source') console.warn(`Source test images: ${message}`);
  else if (job === 'probe') s.setProbe({ status: 'error', error: message });
  else if (job === 'maps') s.setFeatureMaps(null, message);
  else s.failRun(message);
}

function spawn(): void {
  worker = new Worker(new URL('./worker.ts', import.meta.url), {
    type: 'module',
    name: 'thaw-training',
  });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    restartAfterCrash(event.message || 'The training worker stopped unexpectedly.');
  };
}

function restartAfterCrash(reason: string): void {
  const s = store();
  const running = s.phase === 'features' || s.phase === 'training';
  worker?.terminate();
  jobs.clear();
  if (running)
    s.failRun(
      `The training worker crashed (${reason}). It was restarted; your dataset and settings are kept — press Train to try again.`,
    );
  spawn();
  setBackend(s.backendChoice);
  if (lastModel)
    send({
      type: 'load-model',
      runId: nextId('model'),
      source: lastModel,
      resolution: s.model?.resolution ?? null,
    });
  if (lastDataset) sendDataset(lastDataset.name, lastDataset.files, lastDataset.skipped);
}

/** Starts the worker with the current backend choice and model. Safe to call twice. */
export function startStudio(): void {
  if (worker) return;
  spawn();
  setBackend(store().backendChoice);
  loadModel(store().modelId);
}

export function setBackend(choice: BackendChoice): void {
  store().setBackendChoice(choice);
  store().setBackendReport(null);
  send({ type: 'init', runId: nextId('init'), backend: choice });
}

/** Loads a catalog model, optionally rebuilt for another input size. */
export function loadModel(modelId: string, resolution: number | null = null): void {
  const entry = catalogEntry(modelId);
  if (!entry) {
    store().setModelError(`Unknown model "${modelId}".`);
    return;
  }
  store().setModelLoading(modelId);
  lastModel = { kind: 'catalog', modelId, url: new URL(entry.url, location.href).href };
  send({ type: 'load-model', runId: nextId('model'), source: lastModel, resolution });
}

/** Loads the user's own layers model from dropped/picked files (model.json + shards). */
export function loadModelFiles(files: File[]): void {
  store().setModelLoading(store().modelId);
  lastModel = { kind: 'files', files };
  send({ type: 'load-model', runId: nextId('model'), source: lastModel, resolution: null });
}

/** Loads the user's own layers model from a model.json URL. */
export function loadModelUrl(url: string): void {
  let href: string;
  try {
    href = new URL(url, location.href).href;
  } catch {
    store().setModelError(`"${url}" is not a URL.`);
    return;
  }
  store().setModelLoading(store().modelId);
  lastModel = { kind: 'url', url: href };
  send({ type: 'load-model', runId: nextId('model'), source: lastModel, resolution: null });
}

/** Rebuilds the loaded network for another input size (same weights). */
export function setResolution(resolution: number): void {
  const current = store().model;
  if (!current || !lastModel) return;
  store().setModelLoading(current.card.id);
  send({ type: 'load-model', runId: nextId('model'), source: lastModel, resolution });
}

function sendDataset(name: string, files: DatasetFile[], skipped: SkippedFile[]): void {
  for (const url of imageUrls.values()) URL.revokeObjectURL(url);
  imageUrls.clear();
  lastDataset = { name, files, skipped };
  store().setDatasetLoading(name, files.length);
  send({ type: 'load-dataset', runId: nextId('dataset'), files, skipped });
}

/** Takes the files of a picked folder (`<input webkitdirectory>`). */
export function loadPickedFolder(list: FileList): void {
  const files = filesFromInput(list);
  const name = files[0]?.path.split('/')[0] ?? 'Picked folder';
  sendDataset(name, files, []);
}

/** Takes dropped folders (or files); must be called inside the drop handler. */
export function loadDropped(transfer: DataTransfer): void {
  const { entries, files } = droppedItems(transfer);
  if (files.length > 0) {
    sendDataset(
      'Dropped files',
      files.map((file) => ({ path: file.name, file })),
      [],
    );
    return;
  }
  const name =
    entries.length === 1
      ? (entries[0]?.name ?? 'Dropped folder')
      : `${entries.length} dropped folders`;
  store().setDatasetLoading(name, 0);
  filesFromEntries(entries)
    .then((files) => sendDataset(name, files, []))
    .catch((err: unknown) =>
      store().setDatasetError(`Could not read the dropped folder: ${String(err)}`),
    );
}

export interface SampleInfo {
  id: string;
  name: string;
  description: string;
}

export const SAMPLES: readonly SampleInfo[] = [
  {
    id: 'fashion-target',
    name: 'Fashion target',
    description:
      'Fashion-MNIST: Pullover, Dress, Shirt, Sneaker, Ankle boot — 40 images each (28×28 grey). Similar domain for the teaching CNN.',
  },
  {
    id: 'digits',
    name: 'Digits',
    description:
      'Handwritten digits (MNIST), 40 images per class (28×28 grey). A different domain for the teaching CNN.',
  },
];

/** Fetches a bundled sample's files: ordinary class folders served under /samples/. */
async function sampleFiles(id: string, name: string): Promise<DatasetFile[]> {
  const base = `${import.meta.env.BASE_URL}samples/${id}/`;
  const res = await fetch(`${base}manifest.json`);
  if (!res.ok) throw new Error(`no sample "${id}" (HTTP ${res.status})`);
  const manifest = (await res.json()) as { classes: { name: string; files: string[] }[] };
  const wanted = manifest.classes.flatMap((c) => c.files.map((f) => `${c.name}/${f}`));
  return Promise.all(
    wanted.map(async (rel) => {
      const r = await fetch(base + rel.split('/').map(encodeURIComponent).join('/'));
      if (!r.ok) throw new Error(`${rel}: HTTP ${r.status}`);
      return { path: `${name}/${rel}`, file: await r.blob() };
    }),
  );
}

/** Loads a bundled sample as the dataset. */
export async function loadSample(sample: SampleInfo): Promise<void> {
  store().setDatasetLoading(sample.name, 0);
  try {
    sendDataset(sample.name, await sampleFiles(sample.id, sample.name), []);
  } catch (err) {
    store().setDatasetError(
      `Could not load the sample "${sample.name}": ${(err as Error).message}`,
    );
  }
}

/** Gives the worker the source task's test images of a model that keeps its source head. */
async function sendSourceTest(id: string): Promise<void> {
  try {
    send({ type: 'load-source-test', runId: nextId('source'), files: await sampleFiles(id, id) });
  } catch (err) {
    console.warn(`Source test sample unavailable: ${(err as Error).message}`);
  }
}

const imageUrls = new Map<string, string>();

/** An object URL for a dataset image by its path (for showing misclassified images), or null. */
export function imageUrl(path: string): string | null {
  const cached = imageUrls.get(path);
  if (cached) return cached;
  const file = lastDataset?.files.find((f) => f.path === path)?.file;
  if (!file) return null;
  const url = URL.createObjectURL(file);
  imageUrls.set(path, url);
  return url;
}

/** Asks for one layer's activations on one dataset image. */
export function requestFeatureMaps(path: string, layer: string): void {
  send({ type: 'feature-maps', runId: nextId('maps'), path, layer });
}

/** Paths of the first image of each class (for choosing an image to look inside). */
export function exampleImages(perClass = 3): string[] {
  const byClass = new Map<string, string[]>();
  for (const f of lastDataset?.files ?? []) {
    const parts = f.path.split('/');
    const cls = parts.length > 2 ? parts[parts.length - 2]! : (parts[0] ?? '');
    const list = byClass.get(cls) ?? [];
    if (list.length < perClass && /\.(png|jpe?g|gif|webp|bmp|avif)$/i.test(f.path))
      list.push(f.path);
    byClass.set(cls, list);
  }
  return [...byClass.values()].flat();
}

/** Runs the layer probe (pretrained vs random weights) on a small subsample of the dataset. */
export function runProbe(perClass = 20): void {
  const runId = nextId('probe');
  store().setProbe({ status: 'running', points: [], error: null, runId });
  send({ type: 'probe', runId, perClass, seed: store().params.seed });
}

export function train(): void {
  const runId = nextId('train');
  store().startRun(runId);
  const { params, plan } = store();
  send({ type: 'train', runId, params, plan });
}

export function stop(): void {
  const runId = store().runId;
  if (runId) send({ type: 'stop', runId });
}
