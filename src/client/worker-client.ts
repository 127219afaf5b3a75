/**
 * Main thread: the one place that talks to the training worker. It posts typed requests,
 * keeps which job each open request id belongs to, hands each answer that is still current
 * to a listener with its job's name, and restarts a worker that
 * died — re-sending the backend choice, the model and the dataset, so nothing the user
 * did is lost. It knows nothing of the store: the app wires the listener to it.
 *
 * A worker can also stop without an `error` event (`self.close()`, or the browser killing
 * it). No timer can tell that from a long batch, so the client uses the Web Locks API: each
 * worker holds a lock of its own for as long as it lives, and once it says so the client
 * asks for the same lock — granted only when the worker is gone. A grant for a worker the
 * client ended itself (restart, terminate) is ignored. Without `navigator.locks` (Node,
 * insecure origins) there is no such check.
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
import {
  endsJob,
  type FromWorker,
  type JobName,
  type Jobs,
  type LockHeldMessage,
  type Request,
  type ToWorker,
} from '../worker/protocol';

/**
 * Files per message when a folder is handed to the worker: cloning a File costs about
 * 0.4 ms on the page's thread in Chromium, so 50,000 in one message froze the page for
 * 20 s; parts of 250 keep each task well under 200 ms.
 */
export const HANDOFF_CHUNK = 250;

/** Kinds of job: the worker protocol's job names, which are their requests' types. */
export type Job = JobName;

export interface ClientListener {
  /**
   * An answer to the newest request of its kind (answers to older ones are dropped), with
   * the name of the job it answers.
   */
  onMessage: (message: FromWorker, job: Job) => void;
  /**
   * The worker died and was restarted; `running` lists the jobs that were cut off.
   * `silent`: it stopped without an error (closed or killed); `reason` then says just that.
   */
  onCrash: (reason: string, running: Job[], silent: boolean) => void;
}

/** The part of the Web Locks API the client needs: `navigator.locks`, or a fake in tests. */
export interface LockManagerLike {
  request: (name: string, callback: () => unknown) => Promise<unknown>;
}

/** The reason given when the worker stopped without an error event. */
export const SILENT_STOP = 'The training worker stopped without an error.';

const defaultLocks = (): LockManagerLike | null =>
  typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks
    ? navigator.locks
    : null;

/**
 * A stamp no other client (tab, reload) uses: it prefixes the lock names, and the request
 * ids — a training run's id is its run's, kept with the run in storage, so ids must not
 * repeat after a reload.
 */
const sessionStamp = (): string =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

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
  /**
   * `memoryBudgetBytes`: decoded images past it are kept in browser storage. A large folder
   * is handed over in parts between which the page can paint; `onHandoff` counts the files passed.
   */
  loadDataset: (
    files: DatasetFile[],
    skipped: SkippedFile[],
    memoryBudgetBytes?: number,
    onHandoff?: (done: number, total: number) => void,
  ) => string;
  loadSourceTest: (files: DatasetFile[]) => string;
  train: (params: TrainParams, plan: LayerPlan) => string;
  /** The learning-rate range test with these parameters and plan. */
  lrFind: (params: TrainParams, plan: LayerPlan) => string;
  probe: (perClass: number, seed: number) => string;
  featureMaps: (path: string, layer: string) => string;
  useClassifier: (classifier: ClassifierSpec) => string;
  /** `flip`: test-time augmentation (each image's probabilities averaged with its mirror image's). */
  predict: (key: string, files: DatasetFile[], flip?: boolean) => string;
  /** Classifies a camera frame (the bitmap is transferred). */
  predictFrame: (key: string, frame: ImageBitmap, flip?: boolean) => string;
  exportModel: (key: string) => string;
  exportJob: (featureLayer: string) => string;
  /** Stops the running training, probe or learning-rate test, if any. */
  stop: () => void;
  /** Stops reading a folder; the worker keeps the dataset it had and says so (`dataset-cancelled`). */
  cancelDataset: () => void;
  /** The files of the dataset last sent (they stay on this thread too, for thumbnails). */
  datasetFiles: () => readonly DatasetFile[];
  terminate: () => void;
}

const defaultWorker = () =>
  new Worker(new URL('../worker/worker.ts', import.meta.url), {
    type: 'module',
    name: 'thaw-training',
  });

export function createWorkerClient(
  listener: ClientListener,
  makeWorker: () => Worker = defaultWorker,
  locks: LockManagerLike | null = defaultLocks(),
): WorkerClient {
  let worker: Worker;
  /** Counts the workers started; a lock grant for any but the current one is ignored. */
  let generation = 0;
  const stamp = sessionStamp();
  const lockPrefix = `thaw-worker-${stamp}`;
  let counter = 0;
  /** A new request id, `<job>-<n>-<stamp>`: read by people only (the job is kept in `open`). */
  const nextId = (job: Job) => `${job}-${++counter}-${stamp.slice(0, 8)}`;
  /** The one rule for stale answers: only the newest request of each kind is current. */
  const latest: Partial<Record<Job, string>> = {};
  /** Requests sent and not yet answered with a final answer: id → job. */
  const open = new Map<string, Job>();
  /** Folder reads the user cancelled (their hand-off stops early). */
  const cancelled = new Set<string>();
  let lastBackend: BackendChoice = 'auto';
  let lastModel: {
    source: ModelSource;
    resolution: number | null;
    valueRange?: [number, number];
  } | null = null;
  type DatasetSent = { files: DatasetFile[]; skipped: SkippedFile[]; memoryBudgetBytes?: number };
  let lastDataset: DatasetSent | null = null;
  /** The dataset the worker holds (read to the end): what a cancelled read goes back to. */
  let loadedDataset: DatasetSent | null = null;

  /** Opens a job: a new id, the newest of its kind. */
  const begin = (job: Job): string => {
    const id = nextId(job);
    latest[job] = id;
    open.set(id, job);
    return id;
  };

  const request = <J extends Job>(
    job: J,
    fields: Jobs[J]['request'],
    transfer: Transferable[] = [],
  ): string => {
    const id = begin(job);
    worker.postMessage({ ...fields, type: job, id } as Request<J>, transfer);
    return id;
  };

  const onMessage = (msg: FromWorker) => {
    const job = open.get(msg.id);
    // Not an open job's: a worker restarted since, or an answer after the final one.
    if (!job) return;
    if (endsJob(job, msg.type)) open.delete(msg.id);
    if (latest[job] !== msg.id) return;
    if (msg.type === 'dataset') loadedDataset = lastDataset;
    if (msg.type === 'dataset-cancelled') lastDataset = loadedDataset;
    listener.onMessage(msg, job);
  };

  const spawn = () => {
    const gen = ++generation;
    worker = makeWorker();
    worker.onmessage = (event: MessageEvent<FromWorker | LockHeldMessage>) => {
      if (event.data.type === 'lock-held') watch(gen, event.data.name);
      else onMessage(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      restart(event.message || 'The training worker stopped unexpectedly.');
    };
    if (locks)
      worker.postMessage({ type: 'hold-lock', name: `${lockPrefix}-${gen}` } satisfies ToWorker);
  };

  /** The worker `gen` holds the lock `name`: getting it means that worker is gone. */
  const watch = (gen: number, name: string) => {
    if (!locks || gen !== generation) return;
    locks
      .request(name, () => {
        if (gen === generation) restart(SILENT_STOP, true);
      })
      .catch((err: unknown) => console.warn('Worker liveness check unavailable', err));
  };

  /** Ends the current worker on purpose: its lock, let go now, is no sign of a silent stop. */
  const end = () => {
    generation++;
    worker.terminate();
  };

  const restart = (reason: string, silent = false) => {
    end();
    const running = (['train', 'probe', 'lr-find'] as const).filter((j) =>
      [...open.values()].includes(j),
    );
    open.clear();
    spawn();
    client.setBackend(lastBackend);
    if (lastModel) client.loadModel(lastModel.source, lastModel.resolution, lastModel.valueRange);
    if (lastDataset)
      client.loadDataset(lastDataset.files, lastDataset.skipped, lastDataset.memoryBudgetBytes);
    listener.onCrash(reason, running, silent);
  };

  const client: WorkerClient = {
    setBackend: (backend) => {
      lastBackend = backend;
      return request('init', { backend });
    },
    loadModel: (source, resolution, valueRange) => {
      lastModel = { source, resolution, valueRange };
      return request('load-model', { source, resolution, ...(valueRange ? { valueRange } : {}) });
    },
    reloadModel: (resolution, valueRange) =>
      lastModel
        ? client.loadModel(lastModel.source, resolution, valueRange ?? lastModel.valueRange)
        : null,
    loadDataset: (files, skipped, memoryBudgetBytes, onHandoff) => {
      lastDataset = { files, skipped, memoryBudgetBytes };
      const message = (id: string, part: DatasetFile[], chunked: boolean): ToWorker => ({
        type: 'load-dataset',
        id,
        files: part,
        skipped,
        ...(memoryBudgetBytes !== undefined ? { memoryBudgetBytes } : {}),
        ...(chunked ? { chunked } : {}),
      });
      const id = begin('load-dataset');
      if (files.length <= HANDOFF_CHUNK) {
        worker.postMessage(message(id, files, false));
        return id;
      }
      const target = worker;
      const current = () => latest['load-dataset'] === id && worker === target;
      void (async () => {
        let sent = 0;
        while (files.length - sent > HANDOFF_CHUNK && current() && !cancelled.has(id)) {
          const part = files.slice(sent, sent + HANDOFF_CHUNK);
          target.postMessage({ type: 'dataset-files', id, files: part } satisfies ToWorker);
          sent += part.length;
          onHandoff?.(sent, files.length);
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
        // Superseded or restarted: the newer read carries on. Cancelled: the worker answers
        // for the files it has (it was told to stop, so it reads none of them).
        if (!current()) return;
        const rest = cancelled.has(id) ? [] : files.slice(sent);
        target.postMessage(message(id, rest, true));
      })();
      return id;
    },
    loadSourceTest: (files) => request('load-source-test', { files }),
    train: (params, plan) => request('train', { params, plan }),
    lrFind: (params, plan) => request('lr-find', { params, plan }),
    probe: (perClass, seed) => request('probe', { perClass, seed }),
    featureMaps: (path, layer) => request('feature-maps', { path, layer }),
    useClassifier: (classifier) => request('use-classifier', { classifier }),
    predict: (key, files, flip) => request('predict', { key, files, ...(flip ? { flip } : {}) }),
    predictFrame: (key, frame, flip) =>
      request('predict-frame', { key, frame, ...(flip ? { flip } : {}) }, [frame]),
    exportModel: (key) => request('export-model', { key }),
    exportJob: (featureLayer) => request('export-job', { featureLayer }),
    stop: () => {
      for (const job of ['train', 'probe', 'lr-find'] as const) {
        const id = latest[job];
        if (id && open.has(id)) worker.postMessage({ type: 'stop', id } satisfies ToWorker);
      }
    },
    cancelDataset: () => {
      const id = latest['load-dataset'];
      if (!id || !open.has(id)) return;
      cancelled.add(id);
      worker.postMessage({ type: 'stop', id } satisfies ToWorker);
    },
    datasetFiles: () => lastDataset?.files ?? [],
    terminate: end,
  };
  spawn();
  return client;
}
