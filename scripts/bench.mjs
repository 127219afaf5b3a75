// Benchmark: builds the studio, serves it with `vite preview`, and drives it in headless
// Chromium, per backend (webgpu, webgl, wasm, cpu, auto):
//   - ingestion, features and head-only epochs for both bundled MobileNetV2s at 224 and
//     128 px, through the studio's UI (scripts/bench/studio.mjs);
//   - a partial fine-tune (top block trained) with the frozen-prefix cache against tfjs
//     `model.fit` on the full network with the same layers frozen, in one worker on the same
//     images (scripts/bench/baseline.mjs, page in scripts/bench/page/);
//   - main-thread long tasks while training, worker tensors and heaps after 1 and N epochs.
// Writes bench/<date>.json, bench/<date>.md and bench/latest.md.
//
// Usage:
//   npm run bench                      full run (about an hour on 2 cores)
//   npm run bench -- --quick           smoke run, wasm only, small; results in a temp folder
//   npm run bench -- --backends wasm,auto --models mobilenet-v2
//   npm run bench -- --no-baseline     the studio's part only (no cache-vs-model.fit rows)
//   npm run bench -- --out <folder>
//   npm run bench -- --compare bench/A.json bench/B.json   how far two runs agree
//   npm run bench -- --render bench/A.json                 writes bench/A.md again
//   npm run bench -- --scale 10000     only the scale run: 10,000 images at 224 px, head only,
//                                      peak memory sampled (bench/<date>-scale-10000.*)
//     --scale-plan top-block           the top block fine-tuned instead (frozen up to
//                                      block_15_project_BN, 2 epochs on the prefix cache)
//     --scale-model teaching           the teaching CNN at 28 px on the Fashion target sample
//     --scale-cancel-at 1000           first, on its own page: cancel the folder's read once
//                                      1,000 images are read and time it
//     --scale-cancel-only              only that measurement (bench/<date>-scale-N…-cancel.*)
//     --scale-epochs N, --scale-backend wasm, --port 4397 (the preview server's port)
//     --scale-memory-mb 16             the studio's 'Images in memory up to (MB)' (past it
//                                      the images are kept in browser storage)
//     --scale-folder DIR               take the images from a folder of class folders instead
//       [--scale-classes 10]           (the first N/classes of each of the first classes), e.g.
//                                      CIFAR-10's train folders (docs/quadrants.md)
//     --scale-size 64                  input size (default: the model's native size)
//     --scale-plan large-similar       pick "Large dataset, similar domain" in the quadrant
//                                      picker and train the plan it applies
//   npm run bench -- --scale-summary bench/X.md bench/A.json bench/B.json   one scale table
//                                      of several result files
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { findBrowser } from './find-browser.mjs';
import { compare as baseline } from './bench/baseline.mjs';
import { compareResults, markdown, scaleSummary } from './bench/report.mjs';
import { cancelRun, PLANS, scaleRun, TEACHING } from './bench/scale.mjs';
import { summary } from './bench/stats.mjs';
import { buildAndServe } from './bench/serve.mjs';
import {
  diagnose,
  freezeUpTo,
  heaps,
  ingest,
  longTaskSummary,
  openStudio,
  setEpochs,
  steadyEpoch,
  train,
  useModel,
} from './bench/studio.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

if (flag('compare')) {
  const i = argv.indexOf('--compare');
  const [a, b] = [argv[i + 1], argv[i + 2]].map((p) => JSON.parse(readFileSync(p, 'utf8')));
  console.log(compareResults(a, b));
  process.exit(0);
}

if (flag('scale-summary')) {
  // One Markdown file with the scale rows of several result files.
  const i = argv.indexOf('--scale-summary');
  const files = argv.slice(i + 2);
  const results = files.map((p) => ({ file: p, r: JSON.parse(readFileSync(p, 'utf8')) }));
  writeFileSync(argv[i + 1], scaleSummary(results));
  process.exit(0);
}

if (flag('render')) {
  // Writes the Markdown of a result file again (after a change to the report).
  const file = option('render');
  const r = JSON.parse(readFileSync(file, 'utf8'));
  for (const b of r.backends) {
    if (!b.gpu && /swiftshader|llvmpipe|softpipe|software/i.test(r.machine.gpu ?? ''))
      b.gpu = 'software';
    b.jobs ??= {
      features: b.configs[0]?.featuresBackend ?? null,
      head: b.configs[0]?.headBackend ?? null,
      fineTune: b.fineTune[0]?.backend ?? null,
    };
  }
  writeFileSync(file.replace(/\.json$/, '.md'), markdown(r));
  process.exit(0);
}

const MODELS = [
  {
    id: 'mobilenet-v2-035',
    label: 'MobileNetV2 α=0.35 (default)',
    url: '/models/mobilenet-v2-035/model.json',
    nativeSize: 224,
    valueRange: [-1, 1],
    featureLayer: 'global_average_pooling2d',
    lastLayer: 'global_average_pooling2d',
  },
  {
    id: 'mobilenet-v2',
    label: 'MobileNetV2 1.0 (nsfwjs)',
    url: '/models/mobilenet-v2/model.json',
    nativeSize: 224,
    valueRange: [0, 1],
    featureLayer: 'flatten_1',
    lastLayer: 'flatten_1',
  },
];
/** Frozen up to here (block_15 included); the last inverted-residual block (block_16) and the top conv (Conv_1) are trained. */
const FREEZE_UP_TO = 'block_15_project_BN';
const BATCH_SIZE = 16;

/**
 * How much each backend does. The software-rendered GPU backends and the pure-JS cpu
 * backend are 10–40× slower than wasm here, so they get fewer images and repetitions; the
 * fine-tune comparison runs at 128 px for them.
 */
const FULL = {
  backends: ['wasm', 'auto', 'cpu', 'webgl', 'webgpu'],
  fast: {
    perClass: 10,
    sizes: [128, 224],
    reps: 3,
    headEpochs: 5,
    fineTuneEpochs: 4,
    memory: { head: 30, fineTune: 8 },
    baseline: {
      configs: [
        [MODELS[0], 224],
        [MODELS[1], 224],
        [MODELS[1], 128],
      ],
      epochs: 4,
      reps: 3,
    },
  },
  slow: {
    perClass: 2,
    sizes: [224, 128],
    reps: 2,
    headEpochs: 4,
    fineTuneEpochs: 3,
    memory: { head: 10, fineTune: 0 },
    baseline: { configs: [[MODELS[0], 128]], epochs: 3, reps: 2 },
  },
};
const QUICK = {
  backends: ['wasm'],
  fast: {
    perClass: 2,
    sizes: [128],
    reps: 1,
    headEpochs: 3,
    fineTuneEpochs: 2,
    memory: { head: 3, fineTune: 2 },
    baseline: { configs: [[MODELS[0], 128]], epochs: 2, reps: 1 },
  },
};
QUICK.slow = QUICK.fast;
const FAST_BACKENDS = new Set(['wasm', 'auto']);

const quick = flag('quick');
const plan = quick ? QUICK : FULL;
const scale = option('scale') ? Number(option('scale')) : null;
const scalePlan = option('scale-plan') ?? 'head';
const scaleModel = option('scale-model') ?? 'mobilenet';
const scaleCancelAt = option('scale-cancel-at') ? Number(option('scale-cancel-at')) : null;
if (!PLANS[scalePlan] || !['mobilenet', 'teaching'].includes(scaleModel)) {
  console.error('--scale-plan head|top-block|large-similar, --scale-model mobilenet|teaching');
  process.exit(1);
}
if (scaleModel === 'teaching' && scalePlan !== 'head') {
  console.error('--scale-plan top-block is for the MobileNetV2 (block_15_project_BN)');
  process.exit(1);
}
const onlyModels = option('models')?.split(',');
const backends = option('backends')?.split(',') ?? (scale ? [] : plan.backends);
const PORT = Number(option('port') ?? 4391);
const baseURL = `http://127.0.0.1:${PORT}/`;
const BROWSER_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--disable-background-networking',
  '--js-flags=--expose-gc',
  '--enable-precise-memory-info',
];

const executablePath = await findBrowser();
if (!executablePath) {
  console.error('No Chromium found; see README (Quick start).');
  process.exit(1);
}
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

// 1. Build the studio and the benchmark page into a folder of their own.
const outDir = mkdtempSync(join(tmpdir(), 'thaw-bench-build-'));
log(`Building the studio and the benchmark page into ${outDir}…`);
const { stop: stopServer } = await buildAndServe(outDir, PORT);

// 2. The data: the first images of each class of the bundled photo sample.
const manifest = JSON.parse(readFileSync('public/samples/photos/manifest.json', 'utf8'));
const folders = new Map();
/** Two copies of the subset (picking another folder makes the studio read the images again). */
function photoFolders(perClass) {
  if (folders.has(perClass)) return folders.get(perClass);
  const root = mkdtempSync(join(tmpdir(), 'thaw-bench-data-'));
  const copies = ['photos-a', 'photos-b'].map((name) => {
    for (const c of manifest.classes) {
      mkdirSync(join(root, name, c.name), { recursive: true });
      for (const f of c.files.slice(0, perClass))
        copyFileSync(join('public/samples/photos', c.name, f), join(root, name, c.name, f));
    }
    return join(root, name);
  });
  const urls = manifest.classes.flatMap((c, label) =>
    c.files.slice(0, perClass).map((f) => ({ url: `/samples/photos/${c.name}/${f}`, label })),
  );
  const entry = { copies, urls, images: urls.length };
  folders.set(perClass, entry);
  return entry;
}

const browser = await chromium.launch({ executablePath, args: BROWSER_ARGS });
const SOFTWARE_GPU = /swiftshader|llvmpipe|softpipe|software/i;
/** What renders WebGL here (SwiftShader when there is no GPU). */
async function gpuRenderer() {
  const page = await browser.newPage();
  try {
    return await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      if (!gl) return 'no WebGL 2';
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    });
  } finally {
    await page.close();
  }
}
const started = Date.now();
const date = new Date().toISOString().slice(0, 10);
const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout?.trim() ?? '';
const commit =
  process.env.THAW_COMMIT ??
  (git('rev-parse', '--short', 'HEAD') +
    (git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : '') ||
    'unknown');
const result = {
  date,
  quick,
  command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  commit,
  machine: {
    browser: `${browser.browserType().name()} ${browser.version()}`,
    browserArgs: BROWSER_ARGS,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadBefore: loadavg().map((l) => Math.round(l * 10) / 10),
    loadAfter: null,
    gpu: await gpuRenderer(),
  },
  fineTune: {
    freezeUpTo: FREEZE_UP_TO,
    description: `frozen up to ${FREEZE_UP_TO}; block_16 (expand, depthwise, project with their BatchNorms) and Conv_1 + Conv_1_bn fine-tuned, a new softmax head, Adam, batch ${BATCH_SIZE}`,
  },
  plan,
  backends: [],
  notes: [],
  durationS: 0,
};

const outFolder = option('out') ?? (quick ? mkdtempSync(join(tmpdir(), 'thaw-bench-')) : 'bench');
mkdirSync(outFolder, { recursive: true });
const base =
  backends.length === 0 && scale
    ? `${date}-scale-${scale}${option('scale-size') ? `-${option('scale-size')}px` : ''}${scaleModel === 'teaching' ? '-teaching' : ''}${scalePlan === 'head' ? '' : `-${scalePlan}`}${flag('scale-cancel-only') ? '-cancel' : ''}`
    : date;
let stem = join(outFolder, base);
for (let k = 2; existsSync(`${stem}.json`); k++) stem = join(outFolder, `${base}-${k}`);
const writesLatest = backends.length > 0 && (!quick || option('out'));
const save = () => {
  result.durationS = Math.round((Date.now() - started) / 1000);
  writeFileSync(`${stem}.json`, `${JSON.stringify(result, null, 1)}\n`);
  const md = markdown(result);
  writeFileSync(`${stem}.md`, md);
  if (writesLatest) writeFileSync(join(outFolder, 'latest.md'), md);
};

async function memoryCheck(page, epochs, what) {
  await setEpochs(page, 1);
  const one = await train(page);
  const h1 = await heaps(page, browser);
  await setEpochs(page, epochs);
  const many = await train(page);
  const hN = await heaps(page, browser);
  return {
    ...what,
    epochs,
    tensors: [one.tensors.after, many.tensors.after],
    tensorsBefore: [one.tensors.before, many.tensors.before],
    workerHeap: [h1.workerUsed, hN.workerUsed],
    workerBuffers: [h1.workerBacking, hN.workerBacking],
    pageHeap: [h1.mainUsed, hN.mainUsed],
    runs: [one, many],
  };
}

for (const choice of backends) {
  try {
    await benchBackend(choice);
  } catch (err) {
    const message = `${choice}: not measured to the end — ${String(err.message ?? err).split('\n')[0]}`;
    log(message);
    result.notes.push(message);
    save();
  }
}

async function benchBackend(choice) {
  const tier = FAST_BACKENDS.has(choice) ? plan.fast : plan.slow;
  const data = photoFolders(tier.perClass);
  log(`== ${choice}: ${data.images} images`);
  const b = {
    choice,
    active: null,
    note: '',
    gpu: SOFTWARE_GPU.test(result.machine.gpu) ? 'software' : '',
    startupMs: [],
    configs: [],
    fineTune: [],
    baseline: [],
    memory: [],
    longTasks: null,
  };
  result.backends.push(b);
  const trainingRuns = [];
  try {
    await studioPart(b, tier, data, trainingRuns);
  } finally {
    b.jobs = {
      features: b.configs[0]?.featuresBackend ?? null,
      head: b.configs[0]?.headBackend ?? null,
      fineTune: b.fineTune[0]?.backend ?? null,
    };
    b.longTasks = longTaskSummary(trainingRuns);
    save();
  }
  if (!flag('no-baseline')) await baselinePart(b, tier, data);
}

/**
 * One fresh page per network and input size (a new tab: empty storage, backend started
 * again), so no folder is ever read again at another size behind the measurement.
 */
async function studioPart(b, tier, data, trainingRuns) {
  const { choice } = b;
  let pick = 0;
  for (const model of MODELS.filter((m) => !onlyModels || onlyModels.includes(m.id)))
    for (const size of tier.sizes) {
      const opened = await openStudio(browser, baseURL, choice);
      b.active ??= opened.active;
      b.note ||= opened.note;
      b.startupMs.push(opened.startupMs);
      const { page } = opened;
      try {
        await configPart(b, page, tier, data, trainingRuns, model, size, () => pick++);
      } catch (err) {
        const seen = await diagnose(page, `${stem}-${choice}-failure.png`);
        throw new Error(`${String(err.message ?? err).split('\n')[0]} — on the page: ${seen}`, {
          cause: err,
        });
      } finally {
        await opened.context.close();
      }
    }
}

async function configPart(b, page, tier, data, trainingRuns, model, size, nextPick) {
  const { choice } = b;
  await useModel(page, model, size);
  await setEpochs(page, tier.headEpochs);
  const runs = [];
  for (let rep = 0; rep <= tier.reps; rep++) {
    const ing = await ingest(page, data.copies[nextPick() % 2], data.images);
    const run = await train(page);
    if (run.frozenLayers <= 1 || run.featuresMs <= 0)
      throw new Error('expected a head-only run that computes features');
    runs.push({ ingest: ing, run });
    log(
      `${choice} ${model.id} ${size}px rep ${rep}: ingest ${ing.imagesPerSecond.toFixed(1)} img/s, features ${(data.images / (run.featuresMs / 1000)).toFixed(2)} img/s on ${run.featuresBackend}, epochs ${run.epochMs.map(Math.round).join(' ')} ms`,
    );
  }
  trainingRuns.push(...runs.map((r) => r.run));
  const steady = runs.slice(1);
  b.configs.push({
    model: model.id,
    modelLabel: model.label,
    size,
    images: data.images,
    ingest: summary(steady.map((r) => r.ingest.imagesPerSecond)),
    ingestFirst: summary([runs[0].ingest.imagesPerSecond]),
    features: summary(steady.map((r) => data.images / (r.run.featuresMs / 1000))),
    featuresFirst: summary([data.images / (runs[0].run.featuresMs / 1000)]),
    featuresBackend: runs[0].run.featuresBackend,
    headBackend: runs[0].run.headBackend,
    headEpochMs: summary(steady.map((r) => steadyEpoch(r.run))),
    headFirstEpochMs: summary(steady.map((r) => r.run.epochMs[0])),
    runs,
  });
  save();
  const first = model === MODELS[0];
  if (first && size === tier.sizes[0] && tier.memory.head > 0) {
    const m = await memoryCheck(page, tier.memory.head, {
      model: model.id,
      modelLabel: model.label,
      size,
      plan: 'head only',
    });
    trainingRuns.push(...m.runs);
    b.memory.push(m);
    log(
      `${choice} memory (head): tensors ${m.tensors.join(' → ')}, worker heap ${m.workerHeap.join(' → ')}`,
    );
  }
  if (size !== tier.sizes.at(-1)) return;
  // The top block fine-tuned, at the last size: the first run builds the prefix cache.
  await freezeUpTo(page, FREEZE_UP_TO);
  await setEpochs(page, tier.fineTuneEpochs);
  const ft = [];
  for (let rep = 0; rep <= tier.reps; rep++) {
    const run = await train(page);
    ft.push(run);
    log(
      `${choice} ${model.id} ${size}px fine-tune rep ${rep}: features ${Math.round(run.featuresMs)} ms, epochs ${run.epochMs.map(Math.round).join(' ')} ms, ${run.trainableParams} params on ${run.headBackend}`,
    );
  }
  trainingRuns.push(...ft);
  b.fineTune.push({
    model: model.id,
    modelLabel: model.label,
    size,
    images: data.images,
    cacheBuildMs: ft[0].featuresMs,
    trainableParams: ft[0].trainableParams,
    backend: ft[0].headBackend,
    epochMs: summary(ft.slice(1).map(steadyEpoch)),
    firstEpochMs: summary(ft.slice(1).map((r) => r.epochMs[0])),
    runs: ft,
  });
  if (first && tier.memory.fineTune > 0) {
    const m = await memoryCheck(page, tier.memory.fineTune, {
      model: model.id,
      modelLabel: model.label,
      size,
      plan: 'top block fine-tuned',
    });
    trainingRuns.push(...m.runs);
    b.memory.push(m);
    log(
      `${choice} memory (fine-tune): tensors ${m.tensors.join(' → ')}, worker heap ${m.workerHeap.join(' → ')}`,
    );
  }
  save();
}

async function baselinePart(b, tier, data) {
  const { choice } = b;
  for (const [model, size] of tier.baseline.configs) {
    try {
      const c = await baseline(browser, baseURL, {
        backend: choice,
        model,
        size,
        freezeUpTo: FREEZE_UP_TO,
        images: data.urls,
        numClasses: manifest.classes.length,
        epochs: tier.baseline.epochs,
        batchSize: BATCH_SIZE,
        reps: tier.baseline.reps,
      });
      b.baseline.push({ ...c, modelLabel: model.label });
      log(
        `${choice} ${model.id} ${size}px cache vs model.fit: epoch ${c.engineEpochMs.median} vs ${c.naiveEpochMs.median} ms (${c.epochRatio.median}×), whole run ${c.runRatio.median}×${c.naiveError ? ` — ${c.naiveError}` : ''}`,
      );
    } catch (err) {
      const message = `${choice} ${model.id} ${size}px cache vs model.fit: not measured — ${String(err.message ?? err).split('\n')[0]}`;
      log(message);
      result.notes.push(message);
    }
    save();
  }
}
if (scale) {
  const model = scaleModel === 'teaching' ? TEACHING : MODELS[0];
  const size = option('scale-size') ? Number(option('scale-size')) : model.nativeSize;
  const backend = option('scale-backend') ?? 'auto';
  if (scaleCancelAt) {
    log(`== scale: cancel the read of ${scale} images after ${scaleCancelAt}`);
    const c = await cancelRun(browser, baseURL, {
      images: scale,
      backend,
      model,
      size,
      cancelAt: scaleCancelAt,
    });
    result.scaleCancel = [c];
    log(`scale cancel: ${JSON.stringify(c)}`);
    save();
  }
  if (!flag('scale-cancel-only')) {
    log(`== scale: ${scale} images, ${model.id} ${size} px, ${PLANS[scalePlan].label}`);
    const run = await scaleRun(browser, baseURL, {
      images: scale,
      backend,
      model,
      size,
      plan: scalePlan,
      freezeLayer: FREEZE_UP_TO,
      epochs: Number(option('scale-epochs') ?? PLANS[scalePlan].epochs),
      memoryMB: option('scale-memory-mb') ? Number(option('scale-memory-mb')) : null,
      source: option('scale-folder') ?? null,
      classCount: Number(option('scale-classes') ?? 10),
    });
    result.scale = [run];
    log(`scale: ${JSON.stringify({ ...run, epochs: undefined })}`);
    save();
  }
}
await browser.close();
stopServer();
result.machine.loadAfter = loadavg().map((l) => Math.round(l * 10) / 10);
save();
console.log(`\n${markdown(result)}`);
log(`Results: ${stem}.json, ${stem}.md${writesLatest ? `, ${join(outFolder, 'latest.md')}` : ''}`);
process.exit(0);
