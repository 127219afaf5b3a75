/**
 * One teaching-CNN run through the studio's own engine (`trainWithPlan`,
 * src/training/engine.ts): the bundled network's artifacts, a layer plan in the studio's
 * words (Frozen / Fine-tune / Re-initialize per layer, a feature layer), `TrainParams`,
 * and one in-memory dataset per seed whose split is fixed here (training images, a
 * validation set for early stopping, the held-out test images). Whatever the studio does
 * — its prefix cache, its new head and the head's input scaling, its early stopping and
 * best-epoch weights, L2-SP conservation — happens here exactly as in the app.
 */
import type * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CACHE_BUDGET_BYTES,
  DEFAULT_PARAMS,
  type LayerPlan,
  type PlanLayer,
  type TrainParams,
} from '../../src/domain';
import type { Split } from '../../src/data/split';
import { MemoryImages } from '../../src/data/image-set';
import type { InputSpec } from '../../src/model/preprocess';
import { trainWithPlan, type PrefixCache } from '../../src/training/engine';
import { sourceAccuracy, type SourceImages } from '../../src/training/forgetting';
import type { TeachingBackend } from './backend';
import { sample, seededRandom, type ClassSplit } from './data';
import { modelFiles, type ModelJson } from './model-files';
import { buildTeachingCnn } from './model';

/** The teaching CNN's input, as its catalog entry describes it. */
export const TEACHING_SPEC: InputSpec = { size: 28, channels: 1, valueRange: [0, 1] };

/**
 * The teaching CNN's layers as the studio's plan editor lists them (name, weights, cut
 * point), the input first: a plain chain, so every layer is a cut point.
 */
export function teachingLayers(): PlanLayer[] {
  const model = buildTeachingCnn({ numClasses: 5, seed: 1 });
  const layers = model.layers.map((l) => ({
    name: l.name,
    params: l.countParams(),
    cutPoint: true,
  }));
  model.dispose();
  return layers;
}

function artifactsFrom(json: ModelJson, weights: Uint8Array): tf.io.ModelArtifacts {
  const copy = weights.slice();
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: copy.buffer,
    format: 'layers-model',
  };
}

/** The bundled network as the studio loads it (model.json + one weights file). */
export function readArtifacts(dir: string): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const bytes = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))),
  );
  return artifactsFrom(json, new Uint8Array(bytes));
}

/** The same architecture with seeded *random* weights (the control "random frozen convs"). */
export async function randomArtifacts(seed: number): Promise<tf.io.ModelArtifacts> {
  const model = buildTeachingCnn({ numClasses: 5, seed });
  const files = await modelFiles(model);
  model.dispose();
  return artifactsFrom(files.modelJson, files.weights);
}

/** A [0, 1] grey image as the studio stores it: 8-bit RGB with R = G = B. */
export function toRgbBytes(image: Float32Array): Uint8Array {
  const out = new Uint8Array(image.length * 3);
  image.forEach((v, i) => {
    const g = Math.round(Math.min(1, Math.max(0, v)) * 255);
    out[3 * i] = g;
    out[3 * i + 1] = g;
    out[3 * i + 2] = g;
  });
  return out;
}

/** One seed's images with labels and the split every plan of that seed shares. */
export interface SeedData {
  images: Uint8Array[];
  labels: number[];
  split: Split;
  numClasses: number;
}

/**
 * Per class: K training and V validation images drawn from the class's training pool
 * (seeded; the first K are the images the earlier tables trained on), and the first
 * `testPerClass` held-out test images (the same for every seed).
 */
export function seedData(
  classes: readonly ClassSplit[],
  k: number,
  validationPerClass: number,
  testPerClass: number,
  seed: number,
): SeedData {
  const random = seededRandom(seed * 7919 + k);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const split: Split = { train: [], validation: [], test: [] };
  const add = (image: Float32Array, label: number, part: number[]) => {
    part.push(images.length);
    images.push(toRgbBytes(image));
    labels.push(label);
  };
  classes.forEach((c, label) => {
    const drawn = sample(c.pool, k + validationPerClass, random);
    drawn.slice(0, k).forEach((im) => add(im, label, split.train));
    drawn.slice(k).forEach((im) => add(im, label, split.validation));
  });
  classes.forEach((c, label) => {
    if (c.test.length < testPerClass)
      throw new Error(`class ${c.name} has ${c.test.length} test images, ${testPerClass} asked`);
    c.test.slice(0, testPerClass).forEach((im) => add(im, label, split.test));
  });
  return { images, labels, split, numClasses: classes.length };
}

/** Source-task test images for `sourceAccuracy`, as the studio reads them. */
export function sourceImages(classes: readonly ClassSplit[], perClass: number): SourceImages {
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  classes.forEach((c, label) =>
    c.test.slice(0, perClass).forEach((im) => {
      images.push(toRgbBytes(im));
      labels.push(label);
    }),
  );
  return { images, labels };
}

/** Settings of a teaching run beyond the plan: how long, how fast, when to stop. */
export function teachingParams(seed: number, overrides: Partial<TrainParams>): TrainParams {
  return {
    ...DEFAULT_PARAMS,
    seed,
    // The split is fixed by `seedData`; these only describe it.
    validationFraction: 0,
    testFraction: 0,
    ...overrides,
  };
}

export interface StudioRunOutcome {
  /** Accuracy on the split's test images. */
  test: number;
  /** The epoch whose weights were kept. */
  bestEpoch: number;
  epochsRun: number;
  /** Ran to its last allowed epoch without early stopping ending it. */
  hitCap: boolean;
  /** Accuracy of the network's own source head on `source` after the run, if asked. */
  source: number | null;
}

/** Frozen-prefix caches of one seed's dataset, by the plan's frozen layers (the engine checks the key again). */
export class PrefixCaches {
  private readonly entries = new Map<string, PrefixCache>();
  get(key: string): PrefixCache | null {
    return this.entries.get(key) ?? null;
  }
  set(key: string, cache: PrefixCache | null): void {
    if (cache && cache.key.startsWith(`${key}|`)) this.entries.set(key, cache);
  }
}

/** The names of the plan's leading Frozen weighted layers up to its feature layer: what can be cached. */
export function frozenSignature(layers: readonly PlanLayer[], plan: LayerPlan): string {
  const names: string[] = [];
  for (const l of layers) {
    if (l.params > 0 && plan.modes[l.name] !== 'frozen') break;
    if (l.params > 0) names.push(l.name);
    if (l.name === plan.featureLayer) break;
  }
  return names.join(',') || 'none';
}

/** Trains `plan` on one seed's data with the studio's engine and measures it on the test split. */
export async function studioRun(run: {
  artifacts: tf.io.ModelArtifacts;
  /** Names the network + dataset, for the prefix cache. */
  cacheKey: string;
  caches: PrefixCaches;
  plan: LayerPlan;
  data: SeedData;
  params: TrainParams;
  backend: TeachingBackend;
  source?: SourceImages;
}): Promise<StudioRunOutcome> {
  let source: number | null = null;
  const result = await trainWithPlan({
    artifacts: run.artifacts,
    spec: TEACHING_SPEC,
    plan: run.plan,
    images: new MemoryImages(run.data.images, TEACHING_SPEC.size),
    labels: run.data.labels,
    numClasses: run.data.numClasses,
    split: run.data.split,
    params: run.params,
    cacheKey: run.cacheKey,
    cache: run.caches.get(run.cacheKey),
    cacheBudgetBytes: CACHE_BUDGET_BYTES,
    backends: { features: run.backend, head: run.backend, fineTune: run.backend },
    shouldStop: () => false,
    onPrefixProgress: () => {},
    onBatches: () => {},
    onEpoch: () => {},
    onTrained: run.source
      ? async (model) => {
          source = await sourceAccuracy(model, TEACHING_SPEC, run.source!);
        }
      : undefined,
  });
  if (result.stopped) throw new Error('the run stopped before it finished');
  run.caches.set(run.cacheKey, result.cache);
  const test = run.data.split.test;
  const hits = result.predictions.test.filter((p, i) => p === run.data.labels[test[i]!]).length;
  return {
    test: hits / Math.max(1, test.length),
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    hitCap: !result.stoppedEarly,
    source,
  };
}
