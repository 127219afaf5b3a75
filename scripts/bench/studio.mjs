// Drives the built studio through its UI, as a user would, and reads what the page shows:
// ingestion (folder picked → images read), the frozen part's time per image, epoch times,
// main-thread long tasks while training, worker tensors and heaps. Timestamps are taken in
// the page (performance.now) by an observer on the studio's data attributes.
import { summary } from './stats.mjs';
import { workerHeap } from './heap.mjs';

/** Installed before the studio's own scripts: records attribute changes, picks, clicks, long tasks. */
function recorder() {
  const bench = { events: [], longTasks: [] };
  window.__bench = bench;
  const push = (kind, value) => bench.events.push({ t: performance.now(), kind, value });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    bench.noLongTaskObserver = true;
  }
  document.addEventListener(
    'change',
    (e) => e.target instanceof HTMLInputElement && e.target.type === 'file' && push('pick', ''),
    true,
  );
  document.addEventListener(
    'click',
    (e) => {
      const b = e.target instanceof Element ? e.target.closest('button') : null;
      if (b && b.textContent?.trim() === 'Train') push('train-click', '');
    },
    true,
  );
  const observe = () =>
    new MutationObserver((records) => {
      for (const r of records)
        if (r.type === 'attributes')
          push(r.attributeName, r.target.getAttribute(r.attributeName) ?? '');
    }).observe(document.body, {
      subtree: true,
      attributes: true,
      attributeFilter: ['data-decoding', 'data-phase', 'data-epochs', 'data-run'],
    });
  if (document.body) observe();
  else document.addEventListener('DOMContentLoaded', observe);
}

const now = (page) => page.evaluate(() => performance.now());
/** BENCH_TRACE=1 logs every step, to find where a run stops. */
const trace = process.env.BENCH_TRACE
  ? (...a) => console.log(new Date().toISOString().slice(11, 23), 'trace', ...a)
  : () => {};

/** Opens the studio on a fresh page (fresh storage) with `choice` as backend. */
export async function openStudio(browser, baseURL, choice) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(recorder);
  const t0 = Date.now();
  await page.goto(baseURL);
  const anyBackend = page
    .getByRole('status')
    .filter({ hasText: /Backend: (webgpu|webgl|wasm|cpu)/ });
  await anyBackend.waitFor({ timeout: 120_000 });
  await page
    .getByRole('list', { name: 'Layers' })
    .getByRole('listitem')
    .first()
    .waitFor({ timeout: 120_000 });
  const startupMs = Date.now() - t0;
  await page.getByRole('combobox', { name: 'Backend' }).selectOption(choice);
  const expected = choice === 'auto' ? /Backend: (webgpu|webgl|wasm|cpu)/ : `Backend: ${choice}`;
  const status = page.getByRole('status').filter({ hasText: expected });
  await status.waitFor({ timeout: 120_000 });
  const active = /Backend: (\w+)/.exec(await status.innerText())?.[1] ?? '?';
  const note = (await status.innerText()).replace(/\s+/g, ' ').trim();
  await page.getByRole('checkbox', { name: 'Early stopping' }).uncheck();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text().slice(0, 300)));
  page.on('pageerror', (e) => consoleErrors.push(e.message.slice(0, 300)));
  page.on('crash', () => consoleErrors.push('the page crashed'));
  page.__consoleErrors = consoleErrors;
  return { context, page, startupMs, active, note };
}

/** What the page says when a step did not finish: its alerts, progress lines and console errors. */
export async function diagnose(page, file) {
  const alerts = await page
    .getByRole('alert')
    .allInnerTexts()
    .catch(() => []);
  const progress = await page
    .locator('.progress-row')
    .allInnerTexts()
    .catch(() => []);
  if (file) await page.screenshot({ path: file, fullPage: true }).catch(() => {});
  return [
    ...alerts.map((a) => `alert: ${a}`),
    ...progress.map((p) => `progress: ${p}`),
    ...(page.__consoleErrors ?? []).slice(-5).map((e) => `console: ${e}`),
  ]
    .join(' | ')
    .replace(/\s+/g, ' ');
}

/** Waits until nothing is being read and the model is listed. */
async function settled(page) {
  await page.waitForFunction(
    () =>
      document.querySelector('section[aria-label="Training"]')?.getAttribute('data-decoding') ===
      'no',
    null,
    { timeout: 300_000 },
  );
}

export async function useModel(page, model, size) {
  trace('useModel', model.id, size);
  await page.getByRole('combobox', { name: 'Model' }).selectOption(model.id);
  await page
    .getByRole('listitem', { name: model.lastLayer, exact: true })
    .waitFor({ timeout: 120_000 });
  const sizePicker = page.getByRole('combobox', { name: 'Input size' });
  let resized = null;
  if ((await sizePicker.inputValue()) !== String(size)) {
    trace('size', size);
    const loaded = await page
      .locator('section[aria-label="Training"]')
      .getAttribute('data-dataset');
    resized = loaded ? await now(page) : null;
    await sizePicker.selectOption(String(size));
  }
  // Features from the top of the network (the global pool), whatever the model's default.
  const features = page.getByRole('combobox', { name: 'Take features from' });
  if ((await features.inputValue()) !== model.featureLayer)
    await features.selectOption(model.featureLayer);
  const side = `${size / 2}×${size / 2}×`;
  await page
    .getByRole('listitem', { name: 'Conv1', exact: true })
    .filter({ hasText: side })
    .waitFor({ timeout: 120_000 });
  trace('model listed');
  // A loaded dataset is read again at the new size: wait for that to start and end.
  if (resized !== null)
    await page.waitForFunction(
      (since) => {
        const ev = window.__bench.events.filter((e) => e.t >= since && e.kind === 'data-decoding');
        const busy = ev.findIndex((e) => e.value === 'yes');
        return busy >= 0 && ev.slice(busy).some((e) => e.value === 'no');
      },
      resized,
      { timeout: 300_000, polling: 100 },
    );
  await settled(page);
  trace('settled');
}

/**
 * Picks `folder` and returns the time from the pick to the last image read, in ms.
 * `readTimeout`/`polling`: a large folder (50,000 images on 2 cores) wants up to 30 min.
 */
export async function ingest(
  page,
  folder,
  images,
  { pickTimeout = 30_000, readTimeout = 600_000, polling = 100 } = {},
) {
  const since = await now(page);
  trace('pick', folder);
  await page.getByLabel('Choose image folder').setInputFiles(folder, { timeout: pickTimeout });
  const done = await page.waitForFunction(
    (since) => {
      const ev = window.__bench.events.filter((e) => e.t >= since);
      const pick = ev.find((e) => e.kind === 'pick');
      if (!pick) return null;
      const after = ev.filter((e) => e.t >= pick.t && e.kind === 'data-decoding');
      const busy = after.findIndex((e) => e.value === 'yes');
      const free = busy >= 0 ? after.slice(busy).find((e) => e.value === 'no') : null;
      return free ? { pick: pick.t, done: free.t } : null;
    },
    since,
    { timeout: readTimeout, polling },
  );
  const { pick, done: end } = await done.jsonValue();
  const shown = await page.getByRole('table', { name: 'Classes' }).innerText();
  const counted = [...shown.matchAll(/\t(\d+)\s*$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  if (counted !== images) throw new Error(`expected ${images} images, the studio shows ${counted}`);
  return { ms: end - pick, imagesPerSecond: images / ((end - pick) / 1000) };
}

export async function setEpochs(page, epochs) {
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill(String(epochs));
}

/** Freezes up to `layer` (the studio's "Freeze up to"). */
export async function freezeUpTo(page, layer) {
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption(layer);
}

/** Clicks Train, waits for the end, and returns what the page recorded about that run. */
export async function train(page) {
  const status = page.getByRole('status', { name: 'Validation accuracy' });
  const previous = (await status.getAttribute('data-run')) ?? '';
  const since = await now(page);
  trace('train click');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  trace('clicked');
  const handle = await page.waitForFunction(
    ({ since, previous }) => {
      const el = document.querySelector('[aria-label="Validation accuracy"]');
      if (!el || el.getAttribute('data-run') === previous) return null;
      const phase = el.getAttribute('data-phase');
      if (phase === 'error')
        return { error: document.querySelector('[role="alert"]')?.textContent ?? 'error' };
      if (phase !== 'done' && phase !== 'stopped') return null;
      const ev = window.__bench.events.filter((e) => e.t >= since);
      const click = ev.find((e) => e.kind === 'train-click');
      const training = ev.find((e) => e.kind === 'data-phase' && e.value === 'training');
      const end = ev
        .filter((e) => e.kind === 'data-phase' && (e.value === 'done' || e.value === 'stopped'))
        .at(-1);
      const epochs = ev.filter((e) => e.kind === 'data-epochs' && Number(e.value) > 0);
      if (!click || !end) return null;
      const longTasks = window.__bench.longTasks.filter(
        (l) => l.start >= click.t && l.start <= end.t,
      );
      return {
        click: click.t,
        training: training?.t ?? null,
        end: end.t,
        epochs: epochs.map((e) => ({ n: Number(e.value), t: e.t })),
        longTasks,
      };
    },
    { since, previous },
    { timeout: 1_200_000, polling: 200 },
  );
  const r = await handle.jsonValue();
  if (r.error) throw new Error(`training failed: ${r.error}`);
  const timings = page.getByTestId('timings');
  const attr = async (name) => Number(await timings.getAttribute(`data-${name}`));
  const check = page.getByTestId('tensor-check');
  // Epoch k ends when the k-th epoch's numbers reach the page.
  const marks = [];
  for (const e of r.epochs) if (!marks.some((m) => m.n === e.n)) marks.push(e);
  const epochMs = marks.map((m, i) => m.t - (i === 0 ? (r.training ?? r.click) : marks[i - 1].t));
  // Where in the run each long task fell: before the first epoch (features), during the
  // epochs, or after the last epoch's numbers arrived (evaluation, saving, drawing).
  const firstEpochStart = r.training ?? r.click;
  const lastEpoch = marks.at(-1)?.t ?? r.end;
  const phaseOf = (l) =>
    l.start < firstEpochStart ? 'features' : l.start <= lastEpoch ? 'epochs' : 'finish';
  const longTasks = r.longTasks.map((l) => ({ ...l, phase: phaseOf(l) }));
  return {
    wallMs: r.end - r.click,
    featuresMs: await attr('features-ms'),
    headMs: await attr('head-ms'),
    images: await attr('images'),
    frozenLayers: await attr('frozen-layers'),
    trainableParams: await attr('trainable-params'),
    featuresBackend: await timings.getAttribute('data-features-backend'),
    headBackend: await timings.getAttribute('data-head-backend'),
    epochMs,
    longTasks,
    tensors: {
      before: Number(await check.getAttribute('data-before')),
      after: Number(await check.getAttribute('data-after')),
    },
  };
}

/** Main-thread and worker heaps after a garbage collection, in bytes. */
export async function heaps(page, browser) {
  const main = await page.evaluate(() => {
    globalThis.gc?.();
    return performance.memory?.usedJSHeapSize ?? null;
  });
  const worker = await workerHeap(browser, /\/assets\/worker-[^/]*\.js$/);
  return {
    mainUsed: main,
    workerUsed: worker?.usedSize ?? null,
    workerBacking: worker?.backingStorageSize ?? null,
  };
}

/** Steady epoch time of one run: the median of its epochs after the first. */
export const steadyEpoch = (run) => summary(run.epochMs.slice(1)).median;

export function longTaskSummary(runs) {
  const all = runs.flatMap((r) => r.longTasks);
  const byPhase = Object.fromEntries(
    ['features', 'epochs', 'finish'].map((p) => {
      const these = all.filter((l) => l.phase === p);
      return [
        p,
        {
          count: these.length,
          totalMs: Math.round(these.reduce((s, l) => s + l.duration, 0)),
          maxMs: Math.round(Math.max(0, ...these.map((l) => l.duration))),
        },
      ];
    }),
  );
  return {
    runs: runs.length,
    trainingSeconds: Math.round(runs.reduce((s, r) => s + r.wallMs, 0) / 100) / 10,
    count: all.length,
    totalMs: Math.round(all.reduce((s, l) => s + l.duration, 0)),
    maxMs: Math.round(Math.max(0, ...all.map((l) => l.duration))),
    byPhase,
  };
}
