/**
 * Messages between the main thread and the training worker: the two unions only, one
 * named type per message (the studio's words live in `domain/`). Every message carries a
 * `runId`, the id of the job it belongs to. Only numbers, strings, Blobs and typed arrays
 * cross — never tensors; bulk pixel data crosses with a transfer list.
 */
import type {
  BackendChoice,
  BackendReport,
  BatchPoint,
  ClassSummary,
  DatasetFile,
  EpochMetrics,
  Evaluation,
  FeatureMaps,
  LayerPlan,
  ModelInfo,
  ModelSource,
  ProbePoint,
  RunTimings,
  SkippedFile,
  TrainParams,
  TrainedWeights,
  ClassifierSpec,
  Prediction,
} from '../domain';

// Main thread → worker

export interface InitRequest {
  type: 'init';
  runId: string;
  backend: BackendChoice;
}
export interface LoadModelRequest {
  type: 'load-model';
  runId: string;
  source: ModelSource;
  resolution: number | null;
  /** The pixel range the user chose for their model (overrides what Thaw read or assumed). */
  valueRange?: [number, number];
}
export interface LoadDatasetRequest {
  type: 'load-dataset';
  runId: string;
  files: DatasetFile[];
  skipped: SkippedFile[];
  /** Decoded images past this many bytes go to IndexedDB (default `IMAGE_MEMORY_BUDGET_BYTES`). */
  memoryBudgetBytes?: number;
  /** The folder's other files came before in `dataset-files` messages under the same runId. */
  chunked?: boolean;
}
/**
 * Part of a large folder's files, sent ahead of its `load-dataset` (cloning tens of
 * thousands of File objects in one message would freeze the page); skips the queue.
 */
export interface DatasetFilesRequest {
  type: 'dataset-files';
  runId: string;
  files: DatasetFile[];
}
export interface TrainRequest {
  type: 'train';
  runId: string;
  params: TrainParams;
  plan: LayerPlan;
}
/** The source task's test images of a model that keeps its source head (forgetting). */
export interface LoadSourceTestRequest {
  type: 'load-source-test';
  runId: string;
  files: DatasetFile[];
}
/** Activations of one layer of the pretrained network for one dataset image. */
export interface FeatureMapsRequest {
  type: 'feature-maps';
  runId: string;
  path: string;
  layer: string;
}
/** Layer probe on up to `perClass` images of each class. */
export interface ProbeRequest {
  type: 'probe';
  runId: string;
  perClass: number;
  seed: number;
}
/** Builds a run's classifier on the loaded network and keeps it for predictions and export. */
export interface UseClassifierRequest {
  type: 'use-classifier';
  runId: string;
  classifier: ClassifierSpec;
}
/** Classifies image files with the classifier `key` (class sub-folders give the true class). */
export interface PredictRequest {
  type: 'predict';
  runId: string;
  key: string;
  files: DatasetFile[];
}
/** Classifies one camera frame (transferred). */
export interface PredictFrameRequest {
  type: 'predict-frame';
  runId: string;
  key: string;
  frame: ImageBitmap;
}
/** The classifier `key` as tfjs layers files. */
export interface ExportModelRequest {
  type: 'export-model';
  runId: string;
  key: string;
}
/** The starting network and reference outputs at `featureLayer`, for a training job. */
export interface ExportJobRequest {
  type: 'export-job';
  runId: string;
  featureLayer: string;
}
/** Asks the job `runId` to stop at its next step; skips the queue. */
export interface StopRequest {
  type: 'stop';
  runId: string;
}

/**
 * The liveness handshake, handled by the worker client alone (the app never sees it): the
 * worker takes the Web Lock `name` and holds it for as long as it lives, then answers
 * `lock-held`; the client then asks for the same lock, which is granted only once the
 * worker is gone — also when it stopped without an `error` event. Skips the queue.
 */
export interface HoldLockRequest {
  type: 'hold-lock';
  runId: string;
  name: string;
}

export type ToWorker =
  | InitRequest
  | LoadModelRequest
  | LoadDatasetRequest
  | DatasetFilesRequest
  | TrainRequest
  | LoadSourceTestRequest
  | FeatureMapsRequest
  | ProbeRequest
  | UseClassifierRequest
  | PredictRequest
  | PredictFrameRequest
  | ExportModelRequest
  | ExportJobRequest
  | StopRequest
  | HoldLockRequest;

// Worker → main thread

export interface BackendMessage {
  type: 'backend';
  runId: string;
  report: BackendReport;
}
export interface ModelMessage {
  type: 'model';
  runId: string;
  info: ModelInfo;
}
export interface DecodeProgressMessage {
  type: 'decode-progress';
  runId: string;
  done: number;
  total: number;
}
export interface DatasetMessage {
  type: 'dataset';
  runId: string;
  classes: ClassSummary[];
  skipped: SkippedFile[];
  inputSize: number;
  /** A few image paths of each class, for "See inside". */
  examples: string[];
  /** Where the decoded images live: the worker's memory, or IndexedDB (read per batch). */
  where: 'memory' | 'storage';
}
/**
 * Reading a folder was cancelled, or refused (`reason`: no room, storage full); the worker
 * still holds the dataset it had before (if any).
 */
export interface DatasetCancelledMessage {
  type: 'dataset-cancelled';
  runId: string;
  previous: Omit<DatasetMessage, 'type' | 'runId'> | null;
  reason?: string;
}
/** The images were decoded again for another input size (after a model change). */
export interface DatasetResizedMessage {
  type: 'dataset-resized';
  runId: string;
  inputSize: number;
}
export interface FeaturesProgressMessage {
  type: 'features-progress';
  runId: string;
  done: number;
  total: number;
  cached: boolean;
}
export interface BatchesMessage {
  type: 'batches';
  runId: string;
  points: BatchPoint[];
}
export interface EpochMessage {
  type: 'epoch';
  runId: string;
  metrics: EpochMetrics;
  totalEpochs: number;
}
export interface DriftMessage {
  type: 'drift';
  runId: string;
  drift: Record<string, number>;
}
export interface ProbeProgressMessage {
  type: 'probe-progress';
  runId: string;
  done: number;
  total: number;
}
export interface FeatureMapsMessage {
  type: 'feature-maps';
  runId: string;
  maps: FeatureMaps;
}
export interface ProbeResultMessage {
  type: 'probe-result';
  runId: string;
  points: ProbePoint[];
}
export interface EvaluationMessage {
  type: 'evaluation';
  runId: string;
  evaluation: Evaluation;
}
export interface DoneMessage {
  type: 'done';
  runId: string;
  stopped: boolean;
  /** Validation accuracy of the weights the user keeps (the best epoch's with early stopping). */
  valAccuracy: number;
  epochsRun: number;
  /** The epoch whose weights were kept (1-based; 0 when none ran). */
  bestEpoch: number;
  stoppedEarly: boolean;
  timings: RunTimings | null;
  /** Live tensors in the worker after the job, and before it. */
  numTensors: number;
  numTensorsBefore: number;
}
/** The weights a run changed, for storage (their buffers are transferred). */
export interface WeightsMessage {
  type: 'weights';
  runId: string;
  weights: TrainedWeights;
}
export interface ClassifierReadyMessage {
  type: 'classifier-ready';
  runId: string;
  key: string;
  classNames: string[];
  imageSize: number;
}
export interface PredictionsMessage {
  type: 'predictions';
  runId: string;
  results: Prediction[];
  skipped: SkippedFile[];
}
export interface FramePredictionMessage {
  type: 'frame-prediction';
  runId: string;
  top: Prediction['top'];
}
/** The classifier's files: `model.json` text and `weights.bin` (transferred). */
export interface ExportedModelMessage {
  type: 'exported-model';
  runId: string;
  modelJson: string;
  weights: ArrayBuffer;
  imageSize: number;
  classNames: string[];
}
/** A training job's network files and reference outputs (JSON text). */
export interface ExportedJobMessage {
  type: 'exported-job';
  runId: string;
  modelJson: string;
  weights: ArrayBuffer;
  reference: string;
}
export interface ErrorMessage {
  type: 'error';
  runId: string;
  message: string;
}

export type FromWorker =
  | BackendMessage
  | ModelMessage
  | DecodeProgressMessage
  | DatasetMessage
  | DatasetCancelledMessage
  | DatasetResizedMessage
  | FeaturesProgressMessage
  | BatchesMessage
  | EpochMessage
  | DriftMessage
  | ProbeProgressMessage
  | FeatureMapsMessage
  | ProbeResultMessage
  | EvaluationMessage
  | DoneMessage
  | WeightsMessage
  | ClassifierReadyMessage
  | PredictionsMessage
  | FramePredictionMessage
  | ExportedModelMessage
  | ExportedJobMessage
  | ErrorMessage;

/** The worker holds the lock of a `hold-lock` request (not part of FromWorker: the client keeps it). */
export interface LockHeldMessage {
  type: 'lock-held';
  runId: string;
  name: string;
}

/** Messages that end a job: after one of them, nothing more comes for its runId. */
export const FINAL_MESSAGES: ReadonlySet<FromWorker['type']> = new Set([
  'backend',
  'model',
  'dataset',
  'dataset-cancelled',
  'feature-maps',
  'probe-result',
  'done',
  'error',
  'classifier-ready',
  'predictions',
  'frame-prediction',
  'exported-model',
  'exported-job',
]);
