/**
 * The frozen prefix, once per image: layers [0, k) of the network in inference mode (conv
 * blocks folded, model/fold.ts), one row per image, kept as the run's cache. On the CPU
 * backends a pass runs on one core, so when the caller hands `helpers` (one worker per core,
 * each with its own copy of the network: worker/prefix-pool.ts) the batches are shared
 * among them and the rows come back into place: two single-threaded workers on two cores
 * run the pass about twice as fast, where wasm's own threads gain far less (its thread
 * pool splits each convolution, and most of MobileNetV2's are too small to split well).
 * A helper that fails hands its batch and the rest back to this thread.
 */
import * as tf from '@tensorflow/tfjs';
import { FOLD, runSteps, type LayerGraph } from '../model/graph';
import { toModelInput, type InputSpec } from '../model/preprocess';
import { INFERENCE_BATCH } from '../domain';
import { indexBatches, type ImageSet } from '../data/image-set';

/** Activations of a frozen prefix, one row per image. */
export interface PrefixCache {
  key: string;
  data: Float32Array;
  shape: number[];
  /** Helper workers that computed it (absent or 0: the calling thread alone). */
  workers?: number;
}

/** A batch's prefix rows: `values` holds `pixels.length` rows of `shape`. */
export interface PrefixRows {
  values: Float32Array;
  shape: number[];
}

/** Workers that each run the same network's prefix (the caller guarantees it is the run's). */
export interface PrefixHelpers {
  /** How many batches can run at once (one per worker). */
  readonly count: number;
  /** Runs layers [0, k) on these images in worker `lane`. */
  run(lane: number, pixels: Uint8Array[], k: number): Promise<PrefixRows>;
}

export interface PrefixJob {
  images: ImageSet;
  spec: InputSpec;
  cacheKey: string;
  cacheBudgetBytes: number;
  shouldStop: () => boolean;
  onPrefixProgress: (done: number, total: number, cached: boolean) => void;
  /**
   * Workers to share the pass with (absent or null: this thread alone). Asked only when a
   * pass runs: a run whose prefix comes from the cache does not wake stopped helpers.
   */
  prefixHelpers?: () => PrefixHelpers | null;
}

/** One batch: layers [0, k) of `graph` on these images (this thread, or a helper worker). */
export async function prefixRows(
  graph: LayerGraph,
  pixels: Uint8Array[],
  spec: InputSpec,
  k: number,
): Promise<PrefixRows> {
  const out = tf.tidy(() => runSteps(graph, toModelInput(pixels, spec), 0, k, () => false, FOLD));
  try {
    return { values: (await out.data()) as Float32Array, shape: out.shape.slice(1) };
  } finally {
    out.dispose();
  }
}

/**
 * Layers [0, k) for every image, or null when the user stopped or the rows would not fit
 * `cacheBudgetBytes` (the caller then recomputes the prefix from the images every step).
 */
export async function computePrefix(
  job: PrefixJob,
  graph: LayerGraph,
  k: number,
): Promise<PrefixCache | null> {
  const total = job.images.length;
  const batches = [...indexBatches(total, INFERENCE_BATCH)];
  let next = 0;
  let done = 0;
  let data: Float32Array | null = null;
  let shape: number[] = [];
  let overBudget = false;
  let helpersFailed = false;
  const helpers = job.prefixHelpers?.() ?? null;
  const store = (idx: number[], rows: PrefixRows) => {
    const row = rows.values.length / idx.length;
    if (!data) {
      if (row * total * 4 > job.cacheBudgetBytes) {
        overBudget = true;
        return;
      }
      data = new Float32Array(row * total);
      shape = rows.shape;
    }
    data.set(rows.values, idx[0]! * row);
    done += idx.length;
    job.onPrefixProgress(done, total, false);
  };
  const active = () => !overBudget && !job.shouldStop();
  // Each lane takes the next batch until none is left. Once a helper fails, every lane
  // computes its batches on this thread.
  const lane = async (helper: number | null) => {
    while (next < batches.length && active()) {
      const idx = batches[next++]!;
      const pixels = await job.images.read(idx);
      if (!active()) return;
      if (helper !== null && !helpersFailed) {
        try {
          store(idx, await helpers!.run(helper, pixels, k));
          continue;
        } catch {
          helpersFailed = true;
        }
      }
      store(idx, await prefixRows(graph, pixels, job.spec, k));
    }
  };
  const shared = helpers !== null && helpers.count > 1 && batches.length > 1;
  // Two lanes per helper: its next batch is already waiting when it finishes one, so it never
  // idles while this thread stores the rows and reads the next pixels.
  if (shared)
    await Promise.all(Array.from({ length: helpers.count * 2 }, (_, i) => lane(i % helpers.count)));
  else await lane(null);
  if (overBudget || job.shouldStop()) return null;
  const workers = shared && !helpersFailed ? helpers.count : 0;
  return { key: `${job.cacheKey}|${k}`, data: data ?? new Float32Array(0), shape, workers };
}
