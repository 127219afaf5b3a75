/** Compute backends: what tfjs can run on, what the user asked for, what the worker got. */

/** A tfjs backend the worker can run on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
/** What the user asked for: a backend, or `auto` (best per job). */
export type BackendChoice = 'auto' | BackendName;

/** Whether the GPU behind webgpu/webgl is real hardware or a software rasterizer. */
export type GpuKind = 'hardware' | 'software' | 'none';

/** The backend of each kind of job: the frozen prefix, a head alone, training with conv layers. */
export interface JobBackends {
  features: BackendName;
  head: BackendName;
  fineTune: BackendName;
}

export interface BackendReport {
  /** The backend tfjs reports after `setBackend` (read back, never assumed). */
  active: BackendName;
  requested: BackendChoice;
  gpu: GpuKind;
  jobs: JobBackends;
  /** Why a job is not on the active backend, if it is not. */
  note: string;
  /**
   * Threads of the wasm backend when a job runs on it (null when none does), and why it
   * is single-threaded when it is.
   */
  wasm?: { threads: number; isolated: boolean; note: string } | null;
  /**
   * Workers that share the frozen network's pass over the images when it runs on wasm,
   * one per core (0 or absent: the training worker alone).
   */
  featureWorkers?: number;
}
