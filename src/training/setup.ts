/**
 * What every run does before it trains (training runs and the learning-rate range test):
 * the frozen prefix once per image (or from the cache), a fresh copy of the network for the
 * layers that train, the batches the trainable rest reads, and the original features.
 */
import * as tf from '@tensorflow/tfjs';
import { FOLD, layerGraph, runSteps, type LayerGraph } from '../model/graph';
import { buildModel } from '../model/load';
import { toModelInput } from '../model/preprocess';
import { switchTo, trainBackendOf } from './switch';
import { rowsTensor } from './loop';
import {
  featureIndex,
  featureLayerProblem,
  frozenPrefixEnd,
  INFERENCE_BATCH,
  type BackendName,
  type PlanLayer,
} from '../domain';
import { indexBatches } from '../data/image-set';
import { computePrefix, type PrefixCache } from './prefix';
import type { EngineRun } from './engine';

export const isBatchNorm = (layer: tf.layers.Layer) =>
  layer.getClassName() === 'BatchNormalization';

/** The graph's steps as plan layers: what the frozen-prefix rule (domain/frozen-prefix.ts) reads. */
export function planLayers(graph: LayerGraph): PlanLayer[] {
  return graph.steps.map((s, i) => ({
    name: s.layer.name,
    params: s.layer.countParams(),
    cutPoint: graph.cut[i]!,
  }));
}

/** Pools a conv map to one vector per image; flattens anything else. */
export function toVectors(x: tf.Tensor): tf.Tensor2D {
  return (x.rank === 4 ? x.mean([1, 2]) : x.reshape([x.shape[0] as number, -1])) as tf.Tensor2D;
}

/** A run's network made ready to train: what `setUpRun` returns unless the user stopped it. */
export interface RunSetup {
  model: tf.LayersModel;
  graph: LayerGraph;
  /** Index of the feature layer, and of the end of the cached frozen prefix (0: none). */
  end: number;
  k: number;
  cache: PrefixCache | null;
  prefixMs: number;
  prefixBackend: BackendName | null;
  /** Where the rest trains (`trainBackendOf`). */
  trainBackend: BackendName;
  /** Only a head trains, on the cached features. */
  headOnly: boolean;
  /** Reads a batch's pixels before `inputBatch` (absent when the prefix is cached). */
  load: ((idx: readonly number[]) => Promise<void>) | undefined;
  /** A batch's input to the trainable rest: cached prefix rows, or the images. */
  inputBatch: (idx: readonly number[]) => tf.Tensor;
  /** The original network's features, before the plan changes any weight. */
  initial: { data: Float32Array; dim: number };
}

/**
 * What every run does before training, written once (training and the learning-rate range
 * test): 1. the frozen prefix, once per image on the features backend (or from the cache;
 * with `augmenting` nothing is cached, since every input changes); 2. the trainable rest on
 * its backend, on a fresh copy of the network when layers train, with its batches and the
 * original features. `stopped` when the user stopped while the prefix ran. The model is the
 * caller's to dispose; on an error it is disposed here.
 */
export async function setUpRun(
  run: EngineRun,
  augmenting: boolean,
): Promise<RunSetup | { stopped: true; prefixMs: number; prefixBackend: BackendName | null }> {
  if (!(await switchTo(run.backends.features)))
    throw new Error(`The ${run.backends.features} backend is not available.`);
  let model = await buildModel(run.artifacts);
  try {
    let graph = layerGraph(model);
    const planned = planLayers(graph);
    const problem = featureLayerProblem(planned, run.plan.featureLayer);
    if (problem) throw new Error(problem);
    const end = featureIndex(planned, run.plan.featureLayer);
    let k = augmenting ? 0 : frozenPrefixEnd(planned, run.plan);
    let cache = run.cache && run.cache.key === `${run.cacheKey}|${k}` ? run.cache : null;
    let prefixMs = 0;
    let prefixBackend: BackendName | null = null;
    if (k > 0 && cache) {
      run.onPrefixProgress(run.images.length, run.images.length, true);
    } else if (k > 0) {
      const t0 = performance.now();
      prefixBackend = tf.getBackend() as BackendName;
      cache = await computePrefix(run, graph, k);
      prefixMs = performance.now() - t0;
      if (!cache) {
        if (run.shouldStop()) {
          model.dispose();
          return { stopped: true, prefixMs, prefixBackend };
        }
        k = 0; // over the memory budget: recompute from the images every step
      }
    }
    const headOnly = k === end;
    const prefix = k > 0 ? cache : null;
    const rowSize = prefix ? prefix.data.length / run.images.length : 0;
    const trainBackend = trainBackendOf(run.backends, headOnly, rowSize);
    if (!(await switchTo(trainBackend)))
      throw new Error(`The ${trainBackend} backend is not available.`);
    if (!headOnly) {
      model.dispose();
      model = await buildModel(run.artifacts);
      graph = layerGraph(model);
    }
    // Without a cached prefix every step starts from the images: `load` reads a batch's
    // pixels (from memory, or from storage for a large dataset) before `inputBatch` uses them.
    const pixels = new Map<number, Uint8Array>();
    const load = prefix
      ? undefined
      : async (idx: readonly number[]) => {
          const read = await run.images.read(idx);
          pixels.clear();
          idx.forEach((i, j) => pixels.set(i, read[j]!));
        };
    const inputBatch = (idx: readonly number[]) =>
      prefix
        ? rowsTensor(prefix.data, rowSize, prefix.shape, idx)
        : toModelInput(
            idx.map((i) => pixels.get(i)!),
            run.spec,
          );
    const initial = await featuresOf(run, graph, k, end, inputBatch, load);
    return {
      model,
      graph,
      end,
      k,
      cache,
      prefixMs,
      prefixBackend,
      trainBackend,
      headOnly,
      load,
      inputBatch,
      initial,
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The network's features for every image, in inference mode. */
export async function featuresOf(
  run: EngineRun,
  graph: LayerGraph,
  k: number,
  end: number,
  inputBatch: (idx: readonly number[]) => tf.Tensor,
  load: ((idx: readonly number[]) => Promise<void>) | undefined,
): Promise<{ data: Float32Array; dim: number }> {
  const total = run.images.length;
  let out: Float32Array | null = null;
  let width = 0;
  for (const idx of indexBatches(total, INFERENCE_BATCH)) {
    const start = idx[0]!;
    await load?.(idx);
    const f = tf.tidy(() =>
      toVectors(runSteps(graph, inputBatch(idx), k + 1, end, () => false, FOLD)),
    );
    const values = (await f.data()) as Float32Array;
    const dim = f.shape[1] as number;
    f.dispose();
    width = dim;
    out ??= new Float32Array(total * dim);
    out.set(values, start * dim);
  }
  return { data: out ?? new Float32Array(0), dim: width };
}
