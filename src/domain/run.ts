/** Runs: what one training run reports while it goes and when it ends. */
import type { BackendName } from './backend';
import type { LayerPlan } from './layers';
import type { TrainParams } from './params';

export interface EpochMetrics {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
}

export interface BatchPoint {
  /** Position in epochs: 1.5 = half-way through the second epoch. */
  x: number;
  loss: number;
}

/** Where a run's time went, for the user and for the benchmark. */
export interface RunTimings {
  images: number;
  /** Time to run the frozen prefix over every image; 0 when it came from the cache. */
  featuresMs: number;
  featuresBackend: BackendName | null;
  /** Workers that shared that pass, one per core (absent or 0: the training worker alone). */
  featuresWorkers?: number;
  /** Time of the training loop, on `headBackend`. */
  headMs: number;
  headBackend: BackendName;
  /** Layers computed once and cached, and the parameters trained besides the head. */
  frozenPrefixLayers: number;
  trainableParams: number;
}

/** Source-task accuracy of the original head, before and after a run (what it forgot). */
export interface Forgetting {
  before: number;
  after: number;
  images: number;
}

/** 2-D PCA of the validation images' features before and after training; `labels` per point. */
export interface Projection {
  before: [number, number][];
  after: [number, number][];
  labels: number[];
  featuresTrained: boolean;
}

/** The final report of a run, on the held-out test split (validation when there is none). */
export interface Evaluation {
  split: 'test' | 'validation';
  classNames: string[];
  accuracy: number | null;
  /** Rows: true class; columns: predicted class. */
  confusion: number[][];
  perClass: { precision: number | null; recall: number | null; support: number }[];
  /** For each wrong cell `${true}-${predicted}`, the paths of its images. */
  misclassified: Record<string, string[]>;
  projection: Projection;
  forgetting: Forgetting | null;
}

/** One image's prediction: classes by probability, and its true class when the folder says so. */
export interface Prediction {
  path: string;
  /** Classes sorted by probability, highest first. */
  top: { className: string; probability: number }[];
  /** Class from the folder (a sub-folder named like a class), or null. */
  truth: string | null;
}

/** What the worker needs to rebuild a run's classifier on the loaded network. */
export interface ClassifierSpec {
  /** Identifies the classifier (the run id). */
  key: string;
  featureLayer: string;
  classNames: string[];
  weights: TrainedWeights;
}

/** How a run ended, as the worker reports it. */
export interface RunEnd {
  stopped: boolean;
  /** Validation accuracy of the kept weights. */
  valAccuracy: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  tensors: { before: number; after: number };
  timings: RunTimings | null;
}

/** Where a run stands: `interrupted` when the page was closed or reloaded while it trained. */
export type RunStatus = 'running' | 'done' | 'stopped' | 'interrupted' | 'failed';

/** A run, as listed, stored and compared. */
export interface RunRecord {
  id: string;
  status: RunStatus;
  /** Milliseconds since the epoch, when it started. */
  createdAt: number;
  model: string;
  /** Catalog id of the model and the input size it ran at. */
  modelId: string;
  resolution: number;
  dataset: string;
  plan: LayerPlan;
  params: TrainParams;
  /** Weighted layers in use (up to the feature layer) by mode. */
  weighted: number;
  frozen: number;
  fineTuned: number;
  reinitialized: number;
  epochs: EpochMetrics[];
  /** The epoch whose weights were kept (1-based). */
  bestEpoch: number;
  valAccuracy: number;
  testAccuracy: number | null;
  stopped: boolean;
  timings: RunTimings | null;
  /** Batch losses, throttled as they were shown. */
  batches: BatchPoint[];
  evaluation: Evaluation | null;
  /** Class names of the dataset it trained on, in label order. */
  classNames: string[];
}

/** The weights a run changed: trained layers' weights (by variable name) and the new head. */
export interface TrainedWeights {
  runId: string;
  /** Every weight of the Fine-tune and Re-initialize layers, by Keras name (e.g. `block_16_expand/kernel`). */
  layers: { name: string; shape: number[]; values: Float32Array }[];
  head: {
    kernel: Float32Array;
    bias: Float32Array;
    /** Feature centring and scale folded before the head. */
    mean: Float32Array;
    std: Float32Array;
    featureDim: number;
    numClasses: number;
  };
}
