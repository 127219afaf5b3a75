/**
 * Layer probe: how well do a network's pooled features at several depths separate the
 * user's classes, with its pretrained weights and with the same architecture at random
 * weights? A nearest-centroid classifier on standardized features, fit on half of a
 * small per-class subsample and scored on the other half. The gain of pretrained over
 * random at the top layers is the evidence of domain similarity (DESIGN.md §3).
 */
import * as tf from '@tensorflow/tfjs';
import { layerGraph, runSteps, type LayerGraph } from '../model/graph';
import { buildModel } from '../model/load';
import { reinitializeLayer } from '../model/plan';
import { toModelInput, type InputSpec } from '../model/preprocess';
import { stratifiedSplit } from '../data/split';

export interface ProbeResult {
  layer: string;
  /** Position of the layer among the model's layers up to the feature layer, 0..1. */
  depth: number;
  pretrained: number;
  random: number;
}

export interface ProbeInput {
  artifacts: tf.io.ModelArtifacts;
  spec: InputSpec;
  featureLayer: string;
  images: readonly Uint8Array[];
  labels: readonly number[];
  numClasses: number;
  /** How many layers to probe (block boundaries spread over the depth). */
  points?: number;
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

/** Nearest-centroid accuracy on standardized features: fit on `fit`, score on `score`. */
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
  for (const r of fit)
    for (let d = 0; d < dim; d++) mean[d]! += features[r * dim + d]! / fit.length;
  for (const r of fit)
    for (let d = 0; d < dim; d++) sq[d]! += (features[r * dim + d]! - mean[d]!) ** 2 / fit.length;
  const std = Array.from(sq, (v) => Math.sqrt(v) + 1e-6);
  const z = (r: number, d: number) => (features[r * dim + d]! - mean[d]!) / std[d]!;
  const centroids = Array.from({ length: numClasses }, () => new Float64Array(dim));
  const counts = new Array<number>(numClasses).fill(0);
  for (const r of fit) {
    counts[labels[r]!]!++;
    for (let d = 0; d < dim; d++) centroids[labels[r]!]![d]! += z(r, d);
  }
  centroids.forEach((c, k) => c.forEach((_, d) => (c[d]! /= Math.max(1, counts[k]!))));
  let hits = 0;
  for (const r of score) {
    let best = -1;
    let bestDist = Infinity;
    centroids.forEach((c, k) => {
      if (counts[k] === 0) return;
      let dist = 0;
      for (let d = 0; d < dim; d++) dist += (z(r, d) - c[d]!) ** 2;
      if (dist < bestDist) {
        bestDist = dist;
        best = k;
      }
    });
    if (best === labels[r]) hits++;
  }
  return hits / Math.max(1, score.length);
}

async function pooledAt(
  graph: LayerGraph,
  layers: number[],
  images: readonly Uint8Array[],
  spec: InputSpec,
  shouldStop?: () => boolean,
): Promise<{ data: Float32Array; dim: number }[] | null> {
  const out = layers.map(() => ({ parts: [] as Float32Array[], dim: 0 }));
  for (let start = 0; start < images.length; start += 16) {
    if (shouldStop?.()) return null;
    const batch = images.slice(start, start + 16);
    const pooled = tf.tidy(() => {
      let x: tf.Tensor = toModelInput(batch, spec);
      let from = 0;
      return layers.map((end) => {
        x = runSteps(graph, x, from, end, () => false);
        from = end + 1;
        return x.rank === 4 ? x.mean([1, 2]) : x.reshape([batch.length, -1]);
      });
    });
    for (let i = 0; i < layers.length; i++) {
      out[i]!.parts.push((await pooled[i]!.data()) as Float32Array);
      out[i]!.dim = pooled[i]!.shape[1] as number;
    }
    tf.dispose(pooled);
  }
  return out.map(({ parts, dim }) => {
    const data = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    return { data, dim };
  });
}

/** Probes the pretrained network and a randomly initialised copy; null when stopped. */
export async function probe(input: ProbeInput): Promise<ProbeResult[] | null> {
  const split = stratifiedSplit(input.labels, 0.5, input.seed);
  const results: ProbeResult[] = [];
  let layers: number[] = [];
  const accuracies: Record<'pretrained' | 'random', number[]> = { pretrained: [], random: [] };
  let names: string[] = [];
  let end = 0;
  for (const kind of ['pretrained', 'random'] as const) {
    const model = await buildModel(input.artifacts);
    try {
      const graph = layerGraph(model);
      end = graph.steps.findIndex((s) => s.layer.name === input.featureLayer);
      if (end < 0) throw new Error(`No layer "${input.featureLayer}" to probe up to.`);
      layers = probeLayers(graph, end, input.points ?? 6);
      names = layers.map((i) => graph.steps[i]!.layer.name);
      if (kind === 'random')
        for (const step of graph.steps)
          if (step.layer.countParams() > 0) reinitializeLayer(step.layer);
      const feats = await pooledAt(graph, layers, input.images, input.spec, input.shouldStop);
      if (!feats) return null;
      accuracies[kind] = feats.map((f) =>
        nearestCentroidAccuracy(
          f.data,
          f.dim,
          input.labels,
          input.numClasses,
          split.train,
          split.validation,
        ),
      );
      input.onProgress?.(kind === 'pretrained' ? 1 : 2, 2);
    } finally {
      model.dispose();
    }
  }
  layers.forEach((i, k) =>
    results.push({
      layer: names[k]!,
      depth: i / Math.max(1, end),
      pretrained: accuracies.pretrained[k]!,
      random: accuracies.random[k]!,
    }),
  );
  return results;
}
