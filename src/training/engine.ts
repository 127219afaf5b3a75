/**
 * One training run with a layer plan: builds a fresh copy of the network from its
 * artifacts (so every run starts from the pretrained weights), computes the longest
 * frozen prefix once per image (cached across runs), then trains the rest — Fine-tune
 * and Re-initialize layers plus a new softmax head — with frozen layers in inference mode.
 * What a run does before it trains (prefix, fresh network, batches) is in ./setup.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { FOLD, runSteps } from '../model/graph';
import { applyPlan, modeOfLayer } from '../model/plan';
import type { InputSpec } from '../model/preprocess';
import { rowsTensor, trainClassifier, type ClassifierTrainingResult } from './loop';
import { augmentBatch } from '../data/augment';
import { pca2 } from './pca';
import { flipSplitPredictions } from './tta';
import {
  augments,
  PROJECTION_POINTS,
  type BatchPoint,
  type BackendName,
  type EpochMetrics,
  type JobBackends,
  type LayerPlan,
  type TrainParams,
  type TrainedWeights,
} from '../domain';
import type { Split } from '../data/split';
import type { ImageSet } from '../data/image-set';
import type { PrefixCache, PrefixHelpers } from './prefix';
import { featuresOf, isBatchNorm, setUpRun, toVectors } from './setup';

export type { PrefixCache } from './prefix';

export interface EngineRun {
  artifacts: tf.io.ModelArtifacts;
  spec: InputSpec;
  plan: LayerPlan;
  images: ImageSet;
  labels: readonly number[];
  numClasses: number;
  split: Split;
  params: TrainParams;
  /** Identifies model + resolution + dataset, for the prefix cache. */
  cacheKey: string;
  cache: PrefixCache | null;
  /** Largest prefix cache to keep, in bytes; beyond it the prefix is recomputed each step. */
  cacheBudgetBytes: number;
  /** Workers that share the frozen prefix's pass (training/prefix.ts). */
  prefixHelpers?: () => PrefixHelpers | null;
  backends: JobBackends;
  shouldStop: () => boolean;
  onPrefixProgress: (done: number, total: number, cached: boolean) => void;
  onBatches: (points: BatchPoint[]) => void;
  onEpoch: (metrics: EpochMetrics) => void;
  onDrift?: (drift: Record<string, number>) => void;
  /** Sees the trained network (layers up to the feature layer) before it is disposed. */
  onTrained?: (model: tf.LayersModel) => void | Promise<void>;
}

export interface EngineResult extends ClassifierTrainingResult {
  /** With test-time augmentation (`predictions` are flip-averaged): the plain predictions. */
  unflipped?: ClassifierTrainingResult['predictions'];
  cache: PrefixCache | null;
  prefixMs: number;
  prefixBackend: BackendName | null;
  /** Helper workers that shared the prefix's pass in this run (0: none, or from the cache). */
  prefixWorkers: number;
  trainMs: number;
  trainBackend: BackendName;
  /** Number of layers run once and cached, and how many are trained. */
  frozenPrefixLayers: number;
  trainableParams: number;
  /** The weights the run changed (Fine-tune and Re-initialize layers, the new head). */
  weights: Omit<TrainedWeights, 'runId'>;
  /**
   * 2-D PCA of the features before and after training, of at most PROJECTION_POINTS
   * validation images evenly spaced in split.validation order (`rows`: their dataset indices).
   */
  projection: { before: [number, number][]; after: [number, number][]; rows: number[] };
}

export async function trainWithPlan(run: EngineRun): Promise<EngineResult> {
  let model: tf.LayersModel | null = null;
  try {
    // Augmentation changes every input, so nothing can be computed once and cached.
    const augmenting = augments(run.params.augment);
    const setup = await setUpRun(run, augmenting);
    if ('stopped' in setup) return stoppedResult(run, setup.prefixMs, setup.prefixBackend);
    model = setup.model;
    const {
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
    } = setup;
    // The original features set the head's input scaling and are the targets of output-level conservation.
    const originalFeatures = !headOnly && run.params.distillation > 0 ? initial : null;
    const featureScale = standardization(initial, run.split.train);
    const groups = applyPlan(
      graph.steps.slice(0, end + 1).map((s) => s.layer),
      run.plan.modes,
    );
    const trainableParams = [...groups.fineTune, ...groups.reinit].reduce((n, v) => n + v.size, 0);
    const modeByLayer = new Map(
      graph.steps.map((s) => [s.layer, modeOfLayer(run.plan.modes, s.layer)]),
    );
    // Frozen layers, and BatchNorm in fine-tuned layers, run in inference mode.
    const trainingFlag = (layer: tf.layers.Layer) => {
      const mode = modeByLayer.get(layer);
      return (
        mode === 'reinit' ||
        (mode === 'fine-tune' && (run.params.batchNormTraining || !isBatchNorm(layer)))
      );
    };
    await load?.([0]);
    const featureDim = tf.tidy(
      () =>
        toVectors(
          headOnly
            ? inputBatch([0])
            : runSteps(graph, inputBatch([0]), k + 1, end, () => false, FOLD),
        ).shape[1] as number,
    );
    const t1 = performance.now();
    const { valueRange } = run.spec;
    const result = await trainClassifier({
      load,
      batch: (idx, augment) => {
        const x = inputBatch(idx);
        return augment && augmenting
          ? augmentBatch(x as tf.Tensor4D, augment.seed, { ...run.params.augment, valueRange })
          : x;
      },
      body: (x, training) =>
        toVectors(
          headOnly ? x : runSteps(graph, x, k + 1, end, (layer) => training && trainingFlag(layer)),
        ),
      featureDim,
      fineTune: groups.fineTune,
      reinit: groups.reinit,
      labels: run.labels,
      numClasses: run.numClasses,
      split: run.split,
      params: run.params,
      originalFeatures: originalFeatures
        ? (idx) => rowsTensor(originalFeatures.data, featureDim, [featureDim], idx) as tf.Tensor2D
        : undefined,
      onDrift: run.onDrift,
      featureScale,
      shouldStop: run.shouldStop,
      onBatches: run.onBatches,
      onEpoch: run.onEpoch,
    });
    await run.onTrained?.(model);
    // Test-time augmentation: the final predictions from each image and its mirror image.
    const head = { ...featureScale, kernel: result.kernel, bias: result.bias, featureDim };
    const flip =
      run.params.testTimeAugmentation && result.epochsRun > 0
        ? await flipSplitPredictions(run, { ...head, numClasses: run.numClasses }, (x) =>
            toVectors(runSteps(graph, x, 0, end, () => false, FOLD)),
          )
        : null;
    // Every weight of every trained layer (BatchNorm statistics included), by its Keras name.
    const trainedLayers = graph.steps
      .slice(0, end + 1)
      .map((s) => s.layer)
      .filter((l) => modeOfLayer(run.plan.modes, l) !== 'frozen');
    const layers = await Promise.all(
      trainedLayers.flatMap((l) =>
        l.weights.map(async (w) => ({
          name: w.originalName,
          shape: w.shape as number[],
          values: (await w.read().data()) as Float32Array,
        })),
      ),
    );
    const weights = {
      layers,
      head: {
        kernel: result.kernel,
        bias: result.bias,
        mean: featureScale.mean,
        std: featureScale.std,
        featureDim,
        numClasses: run.numClasses,
      },
    };
    const val = evenlySpaced(run.split.validation, PROJECTION_POINTS);
    const after =
      result.epochsRun > 0 && !headOnly
        ? await featuresOf(run, graph, k, end, inputBatch, load)
        : initial;
    const projection = {
      before: pca2(initial.data, initial.dim, val),
      after: pca2(after.data, after.dim, val),
      rows: val,
    };
    return {
      projection,
      ...result,
      ...(flip ? { predictions: flip.flipped, unflipped: flip.plain } : {}),
      cache: k > 0 ? cache : run.cache,
      prefixMs,
      prefixBackend,
      prefixWorkers: prefixBackend && cache ? (cache.workers ?? 0) : 0,
      trainMs: performance.now() - t1,
      trainBackend,
      frozenPrefixLayers: k + 1,
      trainableParams,
      weights,
    };
  } finally {
    model?.dispose();
  }
}

/** At most `max` items of `items`, evenly spaced, in order. */
export function evenlySpaced<T>(items: readonly T[], max: number): T[] {
  const n = items.length;
  if (n <= max) return [...items];
  return Array.from({ length: max }, (_, j) => items[Math.floor((j * n) / max)]!);
}

/**
 * Centring and scaling for the new head's input, from the training images: per-feature
 * mean, and one common scale (the root mean variance over all features). Pooled ReLU
 * features are all positive and small, and a new head on them converges very slowly;
 * this affine map (foldable into the head's weights) fixes that. One common scale rather
 * than per-feature z-scores: with few images, features that barely vary in the training
 * set would otherwise be blown up and dominate on new images.
 */
export function standardization(
  features: { data: Float32Array; dim: number },
  rows: readonly number[],
): { mean: Float32Array; std: Float32Array } {
  const { data, dim } = features;
  const mean = new Float32Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) mean[d]! += data[r * dim + d]! / rows.length;
  let variance = 0;
  for (const r of rows)
    for (let d = 0; d < dim; d++)
      variance += (data[r * dim + d]! - mean[d]!) ** 2 / (rows.length * dim);
  const scale = Math.sqrt(variance) || 1;
  return { mean, std: new Float32Array(dim).fill(scale) };
}

function stoppedResult(
  run: EngineRun,
  prefixMs: number,
  prefixBackend: BackendName | null,
): EngineResult {
  return {
    stopped: true,
    epochsRun: 0,
    bestEpoch: 0,
    stoppedEarly: false,
    history: [],
    predictions: { validation: [], test: [] },
    kernel: new Float32Array(0),
    bias: new Float32Array(0),
    cache: run.cache,
    prefixMs,
    prefixBackend,
    prefixWorkers: 0,
    trainMs: 0,
    trainBackend: run.backends.head,
    frozenPrefixLayers: 0,
    trainableParams: 0,
    weights: {
      layers: [],
      head: {
        kernel: new Float32Array(0),
        bias: new Float32Array(0),
        mean: new Float32Array(0),
        std: new Float32Array(0),
        featureDim: 0,
        numClasses: run.numClasses,
      },
    },
    projection: { before: [], after: [], rows: [] },
  };
}
