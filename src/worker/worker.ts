/// <reference lib="webworker" />
/**
 * The training worker: all tfjs work happens here. This file is only the dispatcher —
 * a table from job name to handler (one module each under `jobs/`), each handed a `reply`
 * typed to its own answers, and the queue that runs them one at a time. The immediate
 * requests skip the queue: `stop` and `dataset-files` so they can act while a job runs,
 * `hold-lock` for the lock this worker holds for as long as it lives (its liveness signal).
 */
import { ImageDecoder } from '../data/decode';
import { createContext, type JobHandler, type ReplyTo } from './context';
import { createPrefixPool } from './prefix-pool';
import { featureMaps } from './jobs/feature-maps';
import { loadSourceTest } from './jobs/forgetting';
import { initBackend } from './jobs/init';
import { loadDataset } from './jobs/load-dataset';
import { loadModel } from './jobs/load-model';
import { lrFind } from './jobs/lr-find';
import { runProbe } from './jobs/probe';
import { train } from './jobs/train';
import { exportJob } from './jobs/export-job';
import { exportModel, predict, predictFrame, useClassifier } from './jobs/predict';
import type {
  FromWorker,
  HoldLockRequest,
  ImmediateName,
  JobName,
  LockHeldMessage,
  Request,
  ToWorker,
} from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/** Each job's handler: the compiler checks that it takes that job's request and answers. */
const JOBS: { [J in JobName]: JobHandler<J> } = {
  init: initBackend,
  'load-model': loadModel,
  'load-dataset': loadDataset,
  'load-source-test': loadSourceTest,
  train,
  'lr-find': lrFind,
  probe: runProbe,
  'feature-maps': featureMaps,
  'use-classifier': useClassifier,
  predict,
  'predict-frame': predictFrame,
  'export-model': exportModel,
  'export-job': exportJob,
};

const post = (message: FromWorker, transfer: Transferable[] = []) =>
  self.postMessage(message, transfer);
const ctx = createContext((size) => new ImageDecoder(size));
// One prefix helper per core: the frozen network's pass over the images runs on all of them.
ctx.prefixPool = createPrefixPool(self.navigator.hardwareConcurrency ?? 1);
let queue: Promise<void> = Promise.resolve();

/** Runs the job of `req`; its answers, and the error it may throw, go out under its id. */
async function run<J extends JobName>(type: J, req: Request<J>): Promise<void> {
  const reply: ReplyTo<J> = (answer, transfer) =>
    post({ ...answer, id: req.id } as FromWorker, transfer);
  try {
    const handler: JobHandler<J> | undefined = JOBS[type];
    if (!handler) throw new Error(`Unknown request type: ${type}`);
    await handler(ctx, req, reply);
  } catch (err) {
    post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'stop') {
    ctx.stops.add(msg.id);
    return;
  }
  if (msg.type === 'dataset-files') {
    const files = ctx.pendingFiles.get(msg.id) ?? [];
    for (const f of msg.files) files.push(f);
    ctx.pendingFiles.set(msg.id, files);
    return;
  }
  if (msg.type === 'hold-lock') {
    holdLock(msg);
    return;
  }
  const job: Request = msg satisfies Exclude<ToWorker, { type: ImmediateName }>;
  queue = queue.then(() => run(job.type, job));
};

/**
 * Takes the lock `msg.name` and never lets it go: the browser releases it only when this
 * worker's global scope ends (terminated, closed, or killed), which is what the client waits for.
 */
function holdLock(msg: HoldLockRequest): void {
  void self.navigator.locks?.request(msg.name, () => {
    self.postMessage({ type: 'lock-held', name: msg.name } satisfies LockHeldMessage);
    return new Promise<never>(() => {});
  });
}
