/**
 * Main thread: the one place that talks to the training worker. It posts typed requests,
 * hands each answer that is still current to a listener, and restarts a worker that
 * died — re-sending the backend choice, the model and the dataset, so nothing the user
 * did is lost. It knows nothing of the store: the app wires the listener to it.
 */
import type {
  DatasetFile,
  LayerPlan,
  BackendChoice,
  ModelSource,
  SkippedFile,
  TrainParams,
  ClassifierSpec,
} from '../domain';
import { FINAL_MESSAGES, type FromWorker, type ToWorker } from '../worker/protocol';

/** Kinds of job; a request's runId is `<job>-<n>`. */
export type Job =
  | 'init'
  | 'model'
  | 'dataset'
  | 'train'
  | 'source'
  | 'probe'
  | 'maps'
  | 'classifier'
  | 'predict'
  | 'frame'
  | 'export'
  | 'job';

export interface ClientListener {
  /** An answer to the newest request of its kind (answers to older ones are dropped). */
  onMessage: (message: FromWorker, job: Job) => void;
  /** The worker died and was restarted; `running` lists the jobs that were cut off. */
  onCrash: (reason: string, running: Job[]) => void;
}

export interface WorkerClient {
  setBackend: (choice: BackendChoice) => string;
  /** `valueRange`: the pixel range the user chose for their own model. */
  loadModel: (
    source: ModelSource,
    resolution: number | null,
    valueRange?: [number, number],
  ) => string;
  /** Rebuilds the last model for another input size or pixel range (same weights). */
  reloadModel: (resolution: number, valueRange?: [number, number]) => string | null;
  loadDataset: (files: DatasetFile[], skipped: SkippedFile[]) => string;
  loadSourceTest: (files: DatasetFile[]) => string;
  train: (params: TrainParams, plan: LayerPlan) => string;
  probe: (perClass: number, seed: number) => string;
  featureMaps: (path: string, layer: string) => string;
  useClassifier: (classifier: ClassifierSpec) => string;
  predict: (key: string, files: DatasetFile[]) => string;
  /** Classifies a camera frame (the bitmap is transferred). */
  predictFrame: (key: string, frame: ImageBitmap) => string;
  exportModel: (key: string) => string;
  exportJob: (featureLayer: string) => string;
  /** Stops the running training or probe job, if any. */
  stop: () => void;
  /** The files of the dataset last sent (they stay on this thread too, for thumbnails). */
  datasetFiles: () => readonly DatasetFile[];
  terminate: () => void;
}

/** The job a runId belongs to. */
export function jobOf(runId: string): Job {
  return runId.slice(0, runId.lastIndexOf('-')) as Job;
}

const defaultWorker = () =>
  new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'thaw-training',
  });

export function createWorkerClient(
  listener: ClientListener,
  makeWorker: () => Worker = defaultWorker,
): WorkerClient {
  let worker: Worker;
  let counter = 0;
  /** The one rule for stale answers: only the newest request of each kind is current. */
  const latest: Partial<Record<Job, string>> = {};
  /** Jobs sent and not yet answered with a final message. */
  const open = new Set<string>();
  let lastBackend: BackendChoice = 'auto';
  let lastModel: {
    source: ModelSource;
    resolution: number | null;
    valueRange?: [number, number];
  } | null = null;
  let lastDataset: { files: DatasetFile[]; skipped: SkippedFile[] } | null = null;

  const request = (
    job: Job,
    make: (runId: string) => ToWorker,
    transfer: Transferable[] = [],
  ): string => {
    const runId = `${job}-${++counter}`;
    latest[job] = runId;
    open.add(runId);
    worker.postMessage(make(runId), transfer);
    return runId;
  };

  const onMessage = (msg: FromWorker) => {
    const job = jobOf(msg.runId);
    if (FINAL_MESSAGES.has(msg.type)) open.delete(msg.runId);
    if (latest[job] !== msg.runId) return;
    listener.onMessage(msg, job);
  };

  const spawn = () => {
    worker = makeWorker();
    worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      restart(event.message || 'The training worker stopped unexpectedly.');
    };
  };

  const restart = (reason: string) => {
    worker.terminate();
    const running = [...open].map(jobOf).filter((j) => j === 'train' || j === 'probe');
    open.clear();
    spawn();
    client.setBackend(lastBackend);
    if (lastModel) client.loadModel(lastModel.source, lastModel.resolution, lastModel.valueRange);
    if (lastDataset) client.loadDataset(lastDataset.files, lastDataset.skipped);
    listener.onCrash(reason, running);
  };

  const client: WorkerClient = {
    setBackend: (backend) => {
      lastBackend = backend;
      return request('init', (runId) => ({ type: 'init', runId, backend }));
    },
    loadModel: (source, resolution, valueRange) => {
      lastModel = { source, resolution, valueRange };
      return request('model', (runId) => ({
        type: 'load-model',
        runId,
        source,
        resolution,
        ...(valueRange ? { valueRange } : {}),
      }));
    },
    reloadModel: (resolution, valueRange) =>
      lastModel
        ? client.loadModel(lastModel.source, resolution, valueRange ?? lastModel.valueRange)
        : null,
    loadDataset: (files, skipped) => {
      lastDataset = { files, skipped };
      return request('dataset', (runId) => ({ type: 'load-dataset', runId, files, skipped }));
    },
    loadSourceTest: (files) =>
      request('source', (runId) => ({ type: 'load-source-test', runId, files })),
    train: (params, plan) => request('train', (runId) => ({ type: 'train', runId, params, plan })),
    probe: (perClass, seed) =>
      request('probe', (runId) => ({ type: 'probe', runId, perClass, seed })),
    featureMaps: (path, layer) =>
      request('maps', (runId) => ({ type: 'feature-maps', runId, path, layer })),
    useClassifier: (classifier) =>
      request('classifier', (runId) => ({ type: 'use-classifier', runId, classifier })),
    predict: (key, files) =>
      request('predict', (runId) => ({ type: 'predict', runId, key, files })),
    predictFrame: (key, frame) =>
      request('frame', (runId) => ({ type: 'predict-frame', runId, key, frame }), [frame]),
    exportModel: (key) => request('export', (runId) => ({ type: 'export-model', runId, key })),
    exportJob: (featureLayer) =>
      request('job', (runId) => ({ type: 'export-job', runId, featureLayer })),
    stop: () => {
      for (const job of ['train', 'probe'] as const) {
        const runId = latest[job];
        if (runId && open.has(runId))
          worker.postMessage({ type: 'stop', runId } satisfies ToWorker);
      }
    },
    datasetFiles: () => lastDataset?.files ?? [],
    terminate: () => worker.terminate(),
  };
  spawn();
  return client;
}
