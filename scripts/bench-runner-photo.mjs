// The photo network in the browser and on the PyTorch runner, measured in one run on this
// machine: MobileNetV2 α=0.35 at 224 px on the bundled photo sample.
//   - features: the frozen network's pass up to global_average_pooling2d (img/s);
//   - a top-block fine-tune epoch: frozen up to block_15_project_BN, block_16 and Conv_1
//     trained (steady epochs: 2 and later), validation included.
// Browser: the studio's engine in the benchmark page's worker, backend Auto, wasm with one
// thread per core (the page is cross-origin isolated). Runner: train.py as a user runs it,
// 1 process with every core, and 2 processes under torchrun (--redirects 1 --tee 1); its
// feature figure is the time in the network (run.json featureComputeSeconds, decoding
// excluded, as the browser's prefix pass runs on decoded pixels), with the figure including
// decoding beside it. Optionally the runner of another commit (--baseline REV, 1 process)
// in the same sitting. Repetitions alternate browser and runner, so both see the same load.
// Writes bench/runner-<date>-photo.json and .md.
//
//   node scripts/bench-runner-photo.mjs [--reps 3] [--per-class 25] [--epochs 3]
//        [--baseline 72d8f37] [--out bench]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { findBrowser } from './find-browser.mjs';
import { summary } from './bench/stats.mjs';
import { buildAndServe } from './bench/serve.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const REPS = Number(option('reps', 3));
const PER_CLASS = Number(option('per-class', 25));
const EPOCHS = Number(option('epochs', 3));
const BASELINE = option('baseline', null);
const PORT = Number(option('port', 4397));
const OUT = option('out', 'bench');
const PYTHON = process.env.THAW_PYTHON ?? '/usr/bin/python3';
const baseURL = `http://127.0.0.1:${PORT}/`;
const CORES = cpus().length;
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

const MODEL_DIR = 'public/models/mobilenet-v2-035';
const MODEL = {
  url: '/models/mobilenet-v2-035/model.json',
  nativeSize: 224,
  size: 224,
  channels: 3,
  valueRange: [-1, 1],
  featureLayer: 'global_average_pooling2d',
};
const CUT = 'block_15_project_BN';
const CASES = [
  { id: 'features', freezeUpTo: MODEL.featureLayer, epochs: 1 },
  { id: 'top-block', freezeUpTo: CUT, epochs: EPOCHS },
];

if (spawnSync(PYTHON, ['-c', 'import torch, PIL'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    `${PYTHON} cannot import torch and PIL: sudo apt-get install -y python3-torch python3-pil`,
  );
  process.exit(1);
}
const executablePath = await findBrowser();
if (!executablePath) {
  console.error('No Chromium found; see README (Quick start).');
  process.exit(1);
}
const TORCH_DEFAULT_THREADS = Number(
  spawnSync(PYTHON, ['-c', 'import torch; print(torch.get_num_threads())'], { encoding: 'utf8' })
    .stdout,
);
const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout?.trim() ?? '';
const loadBefore = loadavg();

// --- The images: the same files for both sides --------------------------------------------
const root = mkdtempSync(join(tmpdir(), 'thaw-bench-photo-'));
const manifest = JSON.parse(readFileSync('public/samples/photos/manifest.json', 'utf8'));
const classes = manifest.classes.map((c) => c.name);
const images = manifest.classes.flatMap((c, label) =>
  c.files.slice(0, PER_CLASS).map((f) => ({ url: `/samples/photos/${c.name}/${f}`, label })),
);
for (const c of manifest.classes)
  for (const f of c.files.slice(0, PER_CLASS)) {
    mkdirSync(join(root, 'data', c.name), { recursive: true });
    cpSync(join('public/samples/photos', c.name, f), join(root, 'data', c.name, f));
  }

// --- The runner's job: the studio's plan for "Freeze up to block_15_project_BN" -----------
function makeJob(dir, freezeUpTo) {
  mkdirSync(join(dir, 'model'), { recursive: true });
  // The model as tfjs writes it, with tfjs' outputs for the runner's reference check.
  const ref = spawnSync(
    'node',
    [
      'runner/tests/tfjs_reference.mjs',
      `${MODEL_DIR}/model.json`,
      join(dir, 'model'),
      '224',
      'out_relu',
    ],
    { encoding: 'utf8' },
  );
  if (ref.status !== 0) throw new Error(ref.stdout + ref.stderr);
  renameSync(join(dir, 'model', 'reference.json'), join(dir, 'reference.json'));
  const model = JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8'));
  const layers = (model.modelTopology.model_config ?? model.modelTopology).config.layers;
  const names = layers.map((l) => l.name);
  const cut = names.indexOf(freezeUpTo);
  const end = names.indexOf(MODEL.featureLayer);
  const weighted = (l) =>
    ['Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'Dense'].includes(l.class_name);
  const modes = {};
  layers.forEach((l, i) => {
    if (weighted(l) && i <= end) modes[l.name] = i <= cut ? 'frozen' : 'fine-tune';
  });
  const job = {
    format: 'thaw-training-job',
    version: 1,
    name: `photo sample, frozen up to ${freezeUpTo}`,
    modelId: 'mobilenet-v2-035',
    model: 'model/model.json',
    featureLayer: MODEL.featureLayer,
    modes,
    classNames: classes,
    inputSize: 224,
    channels: 3,
    valueRange: MODEL.valueRange,
    decode: { resize: 'cover-crop', extensions: ['png', 'jpg', 'jpeg'], minSide: 8 },
    params: {
      learningRate: 1e-3,
      fineTuneLearningRate: 1e-5,
      epochs: EPOCHS,
      batchSize: 16,
      seed: 42,
      validationFraction: 0.2,
      testFraction: 0.2,
      head: 'softmax',
      optimizer: 'adam',
      schedule: 'constant',
      conservation: 0,
      distillation: 0,
      batchNormTraining: false,
      earlyStopping: { enabled: false, patience: 5, minDelta: 1e-3 },
    },
    reference: 'reference.json',
  };
  writeFileSync(join(dir, 'job.json'), JSON.stringify(job, null, 1));
  return Object.values(modes).filter((m) => m === 'fine-tune').length;
}
const fineTuned = makeJob(join(root, 'job'), CUT);
const runners = { current: resolve('runner/train.py') };
if (BASELINE) {
  const dir = join(root, 'baseline');
  mkdirSync(dir);
  const tar = spawnSync('sh', ['-c', `git archive ${BASELINE} runner | tar -x -C ${dir}`]);
  if (tar.status !== 0) throw new Error(`git archive ${BASELINE}: ${tar.stderr}`);
  runners.baseline = join(dir, 'runner', 'train.py');
}

/** One runner run; its timings from run.json. */
function runnerOnce(which, procs) {
  const out = join(root, `out-${which}-${procs}-${Date.now()}`);
  const script = runners[which];
  const args =
    procs === 1
      ? [script]
      : [
          '-m',
          'torch.distributed.run',
          '--redirects',
          '1',
          '--tee',
          '1',
          '--standalone',
          `--nproc_per_node=${procs}`,
          script,
        ];
  const env = { ...process.env };
  delete env.OMP_NUM_THREADS; // the runner's own default (or torch's, for the baseline)
  const res = spawnSync(
    PYTHON,
    [...args, '--job', join(root, 'job'), '--data', join(root, 'data'), '--out', out],
    { cwd: root, encoding: 'utf8', env },
  );
  if (res.status !== 0) throw new Error(`runner ${which} ×${procs}: ${res.stdout}\n${res.stderr}`);
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
  const t = run.timings;
  const steady = t.epochSeconds.slice(1);
  const threads = t.threads ?? TORCH_DEFAULT_THREADS; // the baseline runner left torch's default
  // The baseline has no featureImages: its log line has the seconds (decoding included).
  const logged = /\((\d+(?:\.\d+)?) s\)\./.exec(res.stdout);
  const featureImages = t.featureImages ?? run.dataset.split.train;
  // After each process's first batch (which includes the one-off start-up: memory, kernels).
  const later = (t.featureBatches ?? []).map((b) => b.slice(1));
  const laterImages = later.flat().reduce((a, [n]) => a + n, 0);
  const laterSeconds = Math.max(0, ...later.map((b) => b.reduce((a, [, sec]) => a + sec, 0)));
  return {
    threads,
    featureImages,
    featureImagesPerS: t.featureComputeSeconds ? featureImages / t.featureComputeSeconds : null,
    featureWithDecodeImagesPerS: featureImages / (t.featureSeconds ?? Number(logged?.[1])),
    featureSteadyImagesPerS: laterImages && laterSeconds ? laterImages / laterSeconds : null,
    epochMs: summary(steady).median * 1000,
    trainImages: run.dataset.split.train,
    reference: run.reference?.relative ?? null,
  };
}

// --- The browser ----------------------------------------------------------------------------
const outDir = join(root, 'site');
log(`Building the studio and the benchmark page into ${outDir}…`);
await buildAndServe(outDir, PORT);
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-quic', '--disable-background-networking'],
});

/** One browser repetition of one case on a fresh page (a fresh worker and backend). */
async function browserOnce(c) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${baseURL}bench/`);
    await page.waitForFunction(() => 'thawBench' in window, null, { timeout: 60_000 });
    const config = {
      backend: 'auto',
      model: MODEL,
      freezeUpTo: c.freezeUpTo,
      images,
      numClasses: classes.length,
      epochs: c.epochs,
      batchSize: 16,
      reps: 1,
      engineOnly: true,
    };
    const r = await page.evaluate((cfg) => window.thawBench(cfg), config);
    if (r.type !== 'result') throw new Error(r.message);
    const e = r.engine[0];
    return {
      backend: r.backend.jobs,
      threads: r.backend.wasm?.threads ?? null,
      isolated: r.backend.wasm?.isolated ?? null,
      images: r.images,
      trainImages: r.trainImages,
      featureImagesPerS: (r.images / e.prefixMs) * 1000,
      epochMs: summary(e.epochMs.slice(1)).median,
    };
  } finally {
    await context.close();
  }
}

// --- Alternating repetitions -------------------------------------------------------------------
const started = Date.now();
const samples = {
  browserFeatures: [],
  browserTopBlock: [],
  current1: [],
  current2: [],
  baseline1: [],
};
for (let rep = 0; rep < REPS; rep++) {
  const steps = [
    async () => samples.browserFeatures.push(await browserOnce(CASES[0])),
    async () => samples.browserTopBlock.push(await browserOnce(CASES[1])),
    async () => samples.current1.push(runnerOnce('current', 1)),
    async () => samples.current2.push(runnerOnce('current', 2)),
    ...(BASELINE ? [async () => samples.baseline1.push(runnerOnce('baseline', 1))] : []),
  ];
  for (const step of rep % 2 === 0 ? steps : [...steps].reverse()) await step();
  log(
    `rep ${rep + 1}/${REPS}:`,
    JSON.stringify(Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.at(-1)]))),
  );
}
await browser.close();
const loadAfter = loadavg();

// --- Figures: speed (img/s) and per-core speed, runner against browser ----------------------
const bThreads = samples.browserFeatures[0].threads ?? 1;
const browserTrain = samples.browserTopBlock[0].trainImages;
const rowsOf = (label, list, cores, featureKey, epochOf) => ({
  label,
  cores,
  features: summary(list.map((s) => s[featureKey])),
  featuresWithDecode: summary(list.map((s) => s.featureWithDecodeImagesPerS)),
  featuresSteady: summary(list.map((s) => s.featureSteadyImagesPerS ?? NaN)),
  epochMs: summary(list.map(epochOf)),
  epochImagesPerS: summary(list.map((s) => (s.trainImages / s.epochMs) * 1000)),
});
const browserRow = {
  label: `browser (Auto: features on ${samples.browserFeatures[0].backend.features}, fine-tune on ${samples.browserTopBlock[0].backend.fineTune}; ${bThreads} wasm threads)`,
  cores: bThreads,
  features: summary(samples.browserFeatures.map((s) => s.featureImagesPerS)),
  featuresWithDecode: null,
  featuresSteady: null,
  epochMs: summary(samples.browserTopBlock.map((s) => s.epochMs)),
  epochImagesPerS: summary(samples.browserTopBlock.map((s) => (s.trainImages / s.epochMs) * 1000)),
};
const rows = [
  browserRow,
  rowsOf(
    `runner, 1 process × ${samples.current1[0].threads} threads`,
    samples.current1,
    samples.current1[0].threads,
    'featureImagesPerS',
    (s) => s.epochMs,
  ),
  rowsOf(
    `runner, 2 processes × ${samples.current2[0].threads} thread${samples.current2[0].threads > 1 ? 's' : ''} (torchrun, gloo)`,
    samples.current2,
    2 * samples.current2[0].threads,
    'featureImagesPerS',
    (s) => s.epochMs,
  ),
  ...(BASELINE
    ? [
        rowsOf(
          `runner at ${BASELINE} (before), 1 process × ${samples.baseline1[0].threads} thread${samples.baseline1[0].threads > 1 ? 's' : ''}`,
          samples.baseline1,
          samples.baseline1[0].threads,
          'featureWithDecodeImagesPerS',
          (s) => s.epochMs,
        ),
      ]
    : []),
];
for (const r of rows) {
  // Per core: img/s divided by the cores the engine used; the ratio is the runner's over the browser's.
  r.featuresPerCore = r.features.median / r.cores;
  r.epochPerCore = r.epochImagesPerS.median / r.cores;
  r.featuresPerCoreVsBrowser = (r.featuresPerCore / browserRow.features.median) * browserRow.cores;
  r.epochPerCoreVsBrowser = (r.epochPerCore / browserRow.epochImagesPerS.median) * browserRow.cores;
  r.featuresVsBrowser = r.features.median / browserRow.features.median;
  r.featuresSteadyPerCoreVsBrowser = r.featuresSteady?.median
    ? r.featuresSteady.median / r.cores / (browserRow.features.median / browserRow.cores)
    : null;
  r.epochVsBrowser = r.epochImagesPerS.median / browserRow.epochImagesPerS.median;
}

const date = new Date().toISOString().slice(0, 10);
const result = {
  date,
  command: `node scripts/bench-runner-photo.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`,
  commit: git('rev-parse', '--short', 'HEAD'),
  machine: { cpus: CORES, cpuModel: cpus()[0]?.model ?? '?', loadBefore, loadAfter },
  torch: spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
  }).stdout.trim(),
  reps: REPS,
  images: samples.browserFeatures[0].images,
  trainImages: { browser: browserTrain, runner: samples.current1[0].trainImages },
  fineTunedLayers: fineTuned,
  referenceRelative: samples.current1.map((s) => s.reference),
  rows,
  samples,
  durationS: Math.round((Date.now() - started) / 1000),
};
mkdirSync(OUT, { recursive: true });
let stem = join(OUT, `runner-${date}-photo`);
for (let k = 2; existsSync(`${stem}.json`); k++) stem = join(OUT, `runner-${date}-photo-${k}`);
writeFileSync(`${stem}.json`, JSON.stringify(result, null, 1));
const f = (s, d = 1) =>
  s && s.median !== null ? `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})` : '—';
const x = (v) => `${v.toFixed(2)}×`;
const md = [
  `# The photo network in the browser and on the PyTorch runner (${date})`,
  '',
  `\`${result.command}\` at ${result.commit}; ${CORES} × ${result.machine.cpuModel}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(1)).join(' ')} after; PyTorch ${result.torch}.`,
  `MobileNetV2 α=0.35 at 224 px on the photo sample (${result.images} images; ${browserTrain} train), batch 16. **Features**: the frozen pass up to global_average_pooling2d over the images — browser: every image; runner: the training images at batch 32, time in the network; beside it the same pass with decoding, and the network's speed after each process's first batch (which carries the one-off start-up: first memory touches, oneDNN kernel set-up; a large folder is mostly later batches). The browser's figure includes its own first batch. **Top-block epoch**: frozen up to ${CUT}, ${fineTuned} weighted layers of block_16 and Conv_1 fine-tuned, head trained, validation included; steady epochs (2–${EPOCHS}). ${REPS} repetitions each, browser and runner alternating; medians (min–max). The runner's reference check at 224 px passed on every run (max difference ${Math.max(...result.referenceRelative).toExponential(1)} of the output scale).`,
  '',
  '| engine | cores | features img/s | with decoding | after the first batch | top-block epoch ms | epoch img/s | features vs browser (per core) | epoch vs browser (per core) |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.cores} | ${f(r.features)} | ${f(r.featuresWithDecode)} | ${r.featuresSteady?.median ? `${f(r.featuresSteady)} (per core ${x(r.featuresSteadyPerCoreVsBrowser)})` : '—'} | ${f(r.epochMs, 0)} | ${f(r.epochImagesPerS)} | ${x(r.featuresVsBrowser)} (${x(r.featuresPerCoreVsBrowser)}) | ${x(r.epochVsBrowser)} (${x(r.epochPerCoreVsBrowser)}) |`,
  ),
  '',
  "Per core: an engine's img/s divided by the cores it used (browser: its wasm threads; runner: processes × threads), as a ratio to the browser's. Above 1: the runner is faster.",
  '',
  `Took ${result.durationS} s.`,
  '',
].join('\n');
writeFileSync(`${stem}.md`, md);
log(`Wrote ${stem}.json and ${stem}.md`);
console.log(md);
process.exit(0);
