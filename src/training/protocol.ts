/**
 * Messages between the UI thread and the training worker: types only.
 * Both directions are unions discriminated on `type`; every message carries a `runId`
 * (the id of the job it belongs to). Only numbers, strings and Files cross — no tensors.
 */

/** A tfjs backend the worker can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** What the user asked for: a backend, or `auto` (best per job). */
export type BackendChoice = 'auto' | BackendName;

/** What happens to a layer's pretrained weights in training (DESIGN.md §1). */
export type LayerMode = 'frozen' | 'fine-tune' | 'reinit';

/** Whether the GPU behind webgpu/webgl is real hardware or a software rasterizer. */
export type GpuKind = 'hardware' | 'software' | 'none';

export interface LayerInfo {
  name: string;
  className: string;
  /** e.g. "112×112×32"; several outputs are joined with " | ". */
  outputShape: string;
  params: number;
  /** True when exactly one tensor flows on after this layer (no skip connection crosses). */
  cutPoint: boolean;
}

/** What the studio knows about a network: from the catalog, or read off a dropped model. */
export interface ModelCard {
  id: string;
  name: string;
  source: 'bundled' | 'remote' | 'custom';
  /** Native input side in pixels. */
  inputSize: number;
  resolutions: number[];
  channels: 1 | 3;
  valueRange: [number, number];
  /** Default layer to take features from; the layers after it are the dropped head. */
  featureLayer: string;
  provenanceSummary: string;
  provenance: string[];
  /** Class names of the source model's own head, in output order, when it is kept (forgetting). */
  sourceClasses?: string[];
  sourceSample?: string;
}

export interface ModelInfo {
  card: ModelCard;
  /** The input side the network is built for now. */
  resolution: number;
  totalParams: number;
  layers: LayerInfo[];
}

/** Where a model comes from. */
export type ModelSource =
  | { kind: 'catalog'; modelId: string; url: string }
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] };

/** What to train: a mode per layer (absent = Frozen) and the layer features are taken from. */
export interface LayerPlan {
  modes: Record<string, LayerMode>;
  featureLayer: string;
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
  /** Set when the file was refused while decoding (not by its name). */
  decodeFailure?: boolean;
}

export interface TrainParams {
  /** For the new head and Re-initialize layers. */
  learningRate: number;
  /** For Fine-tune layers (pretrained weights): small, so they are not destroyed. */
  fineTuneLearningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
  validationFraction: number;
  /** Held out and used only for the final report. */
  testFraction: number;
  head: 'softmax' | 'svm';
  optimizer: 'adam' | 'sgd';
  schedule: 'constant' | 'cosine';
  /** λ of L2-SP: λ/2·Σ‖w − w₀‖² over the fine-tuned pretrained weights. */
  conservation: number;
  /** Weight of the output-level (LwF-style) term keeping features close to the original network's. */
  distillation: number;
  augment: { flip: boolean; crop: boolean; brightness: boolean };
  /** BatchNorm in Fine-tune layers: false = inference mode (moving statistics), true = batch statistics. */
  batchNormTraining: boolean;
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
  /** 2-D PCA of the validation images' features before and after training; `labels` per point. */
  projection: {
    before: [number, number][];
    after: [number, number][];
    labels: number[];
    featuresTrained: boolean;
  };
  /** Source-task accuracy of the original head, before and after this run (what it forgot). */
  forgetting: { before: number; after: number; images: number } | null;
}

/** Up to 16 channels of one layer's output, each scaled to 0..255 (row-major, side × side). */
export interface FeatureMaps {
  layer: string;
  path: string;
  width: number;
  height: number;
  /** Channels shown, out of `totalChannels`. */
  channels: Uint8Array[];
  totalChannels: number;
}

/** Nearest-centroid probe accuracy (0..1) of the pooled features at one layer. */
export interface ProbePoint {
  layer: string;
  /** Position among the layers up to the feature layer, 0..1. */
  depth: number;
  pretrained: number;
  random: number;
}

export interface BatchPoint {
  /** Position in epochs: 1.5 = half-way through the second epoch. */
  x: number;
  loss: number;
}

export type ToWorker =
  | { type: 'init'; runId: string; backend: BackendChoice }
  | { type: 'load-model'; runId: string; source: ModelSource; resolution: number | null }
  | { type: 'load-dataset'; runId: string; files: DatasetFile[]; skipped: SkippedFile[] }
  | { type: 'train'; runId: string; params: TrainParams; plan: LayerPlan }
  | { type: 'load-source-test'; runId: string; files: DatasetFile[] }
  /** Activations of one layer of the pretrained network for one dataset image. */
  | { type: 'feature-maps'; runId: string; path: string; layer: string }
  /** Layer probe on up to `perClass` images of each class (DESIGN.md §3). */
  | { type: 'probe'; runId: string; perClass: number; seed: number }
  | { type: 'stop'; runId: string };

export interface BackendReport {
  /** The backend tfjs reports after `setBackend` (read back, never assumed). */
  active: BackendName;
  requested: BackendChoice;
  gpu: GpuKind;
  /** Which backend each job uses: the frozen prefix, a head alone, training with conv layers. */
  jobs: { features: BackendName; head: BackendName; fineTune: BackendName };
  /** Why a job is not on the active backend, if it is not. */
  note: string;
}

export type FromWorker =
  | { type: 'backend'; runId: string; report: BackendReport }
  | { type: 'model'; runId: string; info: ModelInfo }
  | { type: 'decode-progress'; runId: string; done: number; total: number }
  | {
      type: 'dataset';
      runId: string;
      classes: ClassCount[];
      skipped: SkippedFile[];
      inputSize: number;
    }
  | { type: 'features-progress'; runId: string; done: number; total: number; cached: boolean }
  | { type: 'batches'; runId: string; points: BatchPoint[] }
  | { type: 'epoch'; runId: string; metrics: EpochMetrics; totalEpochs: number }
  | { type: 'drift'; runId: string; drift: Record<string, number> }
  | { type: 'probe-progress'; runId: string; done: number; total: number }
  | { type: 'feature-maps'; runId: string; maps: FeatureMaps }
  | { type: 'probe-result'; runId: string; points: ProbePoint[] }
  | { type: 'evaluation'; runId: string; evaluation: Evaluation }
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
