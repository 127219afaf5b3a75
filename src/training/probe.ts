/**
 * Layer probe: how well do a network's pooled features separate the user's classes, and
 * how well do the raw pixels? A nearest-centroid classifier on standardized features, fit
 * on one half of the images and scored on the other, over several seeded half/half
 * splits. The features are computed once; each split only refits the centroids.
 *
 * The evidence of domain similarity is the top features (the deepest layer before the
 * network's own source head, which may lie past the feature layer) against the raw
 * pixels: do the source features beat no learning at all? (DESIGN.md §3,
 * docs/similarity-calibration.md). The layers in between are drawn for the lesson.
 */
import * as tf from '@tensorflow/tfjs';
import { INFERENCE_BATCH, PIXELS_LAYER, type ProbePoint } from '../domain';
import { FOLD, layerGraph, runSteps, type LayerGraph } from '../model/graph';
import { buildModel } from '../model/load';
import { toModelInput, type InputSpec } from '../model/preprocess';
import { stratifiedSplit } from '../data/split';

/** Half/half splits the probe averages over. */
export const PROBE_SPLITS = 10;

/** Layers probed up to the feature layer, spread over the depth (besides the pixels and the top features). */
export const PROBE_POINTS = 5;

/** The pixel baseline sees the network's input area-averaged to at most this side (224 px → 32 px). */
export const PIXEL_SIDE = 32;

export interface ProbeInput {
  artifacts: tf.io.ModelArtifacts;
  spec: InputSpec;
  featureLayer: string;
  images: readonly Uint8Array[];
  labels: readonly number[];
  numClasses: number;
  /** How many layers up to the feature layer to probe (block boundaries spread over the depth). */
  points?: number;
  /** How many half/half splits (default `PROBE_SPLITS`). */
  splits?: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
  shouldStop?: () => boolean;
}

/** Block boundaries with weights below them, spread evenly up to and including `end`. */
export function probeLayers(graph: LayerGraph, end: number, count: number): number[] {
  const candidates: number[] = [];
  let weightsSoFar = 0;
  for (let i = 0; i <= end; i++) {
    weightsSoFar += graph.steps[i]!.layer.countParams();
    if (graph.cut[i] && weightsSoFar > 0 && i > 0) candidates.push(i);
  }
  if (candidates.length <= count) return candidates;
  const picked = new Set<number>();
  for (let k = 1; k <= count; k++)
    picked.add(candidates[Math.round((k / count) * (candidates.length - 1))]!);
  return [...picked].sort((a, b) => a - b);
}

/**
 * The top features: when the network keeps layers past its feature layer (its source
 * head), the deepest weighted layer before the output layer that is a cut point (one
 * tensor flows on after it); else the feature layer itself. The teaching CNN: `fc` (past
 * `global_pool`, before the softmax `head`); the nsfwjs MobileNetV2: `dense_2`.
 */
export function topLayer(graph: LayerGraph, featureIndex: number): number {
  const last = graph.steps.length - 1;
  let top = featureIndex;
  for (let i = featureIndex + 1; i < last; i++)
    if (graph.cut[i] && graph.steps[i]!.layer.countParams() > 0) top = i;
  return top;
}

/** The `count` seeded half/half stratified splits of a probe (split i uses its own seed). */
export function probeSplits(
  labels: readonly number[],
  count: number,
  seed: number,
): { fit: number[]; score: number[] }[] {
  return Array.from({ length: count }, (_, i) => {
    const s = stratifiedSplit(labels, 0.5, (Math.imul(seed, 7919) + i + 1) >>> 0);
    return { fit: s.train, score: s.validation };
  });
}

/**
 * Nearest-centroid accuracy on standardized features: each feature z-scored with the
 * `fit` rows' mean and std, one centroid per class from the `fit` rows, each `score` row
 * given the class of the nearest centroid (Euclidean).
 */
export function nearestCentroidAccuracy(
  features: Float32Array,
  dim: number,
  labels: readonly number[],
  numClasses: number,
  fit: readonly number[],
  score: readonly number[],
): number {
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  const classSum = Array.from({ length: numClasses }, () => new Float64Array(dim));
  const counts = new Array<number>(numClasses).fill(0);
  for (const r of fit) {
    const sum = classSum[labels[r]!]!;
    counts[labels[r]!]!++;
    for (let d = 0, o = r * dim; d < dim; d++, o++) {
      mean[d]! += features[o]!;
      sum[d]! += features[o]!;
    }
  }
  for (let d = 0; d < dim; d++) mean[d]! /= Math.max(1, fit.length);
  for (const r of fit)
    for (let d = 0, o = r * dim; d < dim; d++, o++) sq[d]! += (features[o]! - mean[d]!) ** 2;
  const inv = new Float64Array(dim);
  for (let d = 0; d < dim; d++) inv[d] = 1 / (Math.sqrt(sq[d]! / Math.max(1, fit.length)) + 1e-6);
  // Centroids in z-space: the z-score of each class's mean.
  const centroids = classSum.map((sum, k) => {
    const c = new Float64Array(dim);
    if (counts[k]! > 0)
      for (let d = 0; d < dim; d++) c[d] = (sum[d]! / counts[k]! - mean[d]!) * inv[d]!;
    return c;
  });
  const z = new Float64Array(dim);
  let hits = 0;
  for (const r of score) {
    for (let d = 0, o = r * dim; d < dim; d++, o++) z[d] = (features[o]! - mean[d]!) * inv[d]!;
    let best = -1;
    let bestDist = Infinity;
    for (let k = 0; k < numClasses; k++) {
      if (counts[k] === 0) continue;
      const c = centroids[k]!;
      let dist = 0;
      for (let d = 0; d < dim; d++) {
        const v = z[d]! - c[d]!;
        dist += v * v;
      }
      if (dist < bestDist) {
        bestDist = dist;
        best = k;
      }
    }
    if (best === labels[r]) hits++;
  }
  return hits / Math.max(1, score.length);
}

/** Nearest-centroid accuracy of one feature matrix on every split, in split order. */
export function splitAccuracies(
  features: Float32Array,
  dim: number,
  labels: readonly number[],
  numClasses: number,
  splits: readonly { fit: readonly number[]; score: readonly number[] }[],
): number[] {
  return splits.map((s) =>
    nearestCentroidAccuracy(features, dim, labels, numClasses, s.fit, s.score),
  );
}

/** Images in the smallest class (0 when a class has none). */
export function smallestClass(labels: readonly number[], numClasses: number): number {
  const counts = new Array<number>(numClasses).fill(0);
  for (const l of labels) counts[l]!++;
  return numClasses > 0 ? Math.min(...counts) : 0;
}

/** Side of the pixel baseline for an input side: the input averaged over k×k blocks, k = ⌈side / PIXEL_SIDE⌉. */
export function pixelSide(size: number): number {
  return Math.floor(size / Math.ceil(size / PIXEL_SIDE));
}

/**
 * The raw-pixel features of one batch: the network's input (its channels and value
 * range) averaged over k×k blocks down to at most `PIXEL_SIDE` a side, flattened.
 */
export function pixelFeatures(images: readonly Uint8Array[], spec: InputSpec): tf.Tensor2D {
  const k = Math.ceil(spec.size / PIXEL_SIDE);
  return tf.tidy(() => {
    const x = toModelInput(images, spec);
    const small = k > 1 ? tf.avgPool(x, k, k, 'valid') : x;
    return small.reshape([images.length, -1]) as tf.Tensor2D;
  });
}

/** One row of `dim` features per image. */
export interface FeatureMatrix {
  data: Float32Array;
  dim: number;
}
type Matrix = FeatureMatrix;

/**
 * Pooled features of every image at `layers` (ascending step indices of `graph`, each
 * spatial map averaged to one vector) and the pixel features; null when stopped.
 */
export async function probeFeatures(
  graph: LayerGraph,
  layers: readonly number[],
  images: readonly Uint8Array[],
  spec: InputSpec,
  onBatch: (done: number) => void,
  shouldStop?: () => boolean,
): Promise<{ pixels: Matrix; layers: Matrix[] } | null> {
  const parts = [...layers, -1].map(() => ({ chunks: [] as Float32Array[], dim: 0 }));
  for (let start = 0; start < images.length; start += INFERENCE_BATCH) {
    if (shouldStop?.()) return null;
    const batch = images.slice(start, start + INFERENCE_BATCH);
    const outs = tf.tidy(() => {
      let x: tf.Tensor = toModelInput(batch, spec);
      let from = 0;
      const pooled = layers.map((end) => {
        x = runSteps(graph, x, from, end, () => false, FOLD);
        from = end + 1;
        return x.rank === 4 ? x.mean([1, 2]) : x.reshape([batch.length, -1]);
      });
      return [...pooled, pixelFeatures(batch, spec)];
    });
    for (let i = 0; i < outs.length; i++) {
      parts[i]!.chunks.push((await outs[i]!.data()) as Float32Array);
      parts[i]!.dim = outs[i]!.shape[1] as number;
    }
    tf.dispose(outs);
    onBatch(Math.min(images.length, start + INFERENCE_BATCH));
  }
  const joined = parts.map(({ chunks, dim }) => {
    const data = new Float32Array(chunks.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of chunks) {
      data.set(p, at);
      at += p.length;
    }
    return { data, dim };
  });
  return { pixels: joined.pop()!, layers: joined };
}

/**
 * Probes the pretrained network: the raw pixels, `points` layers up to the feature layer
 * and the top features, each scored on the same half/half splits. Null when stopped.
 */
export async function probe(input: ProbeInput): Promise<ProbePoint[] | null> {
  const splits = probeSplits(input.labels, input.splits ?? PROBE_SPLITS, input.seed);
  const perClass = smallestClass(input.labels, input.numClasses);
  const model = await buildModel(input.artifacts);
  try {
    const graph = layerGraph(model);
    const end = graph.steps.findIndex((s) => s.layer.name === input.featureLayer);
    if (end < 0) throw new Error(`No layer "${input.featureLayer}" to probe up to.`);
    const top = topLayer(graph, end);
    const layers = [
      ...new Set([...probeLayers(graph, end, input.points ?? PROBE_POINTS), top]),
    ].sort((a, b) => a - b);
    const total = input.images.length + 1;
    const feats = await probeFeatures(
      graph,
      layers,
      input.images,
      input.spec,
      (done) => input.onProgress?.(done, total),
      input.shouldStop,
    );
    if (!feats) return null;
    const score = (m: Matrix) =>
      splitAccuracies(m.data, m.dim, input.labels, input.numClasses, splits);
    const points: ProbePoint[] = [
      { layer: PIXELS_LAYER, source: 'pixels', depth: 0, splits: score(feats.pixels), perClass },
      ...layers.map((i, k): ProbePoint => ({
        layer: graph.steps[i]!.layer.name,
        source: i === top ? 'top' : 'layer',
        depth: i / Math.max(1, top),
        splits: score(feats.layers[k]!),
        perClass,
      })),
    ];
    input.onProgress?.(total, total);
    return points;
  } finally {
    model.dispose();
  }
}
