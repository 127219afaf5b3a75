/**
 * Messages between the main thread and the training worker, written once as a map of
 * jobs: what each request carries, the answers that may come on the way, and the answer
 * that ends it. The request union, each job's answers, its final answers and the runtime
 * table the client reads are all derived from `Jobs`, so the compiler pairs a request with
 * what it may receive. A job's name is its request's `type`; every request and answer
 * carries the job's `id` (a training job's id is its run's id). Only numbers, strings,
 * Blobs and typed arrays cross — never tensors; bulk data crosses with a transfer list.
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
  LrFindResult,
  LrGroup,
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

/** What the worker holds after reading a folder (also what a cancelled read goes back to). */
export interface DatasetSummary {
  classes: ClassSummary[];
  skipped: SkippedFile[];
  /** A few image paths of each class, for "See inside". */
  examples: string[];
  /** Where the decoded images live: the worker's memory, or IndexedDB (read per batch). */
  where: 'memory' | 'storage';
}

/**
 * Every job the worker queues and runs one at a time. `request`: what the request carries
 * besides `type` and `id`; `answers`: what may come before the end; `final`: the answers
 * that end the job (one of them comes last; `error` may end any job instead).
 */
export interface Jobs {
  /** Start tfjs on the best (or the requested) backend. */
  init: {
    request: { backend: BackendChoice };
    answers: never;
    final: { type: 'backend'; report: BackendReport };
  };
  /**
   * Load a network and rebuild it for the input size. `model` comes as soon as the network
   * is read; a loaded dataset at another size is then decoded again (`resize-progress`).
   */
  'load-model': {
    request: {
      source: ModelSource;
      resolution: number | null;
      /** The pixel range the user chose for their model (overrides what Thaw read or assumed). */
      valueRange?: [number, number];
    };
    answers:
      { type: 'model'; info: ModelInfo } | { type: 'resize-progress'; done: number; total: number };
    /** `imagesResized`: the loaded images were decoded again for the new input size. */
    final: { type: 'model-ready'; imagesResized: boolean };
  };
  /** Sort a folder into classes and decode it; `stop` cancels it. */
  'load-dataset': {
    request: {
      files: DatasetFile[];
      skipped: SkippedFile[];
      /** Decoded images past this many bytes go to IndexedDB (default `IMAGE_MEMORY_BUDGET_BYTES`). */
      memoryBudgetBytes?: number;
      /** The folder's other files came before in `dataset-files` messages under the same id. */
      chunked?: boolean;
    };
    answers: { type: 'decode-progress'; done: number; total: number };
    /**
     * `dataset-cancelled`: the read was cancelled, or refused (`reason`: no room, storage
     * full); the worker still holds the dataset it had before (`previous`, if any).
     */
    final:
      | ({ type: 'dataset' } & DatasetSummary)
      | { type: 'dataset-cancelled'; previous: DatasetSummary | null; reason?: string };
  };
  /** The source task's test images of a model that keeps its source head (forgetting). */
  'load-source-test': {
    request: { files: DatasetFile[] };
    answers: never;
    final: { type: 'source-test-loaded' };
  };
  /** One training run with the user's plan, its evaluation, and its trained weights. */
  train: {
    request: { params: TrainParams; plan: LayerPlan };
    answers:
      | { type: 'features-progress'; done: number; total: number; cached: boolean }
      | { type: 'batches'; points: BatchPoint[] }
      | { type: 'epoch'; metrics: EpochMetrics }
      | { type: 'drift'; drift: Record<string, number> }
      | { type: 'evaluation'; evaluation: Evaluation }
      /** The weights the run changed, for storage (their buffers are transferred). */
      | { type: 'weights'; weights: TrainedWeights };
    final: {
      type: 'done';
      stopped: boolean;
      /** Validation accuracy of the weights the user keeps (the best epoch's with early stopping). */
      valAccuracy: number;
      /** The epoch whose weights were kept (1-based; 0 when none ran). */
      bestEpoch: number;
      stoppedEarly: boolean;
      timings: RunTimings;
      /** Live tensors in the worker after the job, and before it. */
      numTensors: number;
      numTensorsBefore: number;
    };
  };
  /**
   * The learning-rate range test on the training split with the user's plan: loss against
   * a rate growing each step, and the suggested rates. `stop` ends it early (no suggestion).
   */
  'lr-find': {
    request: { params: TrainParams; plan: LayerPlan };
    /** `phase`: the frozen layers' features being computed, or a sweep's steps. */
    answers: {
      type: 'lr-find-progress';
      phase: 'features' | LrGroup;
      done: number;
      total: number;
    };
    final: { type: 'lr-find-result'; result: LrFindResult };
  };
  /** Layer probe on up to `perClass` images of each class; `stop` ends it early. */
  probe: {
    request: { perClass: number; seed: number };
    /** `done`: steps of `PROBE_PROGRESS_STEPS`. */
    answers: { type: 'probe-progress'; done: number };
    final: { type: 'probe-result'; points: ProbePoint[] } | { type: 'probe-stopped' };
  };
  /** Activations of one layer of the pretrained network for one dataset image. */
  'feature-maps': {
    request: { path: string; layer: string };
    answers: never;
    final: { type: 'feature-maps'; maps: FeatureMaps };
  };
  /** Build a run's classifier on the loaded network, kept for predictions and export. */
  'use-classifier': {
    request: { classifier: ClassifierSpec };
    answers: never;
    final: { type: 'classifier-ready'; classNames: string[]; imageSize: number };
  };
  /**
   * Classify image files with the classifier `key` (class sub-folders give the true class);
   * `flip`: average each image's probabilities with its mirror image's (test-time augmentation).
   */
  predict: {
    request: { key: string; files: DatasetFile[]; flip?: boolean };
    answers: never;
    final: { type: 'predictions'; results: Prediction[]; skipped: SkippedFile[] };
  };
  /** Classify one camera frame (transferred); `flip` as for `predict`. */
  'predict-frame': {
    request: { key: string; frame: ImageBitmap; flip?: boolean };
    answers: never;
    final: { type: 'frame-prediction'; top: Prediction['top'] };
  };
  /** The classifier `key` as tfjs layers files: `model.json` text and `weights.bin` (transferred). */
  'export-model': {
    request: { key: string };
    answers: never;
    final: {
      type: 'exported-model';
      modelJson: string;
      weights: ArrayBuffer;
      imageSize: number;
      classNames: string[];
    };
  };
  /** The starting network and reference outputs at `featureLayer` (JSON text), for a training job. */
  'export-job': {
    request: { featureLayer: string };
    answers: never;
    final: { type: 'exported-job'; modelJson: string; weights: ArrayBuffer; reference: string };
  };
}

/**
 * Requests that skip the queue and act at once. `stop` and `dataset-files` name another
 * job by its `id`; `hold-lock` is the liveness handshake, handled by the worker client
 * alone (the app never sees it): the worker takes the Web Lock `name` and holds it for as
 * long as it lives, then answers `lock-held`; the client then asks for the same lock,
 * which is granted only once the worker is gone — also when it stopped without an `error`.
 */
export interface Immediate {
  /** Asks the job `id` (train, lr-find, probe, load-dataset) to stop at its next step. */
  stop: { request: { id: string }; answer: never };
  /**
   * Part of a large folder's files, sent ahead of its `load-dataset` (same `id`): cloning
   * tens of thousands of File objects in one message would freeze the page.
   */
  'dataset-files': { request: { id: string; files: DatasetFile[] }; answer: never };
  'hold-lock': { request: { name: string }; answer: { type: 'lock-held'; name: string } };
}

/** The name of a queued job: its request's `type`. */
export type JobName = keyof Jobs;
export type ImmediateName = keyof Immediate;

/** The request of job `J`. */
export type Request<J extends JobName = JobName> = J extends JobName
  ? { type: J; id: string } & Jobs[J]['request']
  : never;
/** Any job answers `error` (the sentence the user reads) when it throws; it ends the job. */
export interface ErrorAnswer {
  type: 'error';
  message: string;
}
/** What job `J`'s handler may send back (the worker adds the job's `id`). */
export type Reply<J extends JobName> = Jobs[J]['answers'] | Jobs[J]['final'];
/** Every answer job `J` may receive, with its id. */
export type Answer<J extends JobName = JobName> = J extends JobName
  ? (Reply<J> | ErrorAnswer) & { id: string }
  : never;
/** The answer types that end job `J` (besides `error`). */
export type FinalType<J extends JobName> = Jobs[J]['final']['type'];
/** The answer types that may come before job `J` ends. */
export type OnTheWayType<J extends JobName> = Jobs[J]['answers']['type'];

export type ToWorker =
  Request | { [I in ImmediateName]: { type: I } & Immediate[I]['request'] }[ImmediateName];
export type FromWorker = Answer;
export type AnswerType = FromWorker['type'];

/** The message of one answer type, e.g. `AnswerOfType<'exported-model'>`. */
export type AnswerOfType<T extends AnswerType> = Extract<FromWorker, { type: T }>;
export type ExportedModelMessage = AnswerOfType<'exported-model'>;
export type ExportedJobMessage = AnswerOfType<'exported-job'>;
export type DatasetCancelledMessage = AnswerOfType<'dataset-cancelled'>;
export type HoldLockRequest = Extract<ToWorker, { type: 'hold-lock' }>;
/** The worker holds the lock of a `hold-lock` request (not part of FromWorker: the client keeps it). */
export type LockHeldMessage = Immediate['hold-lock']['answer'];

/** A request's field names, optional ones spelt `name?`. */
type FieldSpelling<R> = {
  [K in keyof R & string]-?: object extends Pick<R, K> ? `${K}?` : K;
}[keyof R & string];

type Row<J extends JobName> = {
  fields: readonly FieldSpelling<Jobs[J]['request']>[];
  onTheWay: readonly OnTheWayType<J>[];
  final: readonly FinalType<J>[];
};

/**
 * The job map at run time: each job's request fields, the answers on the way, and the
 * answers that end it. The client reads `final`; the protocol section of
 * docs/architecture.md is checked against this table. `satisfies` refuses anything that is
 * not in `Jobs`, and `TABLE_IS_COMPLETE` anything of `Jobs` the table leaves out.
 */
export const JOB_TABLE = {
  init: { fields: ['backend'], onTheWay: [], final: ['backend'] },
  'load-model': {
    fields: ['source', 'resolution', 'valueRange?'],
    onTheWay: ['model', 'resize-progress'],
    final: ['model-ready'],
  },
  'load-dataset': {
    fields: ['files', 'skipped', 'memoryBudgetBytes?', 'chunked?'],
    onTheWay: ['decode-progress'],
    final: ['dataset', 'dataset-cancelled'],
  },
  'load-source-test': { fields: ['files'], onTheWay: [], final: ['source-test-loaded'] },
  train: {
    fields: ['params', 'plan'],
    onTheWay: ['features-progress', 'batches', 'epoch', 'drift', 'evaluation', 'weights'],
    final: ['done'],
  },
  'lr-find': {
    fields: ['params', 'plan'],
    onTheWay: ['lr-find-progress'],
    final: ['lr-find-result'],
  },
  probe: {
    fields: ['perClass', 'seed'],
    onTheWay: ['probe-progress'],
    final: ['probe-result', 'probe-stopped'],
  },
  'feature-maps': { fields: ['path', 'layer'], onTheWay: [], final: ['feature-maps'] },
  'use-classifier': { fields: ['classifier'], onTheWay: [], final: ['classifier-ready'] },
  predict: { fields: ['key', 'files', 'flip?'], onTheWay: [], final: ['predictions'] },
  'predict-frame': {
    fields: ['key', 'frame', 'flip?'],
    onTheWay: [],
    final: ['frame-prediction'],
  },
  'export-model': { fields: ['key'], onTheWay: [], final: ['exported-model'] },
  'export-job': { fields: ['featureLayer'], onTheWay: [], final: ['exported-job'] },
} as const satisfies { [J in JobName]: Row<J> };

/** The requests that skip the queue, at run time (checked both ways like `JOB_TABLE`). */
export const IMMEDIATE_TABLE = {
  stop: { fields: ['id'], answer: [] },
  'dataset-files': { fields: ['id', 'files'], answer: [] },
  'hold-lock': { fields: ['name'], answer: ['lock-held'] },
} as const satisfies {
  [I in ImmediateName]: {
    fields: readonly FieldSpelling<Immediate[I]['request']>[];
    answer: readonly Immediate[I]['answer']['type'][];
  };
};

type Unlisted =
  | {
      [J in JobName]:
        | Exclude<FieldSpelling<Jobs[J]['request']>, (typeof JOB_TABLE)[J]['fields'][number]>
        | Exclude<OnTheWayType<J>, (typeof JOB_TABLE)[J]['onTheWay'][number]>
        | Exclude<FinalType<J>, (typeof JOB_TABLE)[J]['final'][number]>;
    }[JobName]
  | {
      [I in ImmediateName]:
        | Exclude<
            FieldSpelling<Immediate[I]['request']>,
            (typeof IMMEDIATE_TABLE)[I]['fields'][number]
          >
        | Exclude<Immediate[I]['answer']['type'], (typeof IMMEDIATE_TABLE)[I]['answer'][number]>;
    }[ImmediateName];

/**
 * Does not compile — and names what is missing — when the tables above leave out a field
 * or an answer of `Jobs` or `Immediate`. (So a job, a field or an answer is added in one
 * place, and the compiler asks for its row.)
 */
export const TABLE_IS_COMPLETE: [Unlisted] extends [never]
  ? true
  : { unlisted: Unlisted & string } = true;

/** Whether an answer of type `type` ends job `job` (its final answers, and `error`). */
export function endsJob(job: JobName, type: AnswerType): boolean {
  return type === 'error' || (JOB_TABLE[job].final as readonly AnswerType[]).includes(type);
}
