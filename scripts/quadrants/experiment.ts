/**
 * The four quadrants measured by the studio's own engine (`trainWithPlan`), per network:
 * every candidate plan of src/strategy/quadrant-candidates.ts (and the seed's textbook
 * plan, src/strategy/quadrant.ts, where it is none of them) on the same per-seed splits,
 * each trained with early stopping on the validation loss up to a cap (a run that reaches
 * its cap is marked capped). Results go to scripts/quadrants/results/<network>.<quadrant>.json;
 * `npm run report:quadrants` turns them into docs/quadrants.md and the picker's choices.
 *
 *   npm run experiment:quadrants -- --network teaching-cnn --quadrant small-similar
 *   npm run experiment:quadrants -- --network mobilenet-v2-035 --quadrant large-similar --cifar <dir>
 *   ... --seeds 1,2 --only recipe,scratch --quick   (smoke run: caps of 3 epochs, not written)
 *
 * Rows already in the results file are kept and not run again unless named in --only.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CACHE_BUDGET_BYTES, DEFAULT_PARAMS, type TrainParams } from '../../src/domain';
import { MemoryImages } from '../../src/data/image-set';
import type { InputSpec } from '../../src/model/preprocess';
import { resizeArtifacts } from '../../src/model/resize';
import { trainWithPlan } from '../../src/training/engine';
import { quadrantPlan, type Quadrant } from '../../src/strategy/quadrant';
import {
  CANDIDATE_IDS,
  GRID_RATES,
  candidate,
  type Candidate,
  type CandidateId,
} from '../../src/strategy/quadrant-candidates';
import type { StrategyLayer } from '../../src/strategy/quadrant-layers';
import { samePlan } from '../../src/strategy/layer-plan';
import mobilenetLayers from '../../src/strategy/fixtures/mobilenet-v2-035-layers.json';
import teachingLayers from '../../src/strategy/fixtures/teaching-cnn-layers.json';
import { imagenet035 } from '../photos/backbones';
import { useBackend } from '../teaching/backend';
import { PrefixCaches, frozenSignature, readArtifacts } from '../teaching/studio-run';
import {
  cifar10,
  digits,
  fashionTarget,
  invertedDigits,
  seedData,
  type Domain,
  type SeedData,
} from './data';
import type { QuadrantResults, RowResult, RunResult } from './results';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = join(ROOT, 'scripts/quadrants/results');

interface NetworkSetup {
  id: 'teaching-cnn' | 'mobilenet-v2-035';
  label: string;
  layers: StrategyLayer[];
  featureLayer: string;
  artifacts: (side: number) => tf.io.ModelArtifacts;
  spec: (side: number) => InputSpec;
}

const NETWORKS: Record<string, () => NetworkSetup> = {
  'teaching-cnn': () => {
    const artifacts = readArtifacts(join(ROOT, 'public/models/teaching-cnn'));
    return {
      id: 'teaching-cnn',
      label: 'Teaching CNN (28 px grey)',
      layers: teachingLayers,
      featureLayer: 'global_pool',
      artifacts: () => artifacts,
      spec: () => ({ size: 28, channels: 1, valueRange: [0, 1] }),
    };
  },
  'mobilenet-v2-035': () => {
    const b = imagenet035(ROOT);
    return {
      id: 'mobilenet-v2-035',
      label: 'MobileNetV2 α=0.35 ImageNet',
      layers: mobilenetLayers,
      featureLayer: b.featureLayer,
      artifacts: (side) => (side === 224 ? b.artifacts : resizeArtifacts(b.artifacts, side)),
      spec: (side) => ({ size: side, channels: 3, valueRange: b.valueRange }),
    };
  },
};

interface Design {
  domain: () => Domain;
  perClass: number;
  validationPerClass: number;
  testPerClass: number;
  headCap: number;
  fineTuneCap: number;
  patience: number;
  /** 16 (the studio's default) on small data; 64 on large data, where per-step overhead would dominate the small networks. */
  batchSize: number;
}

/** Photo-network classes: five, so a large quadrant (500 per class) stays affordable on two cores. */
const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer'];
const DIGITS5 = [3, 4, 5, 7, 9];

function design(network: string, q: Quadrant, cifarDir: string, side: number): Design {
  const large = q.startsWith('large');
  const similar = q.endsWith('similar') && !q.endsWith('different');
  const sizes = large
    ? { perClass: 500, validationPerClass: 75, patience: 5, batchSize: 64 }
    : { perClass: 10, validationPerClass: 10, patience: 10, batchSize: 16 };
  if (network === 'teaching-cnn')
    return {
      // Large, different: the last 200 images of each digit are the test images (withSmallerTest).
      domain: () => (similar ? fashionTarget(28) : invertedDigits(28, large ? 200 : undefined)),
      ...sizes,
      testPerClass: 200,
      headCap: large ? 100 : 300,
      fineTuneCap: large ? 30 : 200,
    };
  return {
    domain: () =>
      similar
        ? cifar10(cifarDir, side, CIFAR_CLASSES)
        : digits(side, DIGITS5, large ? 100 : undefined),
    ...sizes,
    testPerClass: 100,
    headCap: 300,
    fineTuneCap: large ? 3 : 60,
  };
}

function paramsFor(c: Candidate, d: Design, seed: number, quick: boolean): TrainParams {
  const cap = c.headOnly ? d.headCap : d.fineTuneCap;
  return {
    ...DEFAULT_PARAMS,
    ...c.params,
    seed,
    validationFraction: 0,
    testFraction: 0,
    epochs: quick ? Math.min(3, cap) : cap,
    batchSize: d.batchSize,
    earlyStopping: { enabled: true, patience: d.patience, minDelta: 1e-3 },
  };
}

async function runOne(
  net: NetworkSetup,
  side: number,
  c: Candidate,
  data: SeedData,
  params: TrainParams,
  caches: PrefixCaches,
  cacheKey: string,
): Promise<RunResult> {
  const key = `${cacheKey}|${frozenSignature(net.layers, c.plan)}|${c.plan.featureLayer}`;
  const t0 = performance.now();
  const result = await trainWithPlan({
    artifacts: net.artifacts(side),
    spec: net.spec(side),
    plan: c.plan,
    images: new MemoryImages(data.images, side),
    labels: data.labels,
    numClasses: data.numClasses,
    split: data.split,
    params,
    cacheKey: key,
    cache: caches.get(key),
    cacheBudgetBytes: CACHE_BUDGET_BYTES,
    backends: { features: 'wasm', head: 'wasm', fineTune: 'wasm' },
    shouldStop: () => false,
    onPrefixProgress: () => {},
    onBatches: () => {},
    onEpoch: () => {},
  });
  if (result.stopped) throw new Error('the run stopped before it finished');
  caches.set(key, result.cache);
  const test = data.split.test;
  const hits = result.predictions.test.filter((p, i) => p === data.labels[test[i]!]).length;
  return {
    seed: params.seed,
    test: hits / test.length,
    validation: result.history[result.bestEpoch - 1]?.valAccuracy ?? NaN,
    bestEpoch: result.bestEpoch,
    epochsRun: result.epochsRun,
    capped: !result.stoppedEarly,
    seconds: (performance.now() - t0) / 1000,
  };
}

function readResults(path: string): QuadrantResults | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as QuadrantResults) : null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      network: { type: 'string', default: 'teaching-cnn' },
      quadrant: { type: 'string', default: 'small-similar' },
      seeds: { type: 'string', default: '1,2,3' },
      only: { type: 'string' },
      cifar: { type: 'string', default: join(ROOT, '../data/cifar10-raw') },
      side: { type: 'string' },
      quick: { type: 'boolean', default: false },
    },
  });
  const q = values.quadrant as Quadrant;
  const net = NETWORKS[values.network]?.();
  if (!net) throw new Error(`unknown network ${values.network}`);
  const side = Number(values.side ?? (net.id === 'teaching-cnn' ? 28 : 64));
  const d = design(net.id, q, values.cifar, side);
  const seeds = values.seeds.split(',').map(Number);
  const only = values.only?.split(',');
  const path = join(RESULTS_DIR, `${net.id}.${q}.json`);
  const previous = values.quick ? null : readResults(path);
  const backend = await useBackend('wasm');
  const t0 = Date.now();
  const domain = d.domain();
  const perSeed = seeds.map((s) =>
    seedData(domain, d.perClass, d.validationPerClass, d.testPerClass, s),
  );
  const cachesPerSeed = seeds.map(() => new PrefixCaches());
  const results: QuadrantResults = {
    network: net.id,
    networkLabel: net.label,
    quadrant: q,
    domain: domain.description,
    side,
    classes: domain.classes.map((c) => c.name),
    perClass: d.perClass,
    validationPerClass: d.validationPerClass,
    testPerClass: d.testPerClass,
    seeds,
    caps: { head: d.headCap, fineTune: d.fineTuneCap },
    patience: d.patience,
    batchSize: d.batchSize,
    backend: `tfjs ${tf.version.tfjs} ${backend} in Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim()})`,
    date: new Date().toISOString().slice(0, 10),
    loadAverage: previous?.loadAverage ?? [],
    gridRate: previous?.gridRate ?? null,
    textbook: previous?.textbook ?? 'recipe',
    rows: previous?.rows ?? [],
  };
  const save = () => {
    if (values.quick) return;
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(path, JSON.stringify(results, null, 1) + '\n');
  };
  const wanted = (id: string) =>
    (only ? only.includes(id) : true) &&
    (only?.includes(id) || !results.rows.some((r) => r.id === id));
  const run = async (c: Candidate) => {
    const runs: RunResult[] = [];
    for (let i = 0; i < seeds.length; i++) {
      const r = await runOne(
        net,
        side,
        c,
        perSeed[i]!,
        paramsFor(c, d, seeds[i]!, values.quick),
        cachesPerSeed[i]!,
        `${net.id}|${domain.id}|${side}|${d.perClass}|${seeds[i]}`,
      );
      runs.push(r);
      console.log(
        `${net.id} ${q} ${c.id} seed ${r.seed}: test ${(r.test * 100).toFixed(1)}% val ${(r.validation * 100).toFixed(1)}% epoch ${r.bestEpoch}/${r.epochsRun}${r.capped ? ' CAPPED' : ''} ${r.seconds.toFixed(1)} s (tensors ${tf.memory().numTensors})`,
      );
    }
    const row: RowResult = {
      id: c.id,
      label: c.label,
      headOnly: c.headOnly,
      plan: c.plan,
      params: c.params,
      runs,
    };
    results.rows = [...results.rows.filter((x) => x.id !== c.id), row];
    results.loadAverage = [...results.loadAverage, Number((loadavg()[0] ?? 0).toFixed(2))];
    save();
  };
  // The textbook plan: one of the candidates when it trains the same plan with the same settings.
  const tb = quadrantPlan(q, net.layers, net.featureLayer);
  const order: (CandidateId | 'textbook')[] = [
    ...CANDIDATE_IDS.filter((id) => id !== 'ft-all-l2sp'),
  ];
  for (const id of order) {
    const c = candidate(id as CandidateId, net.layers, net.featureLayer);
    if (c && wanted(c.id)) await run(c);
  }
  // L2-SP at the rate the grid chose on validation accuracy (mean over seeds).
  const meanVal = (id: string) => {
    const r = results.rows.find((x) => x.id === id);
    return r ? r.runs.reduce((s, x) => s + x.validation, 0) / r.runs.length : -1;
  };
  const gridRate = [...GRID_RATES].sort(
    (a, b) => meanVal(`ft-all-${b.toExponential()}`) - meanVal(`ft-all-${a.toExponential()}`),
  )[0]!;
  results.gridRate = gridRate;
  const l2sp = candidate('ft-all-l2sp', net.layers, net.featureLayer, gridRate)!;
  const known = results.rows.find((r) => r.id === 'ft-all-l2sp');
  if (wanted('ft-all-l2sp') || (known && known.params.fineTuneLearningRate !== gridRate))
    await run(l2sp);
  const same = CANDIDATE_IDS.map((id) =>
    candidate(id, net.layers, net.featureLayer, gridRate),
  ).find(
    (c) =>
      c !== null &&
      samePlan(net.layers, c.plan, tb.plan) &&
      c.params.head === tb.params.head &&
      c.params.conservation === tb.params.conservation &&
      (c.headOnly || c.params.fineTuneLearningRate === tb.params.fineTuneLearningRate),
  );
  if (same) {
    results.textbook = same.id;
  } else {
    results.textbook = 'textbook';
    const c: Candidate = {
      id: 'textbook' as CandidateId,
      label: `the textbook plan: ${tb.reason}`,
      plan: tb.plan,
      params: {
        learningRate: tb.params.learningRate,
        fineTuneLearningRate: tb.params.fineTuneLearningRate,
        conservation: tb.params.conservation,
        head: tb.params.head,
        batchNormTraining: false,
      },
      headOnly: Object.keys(tb.plan.modes).length === 0,
    };
    if (wanted('textbook')) await run(c);
  }
  save();
  console.log(
    `done in ${((Date.now() - t0) / 60000).toFixed(1)} min${values.quick ? ' (quick: not written)' : ` → ${path}`}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
