// Scale: a folder of many images through the studio (ingestion, features or the
// frozen-prefix cache, epochs) while the page's and the worker's memory are sampled, to find
// the peak and whether anything breaks. The folder repeats a bundled sample's images under
// new names (hard links: no disk used), so every image is decoded and run like a new one:
// the photo sample for the MobileNetV2 runs, the 28-px Fashion target sample for the
// teaching CNN. Plans: head only (features once, a softmax head on them) or the top block
// fine-tuned (frozen up to block_15_project_BN: block_16 and Conv_1 trained on the prefix
// cache). A separate short measurement picks the folder, cancels the read once enough images
// are read and times how long until the progress bar is gone and the notice is shown.
import { linkSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summary } from './stats.mjs';
import {
  freezeUpTo,
  heaps,
  ingest,
  openStudio,
  setEpochs,
  steadyEpoch,
  train,
  useModel,
} from './studio.mjs';

/** The teaching CNN: 28×28 grey, features from its global pool, a few conv layers before it. */
export const TEACHING = {
  id: 'teaching-cnn',
  label: 'Teaching CNN · 28 px grey (bundled)',
  url: '/models/teaching-cnn/model.json',
  nativeSize: 28,
  valueRange: [0, 1],
  featureLayer: 'global_pool',
  lastLayer: 'head',
  firstLayer: 'conv5',
  sample: 'fashion-target',
};

/** Which bundled sample a model's folder repeats. */
export function sampleFor(model) {
  const name = model.sample ?? 'photos';
  const dir = join('public/samples', name);
  return { name, dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) };
}

export function scaleFolder(sample, total) {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-bench-scale-')), `${sample.name}-${total}`);
  const classes = sample.manifest.classes;
  for (const c of classes) mkdirSync(join(root, c.name), { recursive: true });
  for (let i = 0; i < total; i++) {
    const c = classes[i % classes.length];
    const k = Math.floor(i / classes.length);
    const file = c.files[k % c.files.length];
    linkSync(join(sample.dir, c.name, file), join(root, c.name, `${k}-${file}`));
  }
  return root;
}

/**
 * A folder of `total` images taken from a folder of class folders (e.g. CIFAR-10's JPG
 * folders): the first total/classes files of each class, in name order, hard-linked.
 */
export function subsetFolder(source, total, classCount) {
  const classes = readdirSync(source, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .slice(0, classCount);
  if (classes.length === 0) throw new Error(`${source} has no class folders`);
  const perClass = Math.floor(total / classes.length);
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-bench-scale-')), `subset-${total}`);
  for (const c of classes) {
    const files = readdirSync(join(source, c)).sort().slice(0, perClass);
    if (files.length < perClass)
      throw new Error(`${join(source, c)} has ${files.length} images, ${perClass} wanted`);
    mkdirSync(join(root, c), { recursive: true });
    for (const f of files) linkSync(join(source, c, f), join(root, c, f));
  }
  return { root, classes: classes.length, perClass };
}

/** Samples both heaps every `everyMs` until stopped; keeps the largest of each. */
function sampler(page, browser, everyMs) {
  const peak = { pageHeap: 0, workerHeap: 0, workerBuffers: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const h = await heaps(page, browser);
        peak.pageHeap = Math.max(peak.pageHeap, h.mainUsed ?? 0);
        peak.workerHeap = Math.max(peak.workerHeap, h.workerUsed ?? 0);
        peak.workerBuffers = Math.max(peak.workerBuffers, h.workerBacking ?? 0);
        peak.samples += 1;
      } catch {
        /* the page is busy or gone; try again */
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    peak,
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}

/** Picks the model (and input size); the teaching CNN has no Conv1 for useModel to wait on. */
async function chooseModel(page, model, size) {
  if (!model.firstLayer) return useModel(page, model, size);
  await page.getByRole('combobox', { name: 'Model' }).selectOption(model.id);
  await page
    .getByRole('listitem', { name: model.firstLayer, exact: true })
    .waitFor({ timeout: 120_000 });
  const features = page.getByRole('combobox', { name: 'Take features from' });
  if ((await features.inputValue()) !== model.featureLayer)
    await features.selectOption(model.featureLayer);
  await page.waitForFunction(
    () =>
      document.querySelector('section[aria-label="Training"]')?.getAttribute('data-decoding') ===
      'no',
    null,
    { timeout: 300_000 },
  );
}

/** Where the studio keeps the decoded images (`memory` | `storage`), and its memory note. */
async function imagesWhere(page) {
  const memory = page.getByRole('status', { name: 'Memory' });
  const where = await memory
    .getAttribute('data-images-where', { timeout: 5_000 })
    .catch(() => null);
  const note = await memory.innerText({ timeout: 5_000 }).catch(() => '');
  return { where: where ?? null, note: note.replace(/\s+/g, ' ').trim() };
}

export const PLANS = {
  head: { label: 'head only', epochs: 3 },
  'top-block': { label: 'top block fine-tuned', epochs: 2 },
  // What the quadrant picker applies for "Large dataset, similar domain" (the measured
  // table's choice, docs/quadrants.md): the way a user with a large folder trains.
  'large-similar': { label: "the picker's large, similar plan", epochs: 3 },
};

/** A fresh studio page for one scale measurement: notes the backend it ran as, whether it crashed, and samples memory. */
async function scalePage(browser, baseURL, backend, out) {
  const { context, page, active } = await openStudio(browser, baseURL, backend);
  out.active = active;
  const crash = { crashed: false };
  page.on('crash', () => (crash.crashed = true));
  return { context, page, memory: sampler(page, browser, 5000), crash };
}

export async function scaleRun(
  browser,
  baseURL,
  {
    images,
    backend,
    model,
    size,
    epochs,
    plan = 'head',
    freezeLayer,
    memoryMB = null,
    source = null,
    classCount = 10,
  },
) {
  const subset = source ? subsetFolder(source, images, classCount) : null;
  const folder = subset ? subset.root : scaleFolder(sampleFor(model), images);
  const out = {
    images,
    source: subset ? { folder: source, classes: subset.classes, perClass: subset.perClass } : null,
    backend,
    model: model.id,
    modelLabel: model.label,
    size,
    plan,
    planLabel: PLANS[plan].label,
    epochs,
    completed: false,
  };
  const { context, page, memory, crash } = await scalePage(browser, baseURL, backend, out);
  try {
    await chooseModel(page, model, size);
    await setEpochs(page, epochs);
    if (memoryMB !== null) {
      // The studio's memory budget for decoded images, past which they go to browser storage:
      // its field shows once a dataset is loaded and applies to the next folder read.
      await page
        .getByRole('button', { name: /^Load sample: / })
        .first()
        .click();
      await page.getByRole('table', { name: 'Classes' }).getByRole('row').first().waitFor();
      await page
        .getByRole('progressbar', { name: 'Reading images' })
        .waitFor({ state: 'detached', timeout: 300_000 });
      await page
        .getByRole('spinbutton', { name: 'Images in memory up to (MB)' })
        .fill(String(memoryMB));
      out.memoryMB = memoryMB;
    }
    const ing = await ingest(page, folder, images, {
      pickTimeout: 600_000,
      readTimeout: 1_800_000,
      polling: 250,
    });
    out.ingestS = ing.ms / 1000;
    out.ingestImagesPerSecond = ing.imagesPerSecond;
    out.afterIngest = { ...memory.peak };
    const kept = await imagesWhere(page);
    out.imagesWhere = kept.where;
    if (plan === 'top-block') {
      await freezeUpTo(page, freezeLayer);
      await setEpochs(page, epochs);
    }
    if (plan === 'large-similar') {
      await page
        .getByRole('radiogroup', { name: 'Quadrant' })
        .getByRole('radio', { name: 'Large dataset, similar domain' })
        .check();
      await page.getByTestId('quadrant-measured').waitFor({ timeout: 60_000 });
      // "Applied: Measured on this network: <what is trained>, up to N epochs … — <why>."
      const applied = await page
        .getByTestId('quadrant-reason')
        .locator('p', { hasText: /^Applied:/ })
        .innerText();
      out.quadrantPlan = applied
        .replace(/\s+/g, ' ')
        .replace(/^Applied: Measured on this network: /, '')
        .replace(/ — .*$/, '');
      // The plan sets its own epochs (with early stopping); the bench times a few of them.
      await setEpochs(page, epochs);
    }
    out.memoryNote = (await imagesWhere(page)).note;
    const run = await train(page);
    if (plan === 'head' && (run.frozenLayers <= 1 || run.featuresMs <= 0))
      throw new Error('expected a head-only run that computes features');
    out.featuresS = run.featuresMs / 1000;
    out.featuresImagesPerSecond = images / (run.featuresMs / 1000);
    out.featuresBackend = run.featuresBackend;
    out.headBackend = run.headBackend;
    out.frozenLayers = run.frozenLayers;
    out.trainableParams = run.trainableParams;
    out.epochMs = run.epochMs.length > 1 ? steadyEpoch(run) : run.epochMs[0];
    out.firstEpochMs = run.epochMs[0];
    out.epochs = summary(run.epochMs);
    out.tensors = run.tensors;
    out.longTasks = run.longTasks.length;
    // Where each fell (features / epochs / finish) and how long it took, in ms.
    out.longTaskPhases = run.longTasks.map((l) => `${l.phase} ${Math.round(l.duration)}`);
    out.imagesWhereAfter = (await imagesWhere(page)).where;
    out.stored = (
      await page
        .getByRole('status')
        .filter({ hasText: 'Stored:' })
        .innerText()
        .catch(() => '')
    )
      .replace(/\s+/g, ' ')
      .trim();
    out.completed = true;
  } catch (err) {
    out.error = crash.crashed ? 'the page crashed' : String(err.message ?? err).split('\n')[0];
  } finally {
    out.peak = await memory.stop();
    await context.close().catch(() => {});
  }
  return out;
}

/**
 * Picks a folder of `images`, waits until at least `cancelAt` are read, clicks `Cancel
 * reading` and measures (in the page) the seconds from the click until the progress bar is
 * gone and the dataset notice is shown; then checks that the page still answers.
 */
export async function cancelRun(browser, baseURL, { images, backend, model, size, cancelAt }) {
  const folder = scaleFolder(sampleFor(model), images);
  const out = {
    images,
    backend,
    model: model.id,
    modelLabel: model.label,
    size,
    cancelAt,
    cancelled: false,
  };
  const { context, page, memory, crash } = await scalePage(browser, baseURL, backend, out);
  try {
    await chooseModel(page, model, size);
    await page.evaluate(() => {
      document.addEventListener(
        'click',
        (e) => {
          const b = e.target instanceof Element ? e.target.closest('button') : null;
          if (b && b.textContent?.trim() === 'Cancel reading')
            window.__cancelClick = performance.now();
        },
        true,
      );
    });
    const t0 = Date.now();
    await page.getByLabel('Choose image folder').setInputFiles(folder, { timeout: 600_000 });
    // How long handing the browser the folder's files took (Playwright and Chromium, before
    // the page sees them), then the page's time from the pick to the threshold.
    out.setFilesS = (Date.now() - t0) / 1000;
    const read = await page.waitForFunction(
      (n) => {
        const p = document.querySelector('progress[aria-label="Reading images"]');
        if (!p || !(p.max > 0) || p.value < n) return null;
        const pick = window.__bench.events.findLast((e) => e.kind === 'pick');
        const first = window.__bench.events.find(
          (e) => e.kind === 'data-decoding' && e.value === 'yes' && e.t >= (pick?.t ?? 0),
        );
        const tasks = window.__bench.longTasks.filter((x) => x.start >= (pick?.t ?? 0));
        return {
          value: p.value,
          longestTaskS: tasks.reduce((m, x) => Math.max(m, x.duration), 0) / 1000,
          longTasks: tasks.length,
          fromPickS: pick ? (performance.now() - pick.t) / 1000 : null,
          pickToBusyS: pick && first ? (first.t - pick.t) / 1000 : null,
        };
      },
      cancelAt,
      { timeout: 600_000, polling: 50 },
    );
    const reached = await read.jsonValue();
    out.readBeforeClick = reached.value;
    out.pickToThresholdS = reached.fromPickS;
    out.pickToBusyS = reached.pickToBusyS;
    out.longestTaskS = reached.longestTaskS;
    out.longTasks = reached.longTasks;
    out.secondsToThreshold = (Date.now() - t0) / 1000;
    await page.getByRole('button', { name: 'Cancel reading' }).click({ timeout: 30_000 });
    const done = await page.waitForFunction(
      () => {
        const notice = document.querySelector('[role="status"][aria-label="Dataset notice"]');
        const bar = document.querySelector('progress[aria-label="Reading images"]');
        return !bar && notice ? { t: performance.now(), notice: notice.textContent } : null;
      },
      null,
      { timeout: 300_000, polling: 50 },
    );
    const { t, notice } = await done.jsonValue();
    const clicked = await page.evaluate(() => window.__cancelClick ?? null);
    out.cancelS = clicked === null ? null : (t - clicked) / 1000;
    out.notice = notice.replace(/\s+/g, ' ').trim();
    out.cancelled = /^Reading cancelled/.test(out.notice);
    out.classesShown = await page
      .getByRole('table', { name: 'Classes' })
      .getByRole('row')
      .count()
      .catch(() => null);
    out.pageAlive = await Promise.race([
      page.evaluate(() => 1 + 1).then((v) => v === 2),
      new Promise((r) => setTimeout(() => r(false), 10_000)),
    ]);
    out.imagesWhere = (await imagesWhere(page)).where;
  } catch (err) {
    out.error = crash.crashed ? 'the page crashed' : String(err.message ?? err).split('\n')[0];
  } finally {
    out.crashed = crash.crashed;
    out.peak = await memory.stop();
    await context.close().catch(() => {});
  }
  return out;
}
