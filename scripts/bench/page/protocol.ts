/** What the benchmark page's worker is asked and answers. */
import type { BackendChoice, BackendReport } from '../../../src/domain';

export interface BaselineConfig {
  backend: BackendChoice;
  model: {
    url: string;
    /** The input side the model was saved with, and the one to run at. */
    nativeSize: number;
    size: number;
    channels: 1 | 3;
    valueRange: [number, number];
    featureLayer: string;
  };
  /** Layers up to and including this one are frozen; the weighted layers after it are trained. */
  freezeUpTo: string;
  images: { url: string; label: number }[];
  numClasses: number;
  epochs: number;
  batchSize: number;
  /** Alternating repetitions: the studio's engine, then model.fit, then the engine again… */
  reps: number;
  /** The wasm thread pool's size (default: one per core; 1 = single-threaded). */
  threads?: number;
  /** Workers that share the frozen prefix's pass, as in the studio (default: none). */
  featureWorkers?: number;
  /** Only the studio's engine (no `model.fit` repetitions). */
  engineOnly?: boolean;
  /**
   * Instead of a training run: one convolution (NHWC input `input`, kernel `filter`,
   * 'same' padding, stride 1) timed `reps` times after two warm-up calls: the thread pool's
   * own scaling, without the engine around it.
   */
  micro?: {
    input: [number, number, number, number];
    filter: [number, number, number, number];
    reps: number;
  };
}

export interface MicroResult {
  type: 'micro';
  backend: BackendReport;
  /** Milliseconds per call, each repetition. */
  ms: number[];
}

export interface EngineRep {
  /** Running the frozen prefix once over every image (the cache being built). */
  prefixMs: number;
  /** Per epoch; the first includes building the trainable part and the initial features. */
  epochMs: number[];
  totalMs: number;
  tensorsLeft: number;
}

export interface NaiveRep {
  /** Building the full model, the input tensors and compiling. */
  setupMs: number;
  /** Per epoch of `model.fit`; the first includes tfjs's first-call set-up. */
  epochMs: number[];
  totalMs: number;
  tensorsLeft: number;
}

export interface BaselineResult {
  type: 'result';
  backend: BackendReport;
  images: number;
  trainImages: number;
  validationImages: number;
  decodeMs: number;
  trainableParams: { engine: number; naive: number };
  frozenPrefixLayers: number;
  /** Prefix helpers that shared the pass (0: the worker alone, or the helpers failed). */
  featureWorkers: number;
  /** Per helper: its backend, batches and their time. */
  helperStats: { backend: string | null; batches: number; ms: number }[];
  engine: EngineRep[];
  naive: NaiveRep[];
  /** Why `model.fit` could not run (it stops the repetitions), or null. */
  naiveError: string | null;
}

export type BaselineReply = BaselineResult | MicroResult | { type: 'error'; message: string };
