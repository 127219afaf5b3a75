/**
 * Messages between the UI thread and the training worker: types only.
 * Both directions are unions discriminated on `type`; every message carries a `runId`
 * (the id of the job it belongs to). Only numbers, strings and Files cross — no tensors.
 */

/** A tfjs backend the worker can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** What the user asked for: a backend, or `auto` (best per job). */
export type BackendChoice = 'auto' | BackendName;

/** Whether the GPU behind webgpu/webgl is real hardware or a software rasterizer. */
export type GpuKind = 'hardware' | 'software' | 'none';

export interface LayerInfo {
  name: string;
  className: string;
  /** e.g. "112×112×32"; several outputs are joined with " | ". */
  outputShape: string;
  params: number;
}

export interface ModelInfo {
  id: string;
  name: string;
  inputSize: number;
  featureLayer: string;
  featureDim: number;
  totalParams: number;
  layers: LayerInfo[];
}

/** One file of a dataset: where it sits in the dropped tree, and its bytes. */
export interface DatasetFile {
  path: string;
  file: Blob;
}

export interface ClassCount {
  name: string;
  count: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface TrainParams {
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  validationFraction: number;
}

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

/** Where a run's time went, for the user and for the benchmark. */
export interface RunTimings {
  images: number;
  /** 0 when the features came from the cache. */
  featuresMs: number;
  featuresBackend: BackendName | null;
  headMs: number;
  headBackend: BackendName;
}

export interface BatchPoint {
  /** Position in epochs: 1.5 = half-way through the second epoch. */
  x: number;
  loss: number;
}

export type ToWorker =
  | { type: 'init'; runId: string; backend: BackendChoice }
  | { type: 'load-model'; runId: string; modelId: string; url: string }
  | { type: 'load-dataset'; runId: string; files: DatasetFile[]; skipped: SkippedFile[] }
  | { type: 'train'; runId: string; params: TrainParams }
  | { type: 'stop'; runId: string };

export interface BackendReport {
  /** The backend tfjs reports after `setBackend` (read back, never assumed). */
  active: BackendName;
  requested: BackendChoice;
  gpu: GpuKind;
  /** Which backend each job uses. */
  jobs: { features: BackendName; head: BackendName };
  /** Why a job is not on the active backend, if it is not. */
  note: string;
}

export type FromWorker =
  | { type: 'backend'; runId: string; report: BackendReport }
  | { type: 'model'; runId: string; info: ModelInfo }
  | { type: 'decode-progress'; runId: string; done: number; total: number }
  | { type: 'dataset'; runId: string; classes: ClassCount[]; skipped: SkippedFile[]; inputSize: number }
  | { type: 'features-progress'; runId: string; done: number; total: number; cached: boolean }
  | { type: 'batches'; runId: string; points: BatchPoint[] }
  | { type: 'epoch'; runId: string; metrics: EpochMetrics; totalEpochs: number }
  | {
      type: 'done';
      runId: string;
      stopped: boolean;
      valAccuracy: number;
      epochsRun: number;
      timings: RunTimings | null;
      /** Live tensors in the worker after the run, and before it. */
      numTensors: number;
      numTensorsBefore: number;
    }
  | { type: 'error'; runId: string; message: string };
