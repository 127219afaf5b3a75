/**
 * Does pretraining pay off on the photo backbone with a hundred images, and where should
 * the features come from? MobileNetV2 α=0.35 (ImageNet) at 224 px, trained by the
 * studio's own engine (`trainWithPlan`), three seeds:
 *
 * - on the bundled photo sample (similar to ImageNet): scratch — the same architecture with
 *   every layer Re-initialize (random weights, trained at the head's rate, BatchNorm
 *   learning its statistics) — against the small-similar plan (every layer Frozen, a new
 *   softmax head), fine-tuning the top (block 16 + Conv_1 at 1e-4) and the small-different
 *   plan (features cut at an intermediate block, a linear SVM head);
 * - on the bundled digits sample at 224 px (far from ImageNet): the small-similar plan
 *   against the small-different plan.
 *
 * The plans and their hyper-parameters are the studio's (`quadrantPlan`), as the quadrant
 * picker applies them. Writes docs/photo-scratch-vs-transfer.md:
 *
 *   npx tsx scripts/photos/scratch-vs-transfer.ts
 *   npx tsx scripts/photos/scratch-vs-transfer.ts --seeds 1 --out /tmp/p.md
 *
 * Each seed sets the 60/20/20 split, the new weights and the shuffling; all rows of a
 * target see the same split for the same seed (paired). Early stopping on the validation
 * loss keeps the best epoch's weights; the test images never train or stop anything.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stratifiedSplit } from '../../src/data/split';
import {
  CACHE_BUDGET_BYTES,
  DEFAULT_PARAMS,
  type LayerMode,
  type LayerPlan,
  type TrainParams,
} from '../../src/domain';
import { layerGraph } from '../../src/model/graph';
import { buildModel } from '../../src/model/load';
import { quadrantPlan, type Quadrant, type StrategyLayer } from '../../src/strategy/quadrant';
import { trainWithPlan, type PrefixCache } from '../../src/training/engine';
import { SOURCES, readPhotos, resizeRgb } from '../teaching/calibrate';
import { emptyConclusions, keptConclusions } from './bookkeeping';
import { useBackend } from '../teaching/backend';
import { MemoryImages } from '../../src/data/image-set';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FEATURE_LAYER = 'global_average_pooling2d';
const TOP_BOUNDARY = 'block_15_add';

interface Setting {
  plan: LayerPlan;
  params: Partial<TrainParams>;
}

interface Row {
  id: string;
  label: string;
  setting: (layers: StrategyLayer[]) => Setting;
}

/** `mode` on every weighted layer after `after` (all when omitted) up to the feature layer. */
function every(layers: StrategyLayer[], mode: LayerMode, after?: string): LayerPlan {
  const from = after ? layers.findIndex((l) => l.name === after) + 1 : 0;
  const to = layers.findIndex((l) => l.name === FEATURE_LAYER);
  const modes: Record<string, LayerMode> = {};
  layers.forEach((l, i) => {
    if (i >= from && i <= to && l.params > 0) modes[l.name] = mode;
  });
  return { modes, featureLayer: FEATURE_LAYER };
}

function quadrantRow(q: Quadrant, label: string): Row {
  return {
    id: q,
    label,
    setting: (layers) => {
      const { plan, params } = quadrantPlan(q, layers, FEATURE_LAYER);
      return { plan, params };
    },
  };
}

const SCRATCH: Row = {
  id: 'scratch',
  label: 'scratch: every layer Re-initialize, softmax head',
  setting: (layers) => ({ plan: every(layers, 'reinit'), params: {} }),
};
const SMALL_SIMILAR = quadrantRow(
  'small-similar',
  'small-similar plan: every layer Frozen, softmax head on `global_average_pooling2d`',
);
const FINE_TUNE_TOP: Row = {
  id: 'fine-tune-top',
  label: `fine-tune the top: block 16 + Conv_1 (after \`${TOP_BOUNDARY}\`) Fine-tune at 1e-4, softmax head`,
  setting: (layers) => ({
    plan: every(layers, 'fine-tune', TOP_BOUNDARY),
    params: { fineTuneLearningRate: 1e-4 },
  }),
};
const SMALL_DIFFERENT = quadrantRow(
  'small-different',
  'small-different plan: features cut at `block_9_add`, all Frozen, linear SVM head',
);

interface Sample {
  id: string;
  label: string;
  images: Uint8Array[];
  labels: number[];
  counts: string;
}

function sample(id: string, label: string, dir: string): Sample {
  const s = readPhotos(join(ROOT, dir));
  return {
    id,
    label,
    images: s.classes.flatMap((c) => resizeRgb(c.images, s.side, 224)),
    labels: s.classes.flatMap((c, k) => c.images.map(() => k)),
    counts: s.classes.map((c) => `${c.name} ${c.images.length}`).join(', '),
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const pct = (x: number) => (x * 100).toFixed(1);
/** Two-sided 95% critical values of Student's t, by degrees of freedom. */
const T95 = [Infinity, 12.706, 4.303, 3.182, 2.776, 2.571];

interface Outcome {
  test: number[];
  kept: number[];
  run: number[];
  seconds: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '1,2,3' },
      epochs: { type: 'string', default: '50' },
      patience: { type: 'string', default: String(DEFAULT_PARAMS.earlyStopping.patience) },
      out: { type: 'string', default: 'docs/photo-scratch-vs-transfer.md' },
    },
  });
  const seeds = values.seeds.split(',').map(Number);
  const maxEpochs = Number(values.epochs);
  const patience = Number(values.patience);
  const t0 = performance.now();
  const backend = await useBackend('wasm');
  const source = SOURCES.find((s) => s.id === 'mobilenet-v2-035')!;
  const artifacts = source.artifacts();
  const model = await buildModel(artifacts);
  const graph = layerGraph(model);
  const layers: StrategyLayer[] = graph.steps.map((s, i) => ({
    name: s.layer.name,
    className: s.layer.getClassName(),
    params: s.layer.countParams(),
    cutPoint: graph.cut[i]!,
  }));
  model.dispose();
  const targets: { sample: Sample; rows: Row[] }[] = [
    {
      sample: sample('photos', 'Photos (similar to ImageNet)', 'public/samples/photos'),
      rows: [SCRATCH, SMALL_SIMILAR, FINE_TUNE_TOP, SMALL_DIFFERENT],
    },
    {
      sample: sample('digits', 'Digits at 224 px (far from ImageNet)', 'public/samples/digits'),
      rows: [SMALL_SIMILAR, SMALL_DIFFERENT],
    },
  ];
  const results = new Map<string, Outcome>();
  for (const { sample: s, rows } of targets) {
    const numClasses = new Set(s.labels).size;
    const caches = new Map<string, PrefixCache | null>();
    for (const seed of seeds) {
      const split = stratifiedSplit(
        s.labels,
        DEFAULT_PARAMS.validationFraction,
        seed,
        DEFAULT_PARAMS.testFraction,
      );
      for (const row of rows) {
        const t1 = performance.now();
        const { plan, params } = row.setting(layers);
        const result = await trainWithPlan({
          artifacts,
          spec: source.spec,
          plan,
          images: new MemoryImages(s.images, source.spec.size),
          labels: s.labels,
          numClasses,
          split,
          params: {
            ...DEFAULT_PARAMS,
            ...params,
            seed,
            epochs: maxEpochs,
            earlyStopping: { enabled: true, patience, minDelta: 1e-3 },
          },
          cacheKey: `mobilenet-v2-035|${s.id}|${row.id}`,
          cache: caches.get(row.id) ?? null,
          cacheBudgetBytes: CACHE_BUDGET_BYTES,
          backends: { features: backend, head: backend, fineTune: backend },
          shouldStop: () => false,
          onPrefixProgress: () => {},
          onBatches: () => {},
          onEpoch: () => {},
        });
        caches.set(row.id, result.cache);
        const right = result.predictions.test.filter((p, i) => p === s.labels[split.test[i]!]);
        const test = right.length / split.test.length;
        const key = `${s.id}/${row.id}`;
        const r = results.get(key) ?? { test: [], kept: [], run: [], seconds: [] };
        r.test.push(test);
        r.kept.push(result.bestEpoch);
        r.run.push(result.epochsRun);
        r.seconds.push((performance.now() - t1) / 1000);
        results.set(key, r);
        console.log(
          `${s.id} seed ${seed} ${row.id}: test ${pct(test)}% (${right.length}/${split.test.length}), kept epoch ${result.bestEpoch} of ${result.epochsRun}, ${r.seconds.at(-1)!.toFixed(0)} s`,
        );
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const tables = targets.flatMap(({ sample: s, rows }) => {
    const split = stratifiedSplit(s.labels, 0.2, seeds[0]!, 0.2);
    const base = results.get(`${s.id}/${rows[0]!.id}`)!.test;
    return [
      `## ${s.label}`,
      '',
      `\`public/samples/${s.id}/\`: ${s.images.length} images (${s.counts}); per seed ${split.train.length} training, ${split.validation.length} validation, ${split.test.length} test images — one test image is ${(100 / split.test.length).toFixed(1)} points.`,
      '',
      `| configuration | test accuracy % | per seed | Δ vs ${rows[0]!.id} (pp) | kept epoch / epochs run |`,
      '|---|---|---|---|---|',
      ...rows.map((row, k) => {
        const r = results.get(`${s.id}/${row.id}`)!;
        const d = r.test.map((v, i) => v - base[i]!);
        const se = sd(d) / Math.sqrt(d.length);
        const beyond =
          d.length > 1 && (se === 0 ? mean(d) !== 0 : Math.abs(mean(d) / se) > T95[d.length - 1]!);
        const delta =
          k === 0
            ? '—'
            : `${mean(d) >= 0 ? '+' : '−'}${pct(Math.abs(mean(d)))} ± ${pct(sd(d))}${beyond ? ' *' : ''}`;
        return `| ${row.label} | ${pct(mean(r.test))} ± ${pct(sd(r.test))} | ${r.test.map(pct).join(', ')} | ${delta} | ${r.kept.join(', ')} / ${r.run.join(', ')} |`;
      }),
      '',
    ];
  });
  const md = [
    '# Photo backbone: scratch vs transfer, and where to take features',
    '',
    `Generated by \`npx tsx scripts/photos/scratch-vs-transfer.ts${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}\` — do not edit by hand. Wall time ${(seconds / 60).toFixed(1)} min on the ${backend} backend (tfjs ${tf.version.tfjs}, Node ${process.version}, ${cpus().length} shared cores).`,
    '',
    `- Network: the bundled photo backbone, MobileNetV2 α=0.35 with ImageNet weights (\`public/models/mobilenet-v2-035\`), 224 px, inputs in [-1, 1], features from \`${FEATURE_LAYER}\` unless the row cuts lower.`,
    `- Training: the studio's engine with its defaults (Adam, batch ${DEFAULT_PARAMS.batchSize}, head learning rate ${DEFAULT_PARAMS.learningRate}, no augmentation) and, for the plan rows, the quadrant's own hyper-parameters (\`QUADRANT_PARAMS\`: head, rates); every row at most ${maxEpochs} epochs with early stopping on the validation loss (patience ${patience}, minimum change 1e-3), the best epoch's weights kept. Scratch trains every layer from its initializer, BatchNorm learning its statistics; Frozen and Fine-tune layers keep the stored ImageNet statistics.`,
    `- Seeds ${seeds.join(', ')}: a seed sets the stratified 60/20/20 split, the new weights and the shuffling; the rows of a target share the split for each seed.`,
    '- Cells: test accuracy, mean ± sd over seeds, and each seed; Δ = paired difference to the first row in points, mean ± sd; `*` = beyond seed noise (paired t-test, 95%).',
    '',
    ...tables,
    '## Conclusions',
    '',
    keptConclusions(existsSync(values.out) ? readFileSync(values.out, 'utf8') : null) ??
      emptyConclusions(),
    '',
  ].join('\n');
  writeFileSync(values.out, md);
  console.log(md);
  console.log(`wrote ${values.out} in ${(seconds / 60).toFixed(1)} min`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
