/**
 * What the worker's jobs share: the loaded model and dataset, the source test images,
 * the frozen-prefix cache, stop requests, and the way out (`post`). Jobs take a context
 * instead of reaching for `self`, so each can be tested without a Worker.
 */
import {
  IMAGE_MEMORY_BUDGET_BYTES,
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
import type { FromWorker } from './protocol';
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

export interface WorkerContext {
  post: (message: FromWorker, transfer?: Transferable[]) => void;
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
  /** Files of a large folder that arrived ahead of its `load-dataset`, by runId. */
  pendingFiles: Map<string, DatasetFile[]>;
  /** Run ids asked to stop. */
  stops: Set<string>;
  /** Counter for model/dataset versions and user model ids. */
  versions: number;
}

export function createContext(
  post: WorkerContext['post'],
  makeDecoder: WorkerContext['makeDecoder'],
  pixels: WorkerContext['pixels'] = once(() => openPixelStore()),
): WorkerContext {
  return {
    post,
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
