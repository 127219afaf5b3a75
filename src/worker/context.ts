/**
 * What the worker's jobs share: the loaded model and dataset, the source test images,
 * the frozen-prefix cache and stop requests. Jobs take a context and a `reply` typed to
 * their own answers instead of reaching for `self`, so each can be tested without a Worker
 * and none can send an answer that belongs to another job.
 */
import {
  IMAGE_MEMORY_BUDGET_BYTES,
  MIN_SHARED_PASS_IMAGES,
  type BackendReport,
  type DatasetFile,
  type ModelCard,
  type SkippedFile,
} from '../domain';
import type { ClassifiedFile } from '../data/folder-rules';
import type { DecodeResult } from '../data/decode';
import type { ModelArtifacts, Network } from '../model/load';
import type { PrefixCache } from '../training/engine';
import type { ImageSet } from '../data/image-set';
import { openPixelStore, type PixelStore } from './pixel-store';
import type { PrefixPool } from './prefix-pool';
import type { PrefixHelpers } from '../training/prefix';
import type { JobName, Reply, Request } from './protocol';
import { switchTo } from '../training/switch';

export interface LoadedModel {
  card: ModelCard;
  /** Artifacts at the input size the network is built for now. */
  artifacts: ModelArtifacts;
  resolution: number;
  version: number;
}

export interface Dataset {
  version: number;
  /** Usable files, kept so the images can be decoded again at another input size. */
  files: ClassifiedFile[];
  classNames: string[];
  /** uint8 pixels at `size` × `size`, one per file: in memory, or in IndexedDB past the budget. */
  images: ImageSet;
  labels: number[];
  size: number;
  skipped: SkippedFile[];
}

/** The source task's test images (for a model that keeps its source head), to measure forgetting. */
export interface SourceTest {
  modelVersion: number;
  images: Uint8Array[];
  labels: number[];
  /** Accuracy of the untouched pretrained network, measured once. */
  before: number | null;
}

export interface Decoder {
  decode: (file: Blob) => Promise<DecodeResult>;
}

/** Sends one answer of job `J` (the worker adds the job's id); `transfer` moves buffers. */
export type ReplyTo<J extends JobName> = (answer: Reply<J>, transfer?: Transferable[]) => void;

/** The job `J`: reads its request, answers through `reply`, throws a sentence for the user. */
export type JobHandler<J extends JobName> = (
  ctx: WorkerContext,
  req: Request<J>,
  reply: ReplyTo<J>,
) => Promise<void>;

export interface WorkerContext {
  /** Decodes images at a given side (OffscreenCanvas in the worker; a fake in tests). */
  makeDecoder: (size: number) => Decoder;
  report: BackendReport | null;
  model: LoadedModel | null;
  dataset: Dataset | null;
  sourceTest: SourceTest | null;
  prefixCache: PrefixCache | null;
  /** Decoded images past this many bytes go to IndexedDB. */
  budgetBytes: number;
  /** IndexedDB for datasets past the memory budget (opened on first use). */
  pixels: () => PixelStore;
  /** The classifier in use for predictions and export (one at a time). */
  classifier: { key: string; model: Network; classNames: string[]; size: number } | null;
  /** Files of a large folder that arrived ahead of its `load-dataset`, by job id. */
  pendingFiles: Map<string, DatasetFile[]>;
  /** Ids of the jobs asked to stop. */
  stops: Set<string>;
  /** Counter for model/dataset versions and user model ids. */
  versions: number;
  /** Workers that share the frozen prefix's pass (null: none, as in tests). */
  prefixPool: PrefixPool | null;
}

export function createContext(
  makeDecoder: WorkerContext['makeDecoder'],
  pixels: WorkerContext['pixels'] = once(() => openPixelStore()),
): WorkerContext {
  return {
    makeDecoder,
    pixels,
    budgetBytes: IMAGE_MEMORY_BUDGET_BYTES,
    report: null,
    model: null,
    dataset: null,
    sourceTest: null,
    prefixCache: null,
    classifier: null,
    pendingFiles: new Map(),
    stops: new Set(),
    versions: 0,
    prefixPool: null,
  };
}

/** The next version number (models, datasets and user model ids share one counter). */
export function nextVersion(ctx: WorkerContext): number {
  return ++ctx.versions;
}

/**
 * Runs a forward-only job on the backend chosen for inference (the fastest one for a
 * network: on a machine with only a software GPU, wasm), then returns to the active one.
 */
export async function onInferenceBackend<T>(ctx: WorkerContext, job: () => Promise<T>): Promise<T> {
  if (!ctx.report) throw new Error('The worker has no backend yet.');
  await switchTo(ctx.report.jobs.features);
  try {
    return await job();
  } finally {
    await switchTo(ctx.report.active);
  }
}

/** The job, run on the backend chosen for inference (see `onInferenceBackend`). */
export const forInference =
  <J extends JobName>(job: JobHandler<J>): JobHandler<J> =>
  (ctx, req, reply) =>
    onInferenceBackend(ctx, () => job(ctx, req, reply));

/** How the current model wants its input. */
export function inputSpecOf(model: LoadedModel) {
  return {
    size: model.resolution,
    channels: model.card.channels,
    valueRange: model.card.valueRange,
  };
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/**
 * Helpers for the frozen prefix of the current model, when its pass runs on wasm (one core
 * per worker; the helpers run wasm too), the machine has cores to share it with and the dataset
 * is large enough to gain. Called when a model or a dataset arrives too, so the helpers
 * build their copies while the user sets up the run.
 */
export function prefixHelpersOf(ctx: WorkerContext): PrefixHelpers | null {
  const features = ctx.report?.jobs.features;
  if (!ctx.model || !ctx.prefixPool || features !== 'wasm') return null;
  if ((ctx.dataset?.images.length ?? 0) < MIN_SHARED_PASS_IMAGES) return null;
  return ctx.prefixPool.helpersFor(ctx.model.artifacts, inputSpecOf(ctx.model));
}
