// Threaded against single-threaded wasm, in one run on one page build: the studio's engine
// (`trainWithPlan`, in the benchmark page's worker) on the bundled photo sample with the
// default MobileNetV2 α=0.35, each repetition on a fresh page (a fresh worker: the wasm
// thread pool is fixed when wasm starts), single- and multi-threaded pages alternating so
// both see the same machine load.
//   - features: the frozen network's pass over every image (the prefix cache), 224 and 128 px;
//   - a top-block fine-tune epoch (frozen up to block_15_project_BN) at 224 px;
//   - a full fine-tune epoch (every layer trained) at 96 px;
//   - and, first, one 3×3 and one 1×1 convolution on their own: the thread pool's scaling
//     without the engine around it.
// The feature rows also run as the studio runs them: threaded wasm in the training worker
// and the pass shared among one prefix helper worker per core (src/worker/prefix-pool.ts;
// the helpers start while the images load, as they do when the studio loads a model).
// Also counts main-thread long tasks (> 50 ms) on the page while the worker trains.
// Writes bench/<date>-threads.json and .md.
//
//   npm run bench:threads                 (about 15 minutes on 2 cores)
//   npm run bench:threads -- --reps 2 --per-class 4 --out /tmp/x   a quick look
//   npm run bench:threads -- --only features-224,features-128     some cases only
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
const PER_CLASS = Number(option('per-class', 10));
/** Each image this many times (the photo sample has 141 photos; a pass over more shows the steady rate). */
const REPEAT = Number(option('repeat', 1));
const PORT = Number(option('port', 4393));
const OUT = option('out', 'bench');
const baseURL = `http://127.0.0.1:${PORT}/`;
/** `--only features-224,features-128`: just those cases. */
const ONLY = option('only', null)?.split(',') ?? null;

const MODEL = {
  url: '/models/mobilenet-v2-035/model.json',
  nativeSize: 224,
  channels: 3,
  valueRange: [-1, 1],
  featureLayer: 'global_average_pooling2d',
};
const CASES = [
  // The thread pool's own scaling, outside the engine: one convolution, as XNNPACK runs it.
  {
    id: 'conv-3x3',
    label: 'one 3×3 convolution, 16×56×56×64 → 64',
    micro: { input: [16, 56, 56, 64], filter: [3, 3, 64, 64], reps: 10 },
  },
  {
    id: 'conv-1x1',
    label: 'one 1×1 convolution, 16×28×28×96 → 96',
    micro: { input: [16, 28, 28, 96], filter: [1, 1, 96, 96], reps: 20 },
  },
  {
    id: 'features-224',
    label: 'features, 224 px',
    size: 224,
    freezeUpTo: MODEL.featureLayer,
    epochs: 1,
  },
  {
    id: 'features-128',
    label: 'features, 128 px',
    size: 128,
    freezeUpTo: MODEL.featureLayer,
    epochs: 1,
  },
  {
    id: 'top-block-224',
    label: 'top-block fine-tune epoch, 224 px',
    size: 224,
    freezeUpTo: 'block_15_project_BN',
    epochs: 3,
  },
  {
    id: 'full-96',
    label: 'full fine-tune epoch, 96 px',
    size: 96,
    freezeUpTo: 'input_1',
    epochs: 3,
  },
];

if (ONLY) CASES.splice(0, CASES.length, ...CASES.filter((c) => ONLY.includes(c.id)));

const executablePath = await findBrowser();
if (!executablePath) {
  console.error('No Chromium found; see README (Quick start).');
  process.exit(1);
}
const log = (...a) => console.log(new Date().toISOString().slice(11, 19), ...a);

const outDir = mkdtempSync(join(tmpdir(), 'thaw-bench-threads-'));
log(`Building the studio and the benchmark page into ${outDir}…`);
await buildAndServe(outDir, PORT);

const manifest = JSON.parse(readFileSync('public/samples/photos/manifest.json', 'utf8'));
const sampleImages = manifest.classes.flatMap((c, label) =>
  c.files.slice(0, PER_CLASS).map((f) => ({ url: `/samples/photos/${c.name}/${f}`, label })),
);
/** The feature cases' images: the sample REPEAT times over. */
const passImages = Array.from({ length: REPEAT }, () => sampleImages).flat();

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-quic', '--disable-background-networking'],
});

const CORES = cpus().length;
/** The arms: one thread; wasm's threads (one per core); the studio's way for a feature pass. */
const ARMS = {
  single: { threads: 1 },
  threaded: {},
  workers: { featureWorkers: CORES },
};

/** One repetition of one case on a fresh page, as `arm` says (ARMS). */
async function once(c, arm) {
  const threads = arm.threads;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  try {
    await page.goto(`${baseURL}bench/`);
    await page.waitForFunction(() => 'thawBench' in window, null, { timeout: 60_000 });
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    if (c.micro) {
      const cfg = {
        backend: 'wasm',
        micro: c.micro,
        ...(threads !== undefined ? { threads } : {}),
      };
      const r = await page.evaluate((x) => window.thawBench(x), cfg);
      if (r.type !== 'micro') throw new Error(r.message);
      return {
        isolated,
        threads: r.backend.wasm?.threads ?? null,
        microMs: summary(r.ms).median,
        imagesPerS: null,
        longTasks: await page.evaluate(() => window.__longTasks),
        tensorsLeft: null,
        images: null,
      };
    }
    const config = {
      backend: 'wasm',
      model: { ...MODEL, size: c.size },
      freezeUpTo: c.freezeUpTo,
      images: c.id.startsWith('features') ? passImages : sampleImages,
      numClasses: manifest.classes.length,
      epochs: c.epochs,
      batchSize: 16,
      // A feature case runs the pass twice on one page: the first pass (what a user's first run
      // waits for) and the second (everything set up: wasm memory grown, kernels prepared).
      reps: c.id.startsWith('features') ? 2 : 1,
      engineOnly: true,
      ...(threads !== undefined ? { threads } : {}),
      ...(arm.featureWorkers ? { featureWorkers: arm.featureWorkers } : {}),
    };
    const r = await page.evaluate((cfg) => window.thawBench(cfg), config);
    if (r.type !== 'result') throw new Error(r.message);
    const e = r.engine.at(-1);
    const first = r.engine[0].prefixMs;
    const steady = e.epochMs.slice(1);
    return {
      isolated,
      threads: r.backend.wasm?.threads ?? null,
      featureWorkers: r.featureWorkers,
      helperStats: r.helperStats,
      prefixMs: e.prefixMs,
      firstMs: first,
      imagesPerS: (r.images / e.prefixMs) * 1000,
      firstImagesPerS: (r.images / first) * 1000,
      epochMs: steady.length ? summary(steady).median : e.epochMs[0],
      longTasks: await page.evaluate(() => window.__longTasks),
      tensorsLeft: e.tensorsLeft,
      images: r.images,
      trainImages: r.trainImages,
    };
  } finally {
    await context.close();
  }
}

const started = Date.now();
const rows = [];
for (const c of CASES) {
  const names = c.id.startsWith('features')
    ? ['single', 'threaded', 'workers']
    : ['single', 'threaded'];
  const got = Object.fromEntries(names.map((n) => [n, []]));
  for (let rep = 0; rep < REPS; rep++) {
    // Rotate which goes first, so none always runs on a warmer machine.
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const name of order) {
      const r = await once(c, ARMS[name]);
      got[name].push(r);
      log(c.id, name, JSON.stringify({ ...r, longTasks: r.longTasks.length }));
    }
  }
  const { single, threaded: multi, workers = null } = got;
  const metric = c.micro ? 'microMs' : c.id.startsWith('features') ? 'prefixMs' : 'epochMs';
  const ratios = (arm, m = metric) => summary(single.map((s, i) => s[m] / arm[i][m]));
  const pass = (arm) =>
    arm && {
      ms: summary(arm.map((s) => s.prefixMs)),
      firstMs: summary(arm.map((s) => s.firstMs)),
      imagesPerS: summary(arm.map((s) => s.imagesPerS)),
      firstImagesPerS: summary(arm.map((s) => s.firstImagesPerS)),
      speedup: ratios(arm, 'prefixMs'),
      firstSpeedup: ratios(arm, 'firstMs'),
    };
  rows.push({
    ...c,
    metric,
    images: single.find((x) => x.images)?.images ?? null,
    threads: multi[0].threads,
    isolated: multi[0].isolated,
    singleMs: summary(single.map((s) => s[metric])),
    multiMs: summary(multi.map((s) => s[metric])),
    singleImagesPerS: summary(single.map((s) => s.imagesPerS)),
    multiImagesPerS: summary(multi.map((s) => s.imagesPerS)),
    speedup: ratios(multi),
    passes: workers && {
      single: pass(single),
      threaded: pass(multi),
      workers: pass(workers),
      helpers: Math.min(...workers.map((w) => w.featureWorkers)),
    },
    longTasks: {
      single: single.flatMap((s) => s.longTasks),
      multi: multi.flatMap((s) => s.longTasks),
      workers: (workers ?? []).flatMap((s) => s.longTasks),
    },
    tensorsLeft: [...single, ...multi, ...(workers ?? [])].map((s) => s.tensorsLeft),
    raw: got,
  });
}
await browser.close();

const date = new Date().toISOString().slice(0, 10);
const git = (...a) => spawnSync('git', a, { encoding: 'utf8' }).stdout?.trim() ?? '';
const result = {
  date,
  command: `npm run bench:threads${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  commit: git('rev-parse', '--short', 'HEAD'),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', load: loadavg() },
  reps: REPS,
  perClass: PER_CLASS,
  rows,
  durationS: Math.round((Date.now() - started) / 1000),
};
mkdirSync(OUT, { recursive: true });
let stem = join(OUT, `${date}-threads`);
for (let k = 2; existsSync(`${stem}.json`); k++) stem = join(OUT, `${date}-threads-${k}`);
writeFileSync(`${stem}.json`, JSON.stringify(result, null, 1));
const f = (s, d = 0) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`;
const long = (l) => (l.length ? `${l.length}, longest ${Math.max(...l).toFixed(0)} ms` : '0');
const md = [
  `# wasm threads: ${date}`,
  '',
  `\`${result.command}\` at ${result.commit}; ${result.machine.cpus} × ${result.machine.cpuModel}; load before ${result.machine.load.map((l) => l.toFixed(1)).join(' ')}.`,
  `The convolution rows time one \`tf.conv2d\` call in the worker (median of its repetitions on each page). The others: MobileNetV2 α=0.35 on the photo sample (${sampleImages.length} images; in the feature rows each one ${REPEAT}× over, ${passImages.length} in all), the studio's engine in the benchmark page's worker, wasm backend, batch 16; ${REPS} repetitions each, every one on a fresh page, single- and multi-threaded pages alternating. Medians (min–max); the speed-up pairs the repetitions that ran next to each other.`,
  '',
  '| what | threads | single-threaded ms | threaded ms | speed-up | images/s (1 → n) | long tasks > 50 ms (1 / n) |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} (${{ prefixMs: 'whole pass', epochMs: 'steady epoch', microMs: 'one call' }[r.metric]}) | ${r.threads}${r.isolated ? '' : ' (not isolated)'} | ${f(r.singleMs)} | ${f(r.multiMs)} | ${f(r.speedup, 2)}× | ${r.metric === 'prefixMs' ? `${f(r.singleImagesPerS, 1)} → ${f(r.multiImagesPerS, 1)}` : '—'} | ${long(r.longTasks.single)} / ${long(r.longTasks.multi)} |`,
  ),
  '',
  `Feature rows above: the second pass on each page (wasm memory grown, kernels set up). Below, the feature pass three ways: one thread; wasm's threads; and as the studio runs it, the pass shared among one prefix helper worker per core (${rows.find((r) => r.passes)?.passes.helpers ?? '?'} here), each on single-threaded wasm with its own copy of the network, which the helpers build and run once while the images load. First pass: what a user's first run waits for; second pass: everything set up. Speed-ups against one thread, paired by repetition.`,
  '',
  '| what | pass | one thread ms | wasm threads ms (×) | helper workers ms (×) | images/s: one thread → threads → helpers | long tasks > 50 ms (helpers) |',
  '|---|---|---|---|---|---|---|',
  ...rows
    .filter((r) => r.passes)
    .flatMap((r) =>
      [
        ['first', 'firstMs', 'firstSpeedup', 'firstImagesPerS'],
        ['second', 'ms', 'speedup', 'imagesPerS'],
      ].map(
        ([name, ms, x, ips]) =>
          `| ${r.label} | ${name} | ${f(r.passes.single[ms])} | ${f(r.passes.threaded[ms])} (${f(r.passes.threaded[x], 2)}×) | ${f(r.passes.workers[ms])} (${f(r.passes.workers[x], 2)}×) | ${f(r.passes.single[ips], 1)} → ${f(r.passes.threaded[ips], 1)} → ${f(r.passes.workers[ips], 1)} | ${long(r.longTasks.workers)} |`,
      ),
    ),
  '',
  `Took ${result.durationS} s.`,
  '',
].join('\n');
writeFileSync(`${stem}.md`, md);
log(`Wrote ${stem}.json and ${stem}.md`);
console.log(md);
process.exit(0);
