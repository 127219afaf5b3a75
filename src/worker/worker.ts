/// <reference lib="webworker" />
/**
 * The training worker: all tfjs work happens here. This file is only the dispatcher —
 * a table from message type to job (one module each under `jobs/`) and the queue that
 * runs them one at a time. `stop` skips the queue so it can act while a job runs, and so
 * does `hold-lock`, the lock this worker holds for as long as it lives (its liveness signal).
 */
import { ImageDecoder } from '../data/decode';
import { createContext, type WorkerContext } from './context';
import { featureMaps } from './jobs/feature-maps';
import { loadSourceTest } from './jobs/forgetting';
import { initBackend } from './jobs/init';
import { loadDataset } from './jobs/load-dataset';
import { loadModel } from './jobs/load-model';
import { runProbe } from './jobs/probe';
import { train } from './jobs/train';
import { exportJob } from './jobs/export-job';
import { exportModel, predict, predictFrame, useClassifier } from './jobs/predict';
import type { HoldLockRequest, LockHeldMessage, ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/** Requests that skip the queue. */
type Immediate = 'stop' | 'hold-lock' | 'dataset-files';

type Handlers = {
  [T in Exclude<ToWorker['type'], Immediate>]: (
    ctx: WorkerContext,
    msg: Extract<ToWorker, { type: T }>,
  ) => Promise<void>;
};

const JOBS: Handlers = {
  init: initBackend,
  'load-model': loadModel,
  'load-dataset': loadDataset,
  'load-source-test': loadSourceTest,
  train,
  probe: runProbe,
  'feature-maps': featureMaps,
  'use-classifier': useClassifier,
  predict,
  'predict-frame': predictFrame,
  'export-model': exportModel,
  'export-job': exportJob,
};

const ctx = createContext(
  (message, transfer = []) => self.postMessage(message, transfer),
  (size) => new ImageDecoder(size),
);
let queue: Promise<void> = Promise.resolve();

function run(msg: Exclude<ToWorker, { type: Immediate }>): Promise<void> {
  const handler = JOBS[msg.type] as
    ((ctx: WorkerContext, msg: ToWorker) => Promise<void>) | undefined;
  if (!handler) throw new Error(`Unknown message type: ${(msg as { type: string }).type}`);
  return handler(ctx, msg);
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  if (msg.type === 'stop') {
    ctx.stops.add(msg.runId);
    return;
  }
  if (msg.type === 'dataset-files') {
    const files = ctx.pendingFiles.get(msg.runId) ?? [];
    for (const f of msg.files) files.push(f);
    ctx.pendingFiles.set(msg.runId, files);
    return;
  }
  if (msg.type === 'hold-lock') {
    holdLock(msg);
    return;
  }
  queue = queue.then(() =>
    run(msg).catch((err: unknown) =>
      ctx.post({
        type: 'error',
        runId: msg.runId ?? '',
        message: err instanceof Error ? err.message : String(err),
      }),
    ),
  );
};

/**
 * Takes the lock `msg.name` and never lets it go: the browser releases it only when this
 * worker's global scope ends (terminated, closed, or killed), which is what the client waits for.
 */
function holdLock(msg: HoldLockRequest): void {
  void self.navigator.locks?.request(msg.name, () => {
    self.postMessage({
      type: 'lock-held',
      runId: msg.runId,
      name: msg.name,
    } satisfies LockHeldMessage);
    return new Promise<never>(() => {});
  });
}
