/**
 * The training worker's prefix helpers (training/prefix.ts): one worker per core, each
 * with its own copy of the network, started when a model and a dataset large enough are
 * loaded (so the first run finds them ready), kept for the next run and stopped after
 * IDLE_RELEASE_MS without work. A helper that cannot start, or fails, is given up for good and the training
 * worker computes on its own, as it would with no helpers.
 */
import type { ModelArtifacts } from '../model/load';
import type { InputSpec } from '../model/preprocess';
import type { PrefixHelpers, PrefixRows } from '../training/prefix';
import type { FromPrefixHelper, ToPrefixHelper } from '../training/prefix-helper';

/** At most this many helpers (each holds a copy of the network and a batch). */
export const MAX_PREFIX_HELPERS = 4;
/**
 * Helpers idle this long are stopped (each holds its wasm memory, hundreds of MB at 224 px)
 * and started again when a model, a dataset or a run needs them.
 */
export const IDLE_RELEASE_MS = 120_000;
/** Networks whose weights are larger than this are not copied into helpers. */
export const MAX_HELPER_WEIGHT_BYTES = 64 * 1024 * 1024;

export interface WorkerLike {
  postMessage(message: ToPrefixHelper, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<FromPrefixHelper>) => void) | null;
  onerror: ((event: Event) => void) | null;
  terminate(): void;
}

const defaultHelper = (): WorkerLike =>
  new Worker(new URL('./prefix-helper-worker.ts', import.meta.url), {
    type: 'module',
    name: 'thaw-prefix-helper',
  }) as unknown as WorkerLike;

interface Lane {
  worker: WorkerLike;
  backend: string | null;
  batches: number;
  ms: number;
  /** Settles when the helper holds the network last sent to it. */
  ready: Promise<void>;
  settle: { resolve: () => void; reject: (e: Error) => void };
  pending: Map<number, { resolve: (rows: PrefixRows) => void; reject: (e: Error) => void }>;
}

function weightBytes(artifacts: ModelArtifacts): number {
  const data = artifacts.weightData;
  if (!data) return 0;
  return Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
}

export interface PrefixPool {
  /** Helpers holding this network, or null when there is no point or no way (one core, a huge network, a failure). */
  helpersFor(artifacts: ModelArtifacts, spec: InputSpec): PrefixHelpers | null;
  /** How many helpers share a pass (0 on one core, or once given up). */
  size(): number;
  /** Per helper: the backend it runs on (once ready), batches run and their time in ms. */
  stats(): { backend: string | null; batches: number; ms: number }[];
  /** Helper workers alive now (they stop when idle and start again when needed). */
  running(): number;
  terminate(): void;
}

export function createPrefixPool(
  count: number,
  makeWorker: () => WorkerLike = defaultHelper,
  idleMs: number = IDLE_RELEASE_MS,
): PrefixPool {
  const n = Math.min(MAX_PREFIX_HELPERS, Math.max(0, Math.floor(count)));
  let lanes: Lane[] = [];
  let broken = n < 2;
  let holding: { artifacts: ModelArtifacts; spec: InputSpec } | null = null;
  let nextId = 0;
  let idle: ReturnType<typeof setTimeout> | null = null;

  const stop = () => {
    if (idle !== null) clearTimeout(idle);
    idle = null;
    for (const lane of lanes) {
      for (const p of lane.pending.values()) p.reject(new Error('prefix helper stopped'));
      lane.worker.terminate();
    }
    lanes = [];
    holding = null;
  };
  const giveUp = () => {
    broken = true;
    stop();
  };
  /** (Re)starts the idle clock; when it runs out with nothing pending, the helpers stop. */
  const touch = () => {
    if (idle !== null) clearTimeout(idle);
    idle = setTimeout(() => {
      idle = null;
      if (lanes.every((l) => l.pending.size === 0)) stop();
      else touch();
    }, idleMs);
  };

  /** Sends the network to a lane; its next batches wait until the helper has built it. */
  const prepare = (lane: Lane, artifacts: ModelArtifacts, spec: InputSpec) => {
    lane.ready = new Promise<void>((resolve, reject) => (lane.settle = { resolve, reject }));
    lane.ready.catch(() => undefined);
    lane.worker.postMessage({ type: 'model', artifacts, spec });
  };

  const startLane = (): Lane => {
    const lane: Lane = {
      worker: makeWorker(),
      backend: null,
      batches: 0,
      ms: 0,
      pending: new Map(),
      ready: Promise.resolve(),
      settle: { resolve: () => undefined, reject: () => undefined },
    };
    lane.worker.onmessage = (event) => {
      const m = event.data;
      if (m.type === 'ready') {
        lane.backend = m.backend;
        return lane.settle.resolve();
      }
      if (m.type === 'rows') {
        lane.batches += 1;
        lane.ms += m.ms;
        lane.pending.get(m.id)?.resolve({ values: m.values, shape: m.shape });
        lane.pending.delete(m.id);
        touch();
        return;
      }
      if (m.id === null) lane.settle.reject(new Error(m.message));
      else lane.pending.get(m.id)?.reject(new Error(m.message));
      lane.pending.delete(m.id ?? -1);
      giveUp();
    };
    lane.worker.onerror = () => {
      lane.settle.reject(new Error('prefix helper could not start'));
      giveUp();
    };
    return lane;
  };

  const helpers: PrefixHelpers = {
    count: n,
    run(lane, pixels, k) {
      const l = lanes[lane];
      if (broken || !l) return Promise.reject(new Error('prefix helpers are not running'));
      const id = ++nextId;
      touch();
      return l.ready.then(
        () =>
          new Promise<PrefixRows>((resolve, reject) => {
            if (broken) return reject(new Error('prefix helpers are not running'));
            l.pending.set(id, { resolve, reject });
            l.worker.postMessage({ type: 'run', id, k, pixels });
          }),
      );
    },
  };

  return {
    helpersFor(artifacts, spec) {
      if (broken || weightBytes(artifacts) > MAX_HELPER_WEIGHT_BYTES) return null;
      if (
        holding?.artifacts !== artifacts ||
        JSON.stringify(holding.spec) !== JSON.stringify(spec)
      ) {
        if (lanes.length === 0) lanes = Array.from({ length: n }, startLane);
        for (const lane of lanes) prepare(lane, artifacts, spec);
        holding = { artifacts, spec };
      }
      touch();
      return broken ? null : helpers;
    },
    size: () => (broken ? 0 : n),
    stats: () => lanes.map(({ backend, batches, ms }) => ({ backend, batches, ms })),
    running: () => lanes.length,
    terminate: giveUp,
  };
}
