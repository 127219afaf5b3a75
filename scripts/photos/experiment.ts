/**
 * Photo accuracy of the bundled backbones (docs/photo-accuracy.md, issue 9): for each
 * backbone, a new head at its feature layer and at two mid-network taps, and fine-tuning
 * its top blocks — each trained by the studio's own engine (`trainWithPlan`) with early
 * stopping on the validation loss and the best epoch kept — on the photo sample
 * (public/samples/photos/), split 60/20/20 stratified, over several seeds. Reports the
 * held-out test accuracy, the kept epoch, and how fast features and fine-tune epochs run.
 *
 *   npm run experiment:photos                 # 3 seeds, writes docs/photo-accuracy.md
 *   npm run experiment:photos -- --quick      # smoke run: 1 seed, ≤15 head / ≤5 fine-tune epochs, prints only
 *   npm run experiment:photos -- --seeds 1,2 --ft-lr 1e-4,1e-5 --out /tmp/p.md
 *   npm run experiment:photos -- --only block_15 --no-speed   # reference rows + matching ones
 *
 * A seed sets the split, the new head's initial weights and the shuffling; every setting
 * sees the same split for the same seed, so differences between settings are paired. A
 * frozen prefix runs once per image and setting (the engine's cache), shared by the seeds.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stratifiedSplit } from '../../src/data/split';
import {
  DEFAULT_PARAMS,
  INFERENCE_BATCH,
  CACHE_BUDGET_BYTES,
  type LayerPlan,
  type TrainParams,
} from '../../src/domain';
import { buildModel } from '../../src/model/load';
import { toModelInput } from '../../src/model/preprocess';
import { resizeArtifacts } from '../../src/model/resize';
import { trainWithPlan, type PrefixCache } from '../../src/training/engine';
import { useBackend, type TeachingBackend } from '../teaching/backend';
import { imagenet035, nsfwjs100, type Backbone } from './backbones';
import {
  accuracyOf,
  emptyConclusions,
  fineTuneAfter,
  keptConclusions,
  mean,
  medianGapSeconds,
  paired,
  pct,
  pts,
  summarize,
  table,
  type NamedLayer,
  type Row,
} from './bookkeeping';
import { readPhotoSample, resizeSample, type PhotoSample } from './sample';
import { MemoryImages } from '../../src/data/image-set';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SAMPLE_DIR = join(ROOT, 'public/samples/photos');

/** One row of the table: what is trained, where features are taken, which input range. */
export interface Setting {
  id: string;
  label: string;
  kind: 'head' | 'fine-tune';
  plan: LayerPlan;
  valueRange: [number, number];
  fineTuneLearningRate: number;
  /** The backbone's reference row: a head at the catalog's feature layer and value range. */
  reference: boolean;
}

const rangeWord = ([lo, hi]: [number, number]) => `[${lo},${hi}]`;

/**
 * The settings of one backbone: head at the feature layer (reference), the same with the
 * other input range, heads at `block_12_add` and `block_9_add`, and fine-tuning after
 * each of `fineTuneBoundaries` at every rate of `rates`.
 */
export function settingsFor(
  backbone: Pick<Backbone, 'featureLayer' | 'valueRange'>,
  layers: readonly NamedLayer[],
  fineTuneBoundaries: readonly string[],
  rates: readonly number[],
): Setting[] {
  const f = backbone.featureLayer;
  const range = backbone.valueRange;
  const other: [number, number] = range[0] === -1 ? [0, 1] : [-1, 1];
  const head = (
    id: string,
    featureLayer: string,
    valueRange: [number, number],
    reference = false,
  ): Setting => ({
    id,
    label: `head only at \`${featureLayer}\`, input ${rangeWord(valueRange)}`,
    kind: 'head',
    plan: { modes: {}, featureLayer },
    valueRange,
    fineTuneLearningRate: 0,
    reference,
  });
  const fineTuned = fineTuneBoundaries.flatMap((boundary) =>
    rates.map((rate): Setting => {
      const plan = fineTuneAfter(layers, boundary, f);
      const blocks = blockSpan(Object.keys(plan.modes));
      return {
        id: `ft-after-${boundary}-lr-${rate}`,
        label: `fine-tune ${blocks} (after \`${boundary}\`) at ${rate}, head at \`${f}\`, input ${rangeWord(range)}`,
        kind: 'fine-tune',
        plan,
        valueRange: range,
        fineTuneLearningRate: rate,
        reference: false,
      };
    }),
  );
  return [
    head('head-feature', f, range, true),
    head('head-feature-other-range', f, other),
    head('head-block_12_add', 'block_12_add', range),
    head('head-block_9_add', 'block_9_add', range),
    ...fineTuned,
  ];
}

/** "block 16 + Conv_1" or "blocks 13–16 + Conv_1" from the fine-tuned layer names. */
export function blockSpan(names: readonly string[]): string {
  const blocks = [
    ...new Set(names.map((n) => /^block_(\d+)_/.exec(n)?.[1]).filter((b) => b !== undefined)),
  ].map(Number);
  const others = [
    ...new Set(names.filter((n) => !/^block_\d+_/.test(n)).map((n) => n.replace(/_(bn|BN)$/, ''))),
  ];
  const lo = Math.min(...blocks);
  const hi = Math.max(...blocks);
  const b = blocks.length === 0 ? '' : lo === hi ? `block ${lo}` : `blocks ${lo}–${hi}`;
  return [b, ...others].filter(Boolean).join(' + ');
}

export interface Options {
  seeds: number[];
  /** Most epochs of a head-only row (cheap: the features are cached). */
  headEpochs: number;
  /** Most epochs of a fine-tuning row. */
  fineTuneEpochs: number;
  fineTuneRates: number[];
  backend: TeachingBackend;
  /** Sides at which feature extraction is timed. */
  speedSizes: number[];
  /** Run only the settings whose id contains one of these (the reference rows always run). */
  only?: string[];
}

interface RunRecord {
  seed: number;
  test: number;
  bestEpoch: number;
  epochsRun: number;
  /** Ran to its last allowed epoch without the stop rule firing. */
  hitCap: boolean;
  epochSeconds: number;
}

interface SettingResult {
  backbone: Backbone;
  setting: Setting;
  runs: RunRecord[];
  /** Images per second of this setting's frozen prefix (first seed; 0 layers cached → null). */
  featuresPerSecond: number | null;
  frozenPrefixLayers: number;
  trainableParams: number;
}

function paramsFor(setting: Setting, seed: number, options: Options): TrainParams {
  return {
    ...DEFAULT_PARAMS,
    seed,
    epochs: setting.kind === 'head' ? options.headEpochs : options.fineTuneEpochs,
    validationFraction: 0.2,
    testFraction: 0.2,
    fineTuneLearningRate: setting.fineTuneLearningRate || DEFAULT_PARAMS.fineTuneLearningRate,
    earlyStopping: { enabled: true, patience: 5, minDelta: 1e-3 },
  };
}

async function runSetting(
  backbone: Backbone,
  setting: Setting,
  sample: PhotoSample,
  options: Options,
  log: (line: string) => void,
): Promise<SettingResult> {
  const runs: RunRecord[] = [];
  let cache: PrefixCache | null = null;
  let featuresPerSecond: number | null = null;
  let frozenPrefixLayers = 0;
  let trainableParams = 0;
  const numClasses = sample.classNames.length;
  for (const seed of options.seeds) {
    const params = paramsFor(setting, seed, options);
    const split = stratifiedSplit(
      sample.labels,
      params.validationFraction,
      seed,
      params.testFraction,
    );
    const stamps: number[] = [];
    const t0 = performance.now();
    const result = await trainWithPlan({
      artifacts: backbone.artifacts,
      spec: { size: sample.size, channels: 3, valueRange: setting.valueRange },
      plan: setting.plan,
      images: new MemoryImages(sample.images, sample.size),
      labels: sample.labels,
      numClasses,
      split,
      params,
      cacheKey: `${backbone.id}|${rangeWord(setting.valueRange)}|${sample.size}|photos`,
      cache,
      cacheBudgetBytes: CACHE_BUDGET_BYTES,
      backends: { features: options.backend, head: options.backend, fineTune: options.backend },
      shouldStop: () => false,
      onPrefixProgress: () => {},
      onBatches: () => {},
      onEpoch: () => stamps.push(performance.now()),
    });
    if (result.stopped) throw new Error(`${setting.id} seed ${seed}: stopped`);
    cache = result.cache;
    if (result.prefixMs > 0 && featuresPerSecond === null)
      featuresPerSecond = sample.images.length / (result.prefixMs / 1000);
    frozenPrefixLayers = result.frozenPrefixLayers;
    trainableParams = result.trainableParams;
    const test = accuracyOf(result.predictions.test, split.test, sample.labels);
    const epochSeconds = medianGapSeconds(stamps);
    runs.push({
      seed,
      test,
      bestEpoch: result.bestEpoch,
      epochsRun: result.epochsRun,
      hitCap: !result.stoppedEarly,
      epochSeconds,
    });
    const best = result.history[result.bestEpoch - 1];
    log(
      `${backbone.label} · ${setting.id} · seed ${seed}: test ${pct(test)}% (${split.test.length} images), ` +
        `val ${pct(best?.valAccuracy ?? NaN)}%, kept epoch ${result.bestEpoch}/${result.epochsRun}, ` +
        `${epochSeconds.toFixed(2)} s/epoch, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return { backbone, setting, runs, featuresPerSecond, frozenPrefixLayers, trainableParams };
}

/** Images per second of the whole network up to its feature layer, after one warm-up batch. */
async function featureSpeed(
  backbone: Backbone,
  sample: PhotoSample,
  size: number,
): Promise<number> {
  const images = resizeSample(sample, size);
  const artifacts =
    size === sample.size ? backbone.artifacts : resizeArtifacts(backbone.artifacts, size);
  const model = await buildModel(artifacts);
  try {
    const trunk = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer(backbone.featureLayer).output as tf.SymbolicTensor,
    });
    const spec = { size, channels: 3 as const, valueRange: backbone.valueRange };
    const run = async (batch: Uint8Array[]) => {
      const y = tf.tidy(() => trunk.predict(toModelInput(batch, spec)) as tf.Tensor);
      await y.data();
      y.dispose();
    };
    await run(images.images.slice(0, INFERENCE_BATCH));
    const t0 = performance.now();
    for (let i = 0; i < images.images.length; i += INFERENCE_BATCH)
      await run(images.images.slice(i, i + INFERENCE_BATCH));
    return images.images.length / ((performance.now() - t0) / 1000);
  } finally {
    model.dispose();
  }
}

interface SpeedRecord {
  backbone: Backbone;
  /** side → images/s. */
  features: Map<number, number>;
  /** Fine-tune setting label → median s per epoch (224 px). */
  fineTuneEpochs: { label: string; seconds: number; trainableParams: number }[];
  headEpochSeconds: number;
}

function toRows(results: readonly SettingResult[]): Row[] {
  return results.map((r) => {
    const ref = results.find((x) => x.backbone === r.backbone && x.setting.reference);
    return {
      backbone: r.backbone.label,
      setting: r.setting.label,
      test: r.runs.map((x) => x.test),
      bestEpoch: r.runs.map((x) => x.bestEpoch),
      epochsRun: r.runs.map((x) => x.epochsRun),
      vsReference:
        ref && ref !== r
          ? paired(
              r.runs.map((x) => x.test),
              ref.runs.map((x) => x.test),
            )
          : null,
      featuresPerSecond: r.featuresPerSecond,
      secondsPerEpoch: mean(r.runs.map((x) => x.epochSeconds)),
    };
  });
}

/** Sentences computed from the numbers (the hand-written conclusions come after them). */
export function findings(results: readonly SettingResult[]): string[] {
  const out: string[] = [];
  const backbones = [...new Set(results.map((r) => r.backbone))];
  const acc = (r: SettingResult) => r.runs.map((x) => x.test);
  for (const b of backbones) {
    const mine = results.filter((r) => r.backbone === b);
    const ref = mine.find((r) => r.setting.reference);
    if (!ref) continue;
    const best = [...mine].sort((x, y) => mean(acc(y)) - mean(acc(x)))[0]!;
    out.push(
      `${b.label}: head only at \`${b.featureLayer}\` ${rangeWord(b.valueRange)} reaches ${pct(mean(acc(ref)))}% ` +
        `(${pct(summarize(acc(ref)).min)}–${pct(summarize(acc(ref)).max)}); the best row is “${best.setting.label}” at ${pct(mean(acc(best)))}%.`,
    );
    for (const r of mine) {
      if (r === ref) continue;
      const d = paired(acc(r), acc(ref));
      const verdict =
        r.runs.length < 2
          ? 'one seed, no noise estimate'
          : d.significant
            ? d.mean > 0
              ? 'better, beyond seed noise'
              : 'worse, beyond seed noise'
            : 'within seed noise';
      out.push(
        `${b.label}: ${r.setting.label} vs the reference head: ${pts(d.mean)} points (per seed ${pts(d.min)} to ${pts(d.max)}) — ${verdict}.`,
      );
    }
    for (const r of mine) {
      const capped = r.runs.filter((x) => x.hitCap).length;
      if (capped > 0)
        out.push(
          `${b.label}: ${r.setting.label} was still improving its validation loss at the epoch limit on ${capped} of ${r.runs.length} seeds (its accuracy may be an underestimate).`,
        );
    }
  }
  return out;
}

function report(
  results: readonly SettingResult[],
  speeds: readonly SpeedRecord[],
  sample: PhotoSample,
  options: Options,
  meta: {
    command: string;
    seconds: number;
    backend: string;
    conclusions: string;
    /** 15-minute load average at the start and the end of the run. */
    load: [number, number];
  },
): string {
  const split = stratifiedSplit(sample.labels, 0.2, options.seeds[0]!, 0.2);
  const counts = sample.classNames.map(
    (c, k) => `${c} ${sample.labels.filter((l) => l === k).length}`,
  );
  const nTest = split.test.length;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const speedRows = speeds.flatMap((s) => [
    ...[...s.features].map(
      ([size, ips]) =>
        `| ${s.backbone.label} | features to \`${s.backbone.featureLayer}\` at ${size} px | ${ips.toFixed(1)} images/s |`,
    ),
    `| ${s.backbone.label} | head-only epoch on cached features, 224 px | ${s.headEpochSeconds.toFixed(3)} s |`,
    ...s.fineTuneEpochs.map(
      (f) =>
        `| ${s.backbone.label} | ${f.label}: one epoch (${split.train.length} training + ${split.validation.length} validation images, ${f.trainableParams.toLocaleString('en')} parameters besides the head), 224 px | ${f.seconds.toFixed(2)} s |`,
    ),
  ]);
  return [
    '# Photo accuracy of the bundled backbones',
    '',
    'Which backbone, feature layer and input range the photo defaults use, and where',
    'fine-tuning the top blocks beats a head alone (what Teachable Machine trains). Every run',
    "is the studio's own engine (`trainWithPlan`) on the photo sample.",
    '',
    `- Command: \`${meta.command}\``,
    `- Date: ${new Date().toISOString().slice(0, 10)}; wall time ${(meta.seconds / 60).toFixed(1)} min for the whole run`,
    `- Backend: tfjs ${tf.version.tfjs} \`${meta.backend}\` in Node ${process.version}, ${cpus().length} cores (${cpu}), shared with other work: load average ${meta.load[0].toFixed(1)} at the start, ${meta.load[1].toFixed(1)} at the end (speeds are lower the higher it is)`,
    `- Sample: \`public/samples/photos/\`, ${sample.images.length} photo cut-outs at ${sample.size} px, ${sample.classNames.length} classes (${counts.join(', ')}); Tux Paint stamps, GPL-2+ (see its COPYRIGHT).`,
    `- Split: stratified 60/20/20 per seed (\`stratifiedSplit\`, validation 0.2, test 0.2): ${split.train.length} training, ${split.validation.length} validation, ${nTest} test images. Seeds ${options.seeds.join(', ')}; a seed sets the split, the head's initial weights and the shuffling, and every row sees the same split for the same seed.`,
    `- Training: the studio defaults (\`DEFAULT_PARAMS\`): softmax head, Adam, head at learning rate ${DEFAULT_PARAMS.learningRate}, batch ${DEFAULT_PARAMS.batchSize}, no augmentation, BatchNorm of fine-tuned layers in inference mode; at most ${options.headEpochs} epochs for a head alone and ${options.fineTuneEpochs} when fine-tuning, with early stopping on the validation loss (patience 5, minimum change 1e-3) and the best epoch's weights kept. Fine-tuned layers at the rate named in the row.`,
    '- Head-only rows train a new softmax head on the pooled features of the named layer (a mid tap is a 14×14 map, pooled to one vector); the frozen part runs once per image and is cached.',
    '',
    '## Test accuracy',
    '',
    table(toRows(results)),
    '',
    `**Noise.** The test part is ${nTest} images, so one image is ${(100 / nTest).toFixed(1)} points, and the split changes with the seed. The sd and min–max columns are the spread over the ${options.seeds.length} seeds (split + head initialisation). Δ is the paired difference to the backbone's first row on the same split; \`*\` marks a difference beyond seed noise (paired t-test, 95%, ${options.seeds.length - 1} degrees of freedom). A difference smaller than the spread, or of one or two test images, says nothing: such rows are equally good on this sample.`,
    '',
    '## Speed (same run)',
    '',
    '| backbone | what | time |',
    '|---|---|---|',
    ...speedRows,
    '',
    `Feature extraction is timed over all ${sample.images.length} images in batches of ${INFERENCE_BATCH} after one warm-up batch (images resized bilinearly for the smaller side); the table's images/s column is the first, un-warmed computation of each row's frozen prefix inside the engine. An epoch is the median time between two epoch ends: training steps plus the validation pass.`,
    '',
    '## What the numbers say',
    '',
    ...findings(results).map((f) => `- ${f}`),
    '',
    '## Conclusions',
    '',
    meta.conclusions,
    '',
  ].join('\n');
}

export async function runExperiment(
  options: Options,
  log: (line: string) => void,
): Promise<{ results: SettingResult[]; speeds: SpeedRecord[]; sample: PhotoSample }> {
  const sample = readPhotoSample(SAMPLE_DIR);
  log(`${sample.images.length} images, classes ${sample.classNames.join(', ')}`);
  const backbones: { backbone: Backbone; boundaries: string[] }[] = [
    { backbone: imagenet035(ROOT), boundaries: ['block_15_add', 'block_12_add'] },
    { backbone: nsfwjs100(), boundaries: ['block_15_add'] },
  ];
  const results: SettingResult[] = [];
  const speeds: SpeedRecord[] = [];
  for (const { backbone, boundaries } of backbones) {
    const model = await buildModel(backbone.artifacts);
    const layers = model.layers.map((l) => ({ name: l.name, params: l.countParams() }));
    model.dispose();
    const features = new Map<number, number>();
    for (const size of options.speedSizes) {
      features.set(size, await featureSpeed(backbone, sample, size));
      log(`${backbone.label}: features at ${size} px: ${features.get(size)!.toFixed(1)} images/s`);
    }
    const mine: SettingResult[] = [];
    const chosen = settingsFor(backbone, layers, boundaries, options.fineTuneRates).filter(
      (s) => !options.only || s.reference || options.only.some((o) => s.id.includes(o)),
    );
    for (const setting of chosen)
      mine.push(await runSetting(backbone, setting, sample, options, log));
    results.push(...mine);
    speeds.push({
      backbone,
      features,
      headEpochSeconds: mean(
        mine.find((r) => r.setting.reference)!.runs.map((x) => x.epochSeconds),
      ),
      fineTuneEpochs: mine
        .filter((r) => r.setting.kind === 'fine-tune')
        .map((r) => ({
          label:
            blockSpan(Object.keys(r.setting.plan.modes)) + ` at ${r.setting.fineTuneLearningRate}`,
          seconds: mean(r.runs.map((x) => x.epochSeconds)),
          trainableParams: r.trainableParams,
        })),
    });
  }
  return { results, speeds, sample };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      'ft-lr': { type: 'string' },
      backend: { type: 'string', default: 'wasm' },
      only: { type: 'string' },
      'no-speed': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const list = (s: string) => s.split(',').map(Number);
  const quick = values.quick ?? false;
  const options: Options = {
    seeds: values.seeds ? list(values.seeds) : quick ? [1] : [1, 2, 3],
    headEpochs: values.epochs ? Number(values.epochs) : quick ? 15 : 500,
    fineTuneEpochs: values.epochs ? Number(values.epochs) : quick ? 5 : 100,
    fineTuneRates: values['ft-lr'] ? list(values['ft-lr']) : [1e-4],
    backend: values.backend === 'cpu' ? 'cpu' : 'wasm',
    speedSizes: values['no-speed'] ? [] : quick ? [224] : [224, 128],
    ...(values.only ? { only: values.only.split(',') } : {}),
  };
  const out = values.out ?? (quick ? null : 'docs/photo-accuracy.md');
  const t0 = performance.now();
  const loadBefore = loadavg()[2]!;
  const backend = await useBackend(options.backend);
  options.backend = backend;
  const { results, speeds, sample } = await runExperiment(options, (l) => console.log(l));
  const seconds = (performance.now() - t0) / 1000;
  const command = [
    'npm run experiment:photos',
    ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : []),
  ].join(' ');
  const previous = out && existsSync(out) ? readFileSync(out, 'utf8') : null;
  const md = report(results, speeds, sample, options, {
    command,
    seconds,
    backend,
    conclusions: keptConclusions(previous) ?? emptyConclusions(),
    load: [loadBefore, loadavg()[2]!],
  });
  console.log(md);
  if (out) {
    writeFileSync(out, md);
    console.log(`wrote ${out} in ${(seconds / 60).toFixed(1)} min`);
  } else {
    console.log(`done in ${(seconds / 60).toFixed(1)} min (nothing written; --out to write)`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
