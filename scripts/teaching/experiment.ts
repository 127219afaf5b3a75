/**
 * Reproduces the transfer table behind the teaching CNN's defaults (docs/teaching-transfer.md):
 * scratch vs pretrained-frozen vs pretrained-fine-tuned at several freeze depths, on a
 * similar target (the other 5 Fashion-MNIST classes) and a different one (5 handwritten
 * digits), with K training images per class, several seeds, held-out test images.
 *
 *   npm run experiment:teaching
 *   npm run experiment:teaching -- --seeds 1,2,3 --k 20 --out docs/teaching-transfer.md
 *   npm run experiment:teaching -- --k 10 --targets fashion,digits,digits-inverted --section k10
 *
 * `--section NAME` writes the tables as one section of the existing document (between
 * `<!-- section:NAME -->` markers, replaced on the next run) instead of the whole file.
 *
 * Each seed draws its own K-shot training set, initialises re-initialised layers and the
 * new head, and shuffles; within a seed every configuration sees the same data (paired).
 * Frozen prefixes run once per image (their outputs are cached), as the studio does.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { useBackend } from './backend';
import {
  DIGIT_CLASSES,
  FASHION_TARGET_CLASSES,
  loadDigitClass,
  loadFashionClass,
  sample,
  seededRandom,
  toImageSet,
  type ClassSplit,
  type ImageSet,
} from './data';
import { readModel } from './model-files';
import { CONV_LAYERS, FEATURE_LAYER, buildTeachingCnn } from './model';
import { evaluate, imagesAsTensorSet, predictAll, train, type TensorSet } from './train';

export type Mode = 'frozen' | 'finetune' | 'reinit';
/** The layers whose mode a configuration sets; `head` is always new. */
export const PLAN_LAYERS = [...CONV_LAYERS, 'fc'] as const;
export type PlanLayer = (typeof PLAN_LAYERS)[number];

export interface Config {
  id: string;
  label: string;
  modes: Record<PlanLayer, Mode>;
  /** Drop `fc`: the new head sits directly on `global_pool` (feature extraction at the catalog's feature layer). */
  dropFc?: boolean;
  /** Features from this conv layer, globally average-pooled: the layers after it are removed and a new head reads them. */
  featuresAt?: 'conv3';
  /** Frozen layers keep their *random* initial weights instead of the pretrained ones (a control). */
  randomWeights?: boolean;
  /** LR of fine-tuned (pretrained, trainable) layers; new and re-initialised layers use `NEW_LR`. */
  finetuneLr: number;
  /** Left out unless named with `--only` (too slow for the default run). */
  optional?: boolean;
}

export const NEW_LR = 1e-3;
/**
 * One LR for fine-tuned layers too. In a one-seed pilot (K=20, batch 20, 100 epochs) a gentler
 * 1e-4 left the training loss at 0.15–0.07 where 1e-3 reached 0.008–0.002, and tested lower
 * on both targets; `--only ft-all-gentle` measures it properly (slow: it never meets the stop rule).
 */
export const FINETUNE_LR = 1e-3;
export const GENTLE_LR = 1e-4;

/** conv1..conv`frozen` frozen, the other convs `rest`, fc `fc`. */
function plan(frozen: number, rest: Mode, fc: Mode): Record<PlanLayer, Mode> {
  const modes = Object.fromEntries(
    CONV_LAYERS.map((name, i) => [name, i < frozen ? 'frozen' : rest]),
  ) as Record<PlanLayer, Mode>;
  modes.fc = fc;
  return modes;
}

const FC_WORD: Record<Mode, string> = {
  finetune: 'fc fine-tuned',
  reinit: 'fc re-init',
  frozen: 'fc frozen',
};
const FROZEN_WORD = [
  'nothing frozen',
  'conv1 frozen',
  'conv1–2 frozen',
  'conv1–3 frozen',
  'conv1–4 frozen',
  'conv1–5 frozen',
];

/** conv1..conv`depth` frozen, the other convs fine-tuned, fc fine-tuned or re-initialised. */
function sweepRow(depth: number, fc: 'finetune' | 'reinit', optional = false): Config {
  const id = `freeze-${depth}-fc-${fc === 'finetune' ? 'ft' : 'reinit'}`;
  const rest =
    depth === 0
      ? 'fine-tune conv1–5'
      : depth === 5
        ? ''
        : depth === 4
          ? 'fine-tune conv5'
          : `fine-tune conv${depth + 1}–5`;
  const label = [FROZEN_WORD[depth], rest, FC_WORD[fc]].filter(Boolean).join(', ');
  return {
    id,
    label,
    modes: plan(depth, 'finetune', fc),
    finetuneLr: FINETUNE_LR,
    ...(optional ? { optional } : {}),
  };
}

/** The rows of the table: scratch, a freeze-depth sweep × {fc fine-tuned, fc re-init}, feature extraction, controls. */
export function configs(): Config[] {
  const lr = FINETUNE_LR;
  const sweep = [0, 1, 2, 4, 5].flatMap((depth) =>
    (['finetune', 'reinit'] as const).map((fc) => sweepRow(depth, fc, depth === 1)),
  );
  return [
    {
      id: 'scratch',
      label: 'scratch (all layers random, trained)',
      modes: plan(0, 'reinit', 'reinit'),
      finetuneLr: lr,
    },
    ...sweep,
    {
      id: 'head-on-fc',
      label: 'conv1–5 + fc frozen, new head only',
      modes: plan(5, 'finetune', 'frozen'),
      finetuneLr: lr,
    },
    {
      id: 'head-on-pool',
      label: 'conv1–5 frozen, head on global_pool (fc removed)',
      modes: plan(5, 'finetune', 'reinit'),
      dropFc: true,
      finetuneLr: lr,
    },
    {
      id: 'ft-all-pool',
      label: 'nothing frozen, fine-tune conv1–5, head on global_pool (fc removed)',
      modes: plan(0, 'finetune', 'reinit'),
      dropFc: true,
      finetuneLr: lr,
      optional: true,
    },
    {
      id: 'ft-upper-pool',
      label: 'conv1–2 frozen, fine-tune conv3–5, head on global_pool (fc removed)',
      modes: plan(2, 'finetune', 'reinit'),
      dropFc: true,
      finetuneLr: lr,
      optional: true,
    },
    {
      id: 'head-on-conv3',
      label: 'conv1–3 frozen, head on conv3 pooled (conv4–5, fc removed)',
      modes: plan(3, 'finetune', 'reinit'),
      featuresAt: 'conv3',
      finetuneLr: lr,
      optional: true,
    },
    {
      id: 'random-frozen',
      label: 'control: *random* conv1–5 frozen, fc re-init',
      modes: plan(5, 'finetune', 'reinit'),
      randomWeights: true,
      finetuneLr: lr,
    },
    {
      id: 'ft-all-gentle',
      label: `nothing frozen, fc fine-tuned, pretrained layers at LR ${GENTLE_LR}`,
      modes: plan(0, 'finetune', 'finetune'),
      finetuneLr: GENTLE_LR,
      optional: true,
    },
  ];
}

export interface Target {
  id: string;
  label: string;
  classes: ClassSplit[];
}

export interface ExperimentSettings {
  seeds: number[];
  /** Training images per class, one table per value. */
  ks: number[];
  testPerClass: number;
  /** Most epochs a run may take. */
  epochs: number;
  /** A run stops once an epoch's mean training loss is below this. */
  stopBelowLoss: number;
  batchSize: number;
  /** Z-score frozen features that feed a new layer (see `standardize`). */
  standardizeFeatures: boolean;
}

export const DEFAULT_SETTINGS: ExperimentSettings = {
  seeds: [1, 2, 3],
  ks: [20],
  testPerClass: 400,
  epochs: 300,
  stopBelowLoss: 0.05,
  batchSize: 10,
  standardizeFeatures: true,
};

/** The layer after which a frozen prefix ends (activations cached there), or null. */
function cutLayer(config: Config): string | null {
  if (config.featuresAt) return config.featuresAt;
  const frozen = PLAN_LAYERS.findIndex((name) => config.modes[name] !== 'frozen');
  const depth = frozen === -1 ? PLAN_LAYERS.length : frozen;
  // Cut after the pooling that follows a frozen conv, so the cache is as small as it gets.
  return [null, 'conv1', 'pool1', 'conv3', 'pool2', FEATURE_LAYER, 'fc'][depth] ?? null;
}

function prefixModel(model: tf.LayersModel, cut: string): tf.LayersModel {
  return tf.model({
    inputs: model.inputs,
    outputs: model.getLayer(cut).output as tf.SymbolicTensor,
  });
}

/** The layers after `cut` (a chain) applied to a new input: they share weights with `model`. */
function suffixModel(model: tf.LayersModel, cut: string | null, dropFc: boolean): tf.LayersModel {
  // No cut: the whole chain after the input layer.
  const index = cut === null ? 0 : model.layers.findIndex((l) => l.name === cut);
  const shape = (model.layers[index]!.outputShape as number[]).slice(1);
  const input = tf.input({ shape });
  let x: tf.SymbolicTensor = input;
  for (const layer of model.layers.slice(index + 1)) {
    if (dropFc && layer.name === 'fc') continue;
    x = layer.apply(x) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x });
}

/** The frozen layers up to `cut`, globally average-pooled (a feature vector per image). */
function pooledPrefix(model: tf.LayersModel, cut: string): tf.LayersModel {
  const pooled = tf.layers
    .globalAveragePooling2d({})
    .apply(model.getLayer(cut).output as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: pooled });
}

/** A new softmax head on `dim` features, seeded. */
function newHead(dim: number, numClasses: number, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [dim] });
  const head = tf.layers
    .dense({
      name: 'head',
      units: numClasses,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1000 + seed }),
    })
    .apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: head });
}

async function activations(prefix: tf.LayersModel, set: ImageSet): Promise<TensorSet> {
  const { values, shape } = await predictAll(prefix, imagesAsTensorSet(set));
  return { x: values, shape, labels: set.labels, numClasses: set.classNames.length };
}

/**
 * Z-scores each feature with the training set's mean and std (StandardScaler-style), for a
 * *new* layer that reads frozen features: the pooled activations are all positive with
 * means ≈2 and stds ≈1, so an unscaled softmax head converges very slowly. An affine map
 * of the input, foldable into the new layer's weights: it changes optimisation, not capacity.
 */
export function standardize(trainData: TensorSet, testData: TensorSet): [TensorSet, TensorSet] {
  const d = trainData.shape.reduce((p, v) => p * v, 1);
  const n = trainData.x.length / d;
  const mu = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j]! += trainData.x[i * d + j]! / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) sq[j]! += (trainData.x[i * d + j]! - mu[j]!) ** 2 / n;
  // Like scikit-learn's StandardScaler, a (near-)constant feature is only centred, not blown up.
  const sd = Array.from(sq, (v) => (Math.sqrt(v) > 1e-3 ? Math.sqrt(v) : 1));
  const apply = (set: TensorSet): TensorSet => ({
    ...set,
    x: set.x.map((v, i) => (v - mu[i % d]!) / sd[i % d]!),
  });
  return [apply(trainData), apply(testData)];
}

/** Caches activations of the *pretrained* frozen prefix per (data set, cut): the same for every seed. */
class ActivationCache {
  private readonly entries = new Map<string, TensorSet>();
  async get(key: string, compute: () => Promise<TensorSet>): Promise<TensorSet> {
    const hit = this.entries.get(key);
    if (hit) return hit;
    const value = await compute();
    this.entries.set(key, value);
    return value;
  }
  clear(): void {
    this.entries.clear();
  }
}

interface RunOutcome {
  accuracy: number;
  epochs: number;
  trainLoss: number;
}

/** Trains one configuration on one seed's data and returns its test accuracy and how long it trained. */
async function runConfig(
  pretrained: tf.LayersModel,
  config: Config,
  seed: number,
  trainSet: ImageSet,
  testSet: ImageSet,
  settings: ExperimentSettings,
  cache: ActivationCache,
  cacheKey: string,
): Promise<RunOutcome> {
  const numClasses = trainSet.classNames.length;
  const model = buildTeachingCnn({ numClasses, seed: 1000 + seed });
  const lrs: Record<string, number> = {};
  for (const name of PLAN_LAYERS) {
    const mode = config.modes[name];
    const layer = model.getLayer(name);
    if (mode !== 'reinit' && !config.randomWeights)
      layer.setWeights(pretrained.getLayer(name).getWeights());
    layer.trainable = mode !== 'frozen';
    lrs[name] = mode === 'finetune' ? config.finetuneLr : NEW_LR;
  }
  const cut = cutLayer(config);
  let trainData = imagesAsTensorSet(trainSet);
  let testData = imagesAsTensorSet(testSet);
  let trained = model;
  // A layer is freed when every container that *applied* it is disposed: `model` and the
  // suffix (the prefix only reuses `model`'s nodes, so it is not disposed on its own).
  const containers: tf.LayersModel[] = [model];
  if (config.dropFc && !cut) {
    trained = suffixModel(model, null, true);
    containers.push(trained);
  }
  if (cut) {
    const prefix = config.featuresAt ? pooledPrefix(model, cut) : prefixModel(model, cut);
    if (config.randomWeights) {
      trainData = await activations(prefix, trainSet);
      testData = await activations(prefix, testSet);
    } else {
      // Seed-independent test activations are shared; the K-shot train set differs per seed.
      trainData = await activations(prefix, trainSet);
      const key = `${cacheKey}/${cut}${config.featuresAt ? '/pooled' : ''}`;
      testData = await cache.get(key, () => activations(prefix, testSet));
    }
    trained = config.featuresAt
      ? newHead(trainData.shape[0]!, numClasses, seed)
      : suffixModel(model, cut, config.dropFc ?? false);
    containers.push(trained);
    const next = trained.layers.find((l) => l.countParams() > 0);
    if (
      settings.standardizeFeatures &&
      next &&
      (next.name === 'head' || config.modes[next.name as PlanLayer] === 'reinit')
    ) {
      [trainData, testData] = standardize(trainData, testData);
    }
  }
  const { epochLosses } = await train(trained, trainData, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    learningRate: NEW_LR,
    layerLearningRates: lrs,
    seed,
    stopBelowLoss: settings.stopBelowLoss,
    onEpoch: process.env.TEACHING_DEBUG
      ? (e, l) =>
          (e + 1) % 20 === 0 && console.log(`  ${config.id} epoch ${e + 1} loss ${l.toFixed(4)}`)
      : undefined,
  });
  const { accuracy } = await evaluate(trained, testData);
  for (const c of containers) c.dispose();
  return { accuracy, epochs: epochLosses.length, trainLoss: epochLosses.at(-1) ?? NaN };
}

export interface TargetResult {
  target: Target;
  k: number;
  /** config id → accuracies in seed order. */
  cells: Map<string, number[]>;
  /** config id → epochs run, in seed order. */
  epochs: Map<string, number[]>;
  seconds: number;
}

/** Runs every configuration × seed on one target at one K. */
export async function runTarget(
  pretrained: tf.LayersModel,
  target: Target,
  k: number,
  settings: ExperimentSettings,
  list: Config[],
  log: (line: string) => void,
): Promise<TargetResult> {
  const t0 = performance.now();
  const names = target.classes.map((c) => c.name);
  const testSet = toImageSet(
    names,
    target.classes.map((c) => c.test.slice(0, settings.testPerClass)),
  );
  const cache = new ActivationCache();
  const cells = new Map<string, number[]>(list.map((c) => [c.id, []]));
  const epochs = new Map<string, number[]>(list.map((c) => [c.id, []]));
  for (const seed of settings.seeds) {
    const random = seededRandom(seed * 7919 + k);
    const trainSet = toImageSet(
      names,
      target.classes.map((c) => sample(c.pool, k, random)),
    );
    for (const config of list) {
      const tc = performance.now();
      const run = await runConfig(
        pretrained,
        config,
        seed,
        trainSet,
        testSet,
        settings,
        cache,
        target.id,
      );
      cells.get(config.id)!.push(run.accuracy);
      epochs.get(config.id)!.push(run.epochs);
      log(
        `${target.id} K=${k} seed ${seed} ${config.id}: ${(run.accuracy * 100).toFixed(1)}% after ${run.epochs} epochs, train loss ${run.trainLoss.toFixed(3)} (${((performance.now() - tc) / 1000).toFixed(1)} s)`,
      );
    }
  }
  cache.clear();
  return { target, k, cells, epochs, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------- statistics and report

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** Two-sided 95% critical values of Student's t, by degrees of freedom. */
const T95 = [Infinity, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
const tCritical = (df: number): number => T95[df] ?? 1.96;

export interface Difference {
  mean: number;
  std: number;
  /** Paired t-test at 95%: the mean difference is beyond seed noise. */
  significant: boolean;
}

/** Paired difference a − b over seeds. */
export function paired(a: number[], b: number[]): Difference {
  const d = a.map((v, i) => v - (b[i] ?? NaN));
  const m = mean(d);
  const s = std(d);
  const se = s / Math.sqrt(d.length);
  return {
    mean: m,
    std: s,
    significant: d.length > 1 && (se === 0 ? m !== 0 : Math.abs(m / se) > tCritical(d.length - 1)),
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (v: number): string => (v * 100).toFixed(1);
const pm = (xs: number[]): string => `${pct(mean(xs))} ± ${pct(std(xs))}`;
const delta = (d: Difference): string =>
  `${d.mean >= 0 ? '+' : '−'}${pct(Math.abs(d.mean))} ± ${pct(d.std)}${d.significant ? ' *' : ''}`;

function table(results: TargetResult[], list: Config[]): string {
  const head = [
    'configuration',
    'conv1–5 · fc',
    `epochs (${results.map((r) => r.target.label).join(' / ')})`,
    ...results.flatMap((r) => [`${r.target.label} acc %`, 'Δ vs scratch (pp)']),
  ];
  const rows = list.map((c) => {
    const modes = PLAN_LAYERS.map(
      (n) => ({ frozen: 'F', finetune: 'T', reinit: 'R' })[c.modes[n]],
    ).join('');
    const plan = c.featuresAt
      ? `${modes.slice(0, 3)}–– · –`
      : `${modes.slice(0, 5)} · ${c.dropFc ? '–' : modes.slice(5)}`;
    const cells = results.flatMap((r) => {
      const accs = r.cells.get(c.id) ?? [];
      const scratch = r.cells.get('scratch') ?? [];
      return [pm(accs), c.id === 'scratch' ? '—' : delta(paired(accs, scratch))];
    });
    const epochs = results.map((r) => median(r.epochs.get(c.id) ?? [])).join(' / ');
    return [c.label, plan, epochs, ...cells];
  });
  return [head, head.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

/** Plain-language checks of the expected effects, computed from the numbers. */
function findings(
  fashion: TargetResult,
  digits: TargetResult,
  list: Config[],
  withFashion = true,
): string[] {
  const get = (r: TargetResult, id: string) => r.cells.get(id) ?? [];
  const n = get(fashion, 'scratch').length;
  const has = (id: string) => list.some((c) => c.id === id);
  const verdict = (d: Difference, better: string, worse: string) =>
    d.significant ? (d.mean > 0 ? better : worse) : 'within seed noise';
  const out: string[] = [];

  // 1. Does pretraining help? Fine-tuning the whole pretrained network vs training from scratch.
  for (const r of withFashion ? [fashion, digits] : [digits]) {
    const d = paired(get(r, 'freeze-0-fc-ft'), get(r, 'scratch'));
    const pretrainedRows = list
      .filter((c) => c.id !== 'scratch' && !c.randomWeights)
      .map((c) => paired(get(r, c.id), get(r, 'scratch')));
    const up = pretrainedRows.filter((x) => x.significant && x.mean > 0).length;
    const down = pretrainedRows.filter((x) => x.significant && x.mean < 0).length;
    out.push(
      `**${r.target.label}: pretrained + fine-tuned vs scratch** (nothing frozen, fc fine-tuned): ${delta(d)} pp — ${verdict(d, 'pretraining helps, beyond seed noise', 'pretraining *hurts*, beyond seed noise')}. Of ${pretrainedRows.length} pretrained rows, ${up} beat scratch and ${down} fall behind it beyond seed noise.`,
    );
  }

  // 2. Does freezing hurt more on the dissimilar target? Frozen body vs scratch (Yosinski's baseline), then vs fine-tuning the same layers.
  const gap = (a: Difference, b: Difference) => {
    const g = b.mean - a.mean;
    const se = Math.sqrt(a.std ** 2 / n + b.std ** 2 / n);
    const beyond = se > 0 && Math.abs(g) > 2 * se;
    return `frozen costs ${pct(Math.abs(g))} pp ${g < 0 ? 'more' : 'less'} on ${digits.target.label} (2·SE ${pct(2 * se)} pp: ${beyond ? (g < 0 ? 'the expected effect, beyond seed noise' : 'the *opposite* of the expected effect, beyond seed noise') : 'within seed noise'})`;
  };
  for (const id of ['freeze-5-fc-ft', 'freeze-5-fc-reinit', 'head-on-pool', 'head-on-fc'].filter(
    has,
  )) {
    const f = paired(get(fashion, id), get(fashion, 'scratch'));
    const d = paired(get(digits, id), get(digits, 'scratch'));
    out.push(
      `**Frozen body vs scratch** (${id}): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp — ${gap(f, d)}.`,
    );
  }
  for (const fc of ['ft', 'reinit']) {
    const frozen = `freeze-5-fc-${fc}`;
    const tuned = `freeze-0-fc-${fc}`;
    if (!has(frozen) || !has(tuned)) continue;
    const f = paired(get(fashion, frozen), get(fashion, tuned));
    const d = paired(get(digits, frozen), get(digits, tuned));
    out.push(
      `**Frozen vs fine-tuned convs** (${frozen} − ${tuned}): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp — ${gap(f, d)}.`,
    );
  }

  // 3. Keep or re-initialise fc?
  for (const r of withFashion ? [fashion, digits] : [digits]) {
    const parts = [0, 1, 2, 4, 5]
      .filter((depth) => has(`freeze-${depth}-fc-ft`) && has(`freeze-${depth}-fc-reinit`))
      .map(
        (depth) =>
          `depth ${depth}: ${delta(paired(get(r, `freeze-${depth}-fc-reinit`), get(r, `freeze-${depth}-fc-ft`)))}`,
      );
    if (parts.length > 0)
      out.push(
        `**${r.target.label}: fc re-init − fc fine-tuned**, by number of frozen convs: ${parts.join('; ')} pp.`,
      );
  }

  // 3a. The studio's fine-tuning plans (head on global_pool, fc removed) vs scratch.
  for (const id of ['ft-all-pool', 'ft-upper-pool'].filter(has)) {
    const f = paired(get(fashion, id), get(fashion, 'scratch'));
    const d = paired(get(digits, id), get(digits, 'scratch'));
    out.push(
      `**Fine-tuned, head on global_pool, vs scratch** (${id}): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp.`,
    );
  }

  // 3b. Features from an intermediate layer (the studio's small-different cut) vs the whole body frozen.
  if (has('head-on-conv3') && has('head-on-pool')) {
    for (const r of withFashion ? [fashion, digits] : [digits]) {
      const cut = paired(get(r, 'head-on-conv3'), get(r, 'head-on-pool'));
      const vsScratch = paired(get(r, 'head-on-conv3'), get(r, 'scratch'));
      out.push(
        `**${r.target.label}: features from conv3 vs from global_pool** (head-on-conv3 − head-on-pool): ${delta(cut)} pp; head-on-conv3 vs scratch ${delta(vsScratch)} pp.`,
      );
    }
  }

  // 4. Are the pretrained conv features better than random ones?
  if (has('random-frozen')) {
    const f = paired(get(fashion, 'freeze-5-fc-reinit'), get(fashion, 'random-frozen'));
    const d = paired(get(digits, 'freeze-5-fc-reinit'), get(digits, 'random-frozen'));
    out.push(
      `**Pretrained vs random frozen convs** (both with a new fc): ${fashion.target.label} ${delta(f)} pp, ${digits.target.label} ${delta(d)} pp.`,
    );
  }
  out.push(
    `Many comparisons are made on ${n} seeds: a single \`*\` can be chance; trust what repeats across rows.`,
  );
  return out;
}

/** What each target is, for the report. */
const TARGET_NOTES: Record<string, string> = {
  fashion:
    '**Fashion** = Fashion-MNIST Pullover, Dress, Shirt, Sneaker, Ankle boot (similar domain)',
  digits:
    '**Digits** = MNIST digits 3, 4, 5, 7, 9 (different domain; chosen because raw-pixel 1-NN at 20 images/class scores 77.3% on them vs 78.4% on the Fashion target, so the two are equally hard before any transfer)',
  'digits-inverted':
    '**Inverted digits** = the same digits with every pixel inverted (1 − x: dark strokes on white; the bundled sample `digits-inverted`), a far domain for a network that only saw bright objects on black',
};

export function report(
  results: TargetResult[],
  list: Config[],
  settings: ExperimentSettings,
  meta: {
    command: string;
    seconds: number;
    backend: string;
    modelDir: string;
    card: string;
    /** Written as one `##` section of the document instead of the whole file. */
    section?: string;
  },
): string {
  const ks = [...new Set(results.map((r) => r.k))];
  const heading = meta.section ? '###' : '##';
  const targets = [...new Set(results.map((r) => r.target.id))];
  const lines = [
    meta.section ? `## ${meta.section}` : '# Teaching CNN: transfer table',
    '',
    `Generated by \`${meta.command}\` (scripts/teaching/experiment.ts) — do not edit by hand. Wall time ${(meta.seconds / 60).toFixed(1)} min on the ${meta.backend} backend (Node, 2 shared CPU cores).`,
    '',
    `- Pretrained model: \`${meta.modelDir}\` (${meta.card}).`,
    `- Targets (5 classes each): ${targets.map((t) => TARGET_NOTES[t] ?? t).join('; ')}.`,
    `- Training: K images per class drawn from each class's training pool (seeded); Adam, batch ${settings.batchSize}, LR ${NEW_LR} for new and re-initialised layers and ${FINETUNE_LR} for fine-tuned ones (unless the row says otherwise); the head is always new. A run stops once an epoch's mean training loss is below ${settings.stopBelowLoss} (it fits its images) or after ${settings.epochs} epochs; the *epochs* column gives the median per target (${settings.epochs} = the threshold was not reached: the row is under-trained rather than converged). ${settings.standardizeFeatures ? 'Frozen features that feed a new layer are z-scored with training-set statistics (an affine map foldable into that layer; without it the all-positive pooled features make the new layer converge far too slowly to compare).' : 'Frozen features are not standardised.'}`,
    `- Test: ${settings.testPerClass} held-out images per class (${settings.testPerClass * 5} per target), never used for training and not among the bundled samples.`,
    `- Seeds ${settings.seeds.join(', ')}: each seed draws its own training images, initial weights of new layers and shuffling; all rows share them (paired).`,
    '- Cells: test accuracy mean ± std over seeds; Δ = paired difference to scratch in percentage points, mean ± std; `*` = beyond seed noise (paired t-test, 95%).',
    '- Layer plan letters (conv1…conv5 · fc): F frozen (pretrained, not trained), T fine-tuned (pretrained, trained), R re-initialised (random, trained); – = layer removed.',
    `- Not in the default run (too slow for the ~15 min budget), available with \`--only\`: ${configs()
      .filter((c) => c.optional)
      .map((c) => `\`${c.id}\``)
      .join(', ')}.`,
    '',
  ];
  for (const k of ks) {
    const rs = results.filter((r) => r.k === k);
    lines.push(`${heading} K = ${k} images per class`, '', table(rs, list), '');
    const fashion = rs.find((r) => r.target.id === 'fashion');
    const others = rs.filter((r) => r.target.id !== 'fashion');
    if (fashion && others.length > 0 && list.some((c) => c.id === 'freeze-0-fc-ft')) {
      lines.push(
        `${heading}# What the numbers say`,
        '',
        ...others
          .flatMap((other, i) => findings(fashion, other, list, i === 0))
          .filter((f, i, all) => all.indexOf(f) === i)
          .map((f) => `- ${f}`),
        '',
      );
    }
  }
  return lines.join('\n');
}

/** The digits with every pixel inverted (1 − x), as the bundled `digits-inverted` sample. */
function invert(c: ClassSplit): ClassSplit {
  const flip = (im: Float32Array) => im.map((v) => 1 - v);
  return { name: c.name, pool: c.pool.map(flip), test: c.test.map(flip) };
}

const TARGETS: Record<string, () => Target> = {
  fashion: () => ({
    id: 'fashion',
    label: 'Fashion',
    classes: FASHION_TARGET_CLASSES.map(loadFashionClass),
  }),
  digits: () => ({ id: 'digits', label: 'Digits', classes: DIGIT_CLASSES.map(loadDigitClass) }),
  'digits-inverted': () => ({
    id: 'digits-inverted',
    label: 'Inverted digits',
    classes: DIGIT_CLASSES.map(loadDigitClass).map(invert),
  }),
};

/** `doc` with the section `name` (between its markers) replaced by `body`, or appended. */
export function withSection(doc: string, name: string, body: string): string {
  const open = `<!-- section:${name} -->`;
  const close = `<!-- /section:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}\n`;
  const a = doc.indexOf(open);
  const b = doc.indexOf(close);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + close.length + 1);
  return `${doc.trimEnd()}\n\n${block}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string' },
      k: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'test-per-class': { type: 'string' },
      only: { type: 'string' },
      with: { type: 'string' },
      targets: { type: 'string', default: 'fashion,digits' },
      section: { type: 'string' },
      title: { type: 'string' },
      model: { type: 'string', default: 'public/models/teaching-cnn' },
      out: { type: 'string', default: 'docs/teaching-transfer.md' },
    },
  });
  const ints = (s: string) => s.split(',').map((v) => Number.parseInt(v, 10));
  const settings: ExperimentSettings = {
    ...DEFAULT_SETTINGS,
    ...(values.seeds ? { seeds: ints(values.seeds) } : {}),
    ...(values.k ? { ks: ints(values.k) } : {}),
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
    ...(values['batch-size'] ? { batchSize: Number(values['batch-size']) } : {}),
    ...(values['test-per-class'] ? { testPerClass: Number(values['test-per-class']) } : {}),
  };
  const t0 = performance.now();
  const backend = await useBackend('wasm');
  const pretrained = await readModel(values.model);
  const card = JSON.parse(readFileSync(`${values.model}/model-card.json`, 'utf8')) as {
    sourceTestAccuracy: number;
    trainingImagesPerClass: number;
    epochs: number;
  };
  const only = values.only?.split(',');
  const extra = values.with?.split(',') ?? [];
  const list = configs().filter((c) =>
    only ? c.id === 'scratch' || only.includes(c.id) : !c.optional || extra.includes(c.id),
  );
  const targets = values.targets.split(',').map((id) => {
    const target = TARGETS[id]?.();
    if (!target) throw new Error(`no target "${id}" (${Object.keys(TARGETS).join(', ')})`);
    return target;
  });
  const results: TargetResult[] = [];
  for (const k of settings.ks)
    for (const target of targets)
      results.push(await runTarget(pretrained, target, k, settings, list, (l) => console.log(l)));
  const seconds = (performance.now() - t0) / 1000;
  const quote = (a: string) => (/[\s"']/.test(a) ? `"${a}"` : a);
  const command = [
    'npm run experiment:teaching',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2).map(quote)] : []),
  ].join(' ');
  const md = report(results, list, settings, {
    command,
    seconds,
    backend,
    modelDir: values.model,
    card: `source test accuracy ${(card.sourceTestAccuracy * 100).toFixed(1)}%, ${card.trainingImagesPerClass} images/class × ${card.epochs} epochs`,
    ...(values.section ? { section: values.title ?? values.section } : {}),
  });
  writeFileSync(
    values.out,
    values.section ? withSection(readFileSync(values.out, 'utf8'), values.section, md) : md + '\n',
  );
  console.log(md);
  console.log(`wrote ${values.out} in ${(seconds / 60).toFixed(1)} min`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
