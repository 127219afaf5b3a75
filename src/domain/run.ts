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

/** A finished run, as listed for comparison. */
export interface RunRecord {
  id: string;
  model: string;
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
}
