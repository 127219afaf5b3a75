// How long each lesson (and the quadrant experiment on each bundled sample) takes at its
// defaults, through the UI of the built studio in Chromium: one fresh page per run, the
// wall time from the click to "finished". Issue: a lesson must finish within 3 minutes on
// a 2-core machine. Writes bench/<date>-lessons.json and .md; the one-minute load average
// is recorded beside every row, since other work on the machine lengthens every time.
//
//   npm run bench:lessons                      (about 20 minutes on 2 cores)
//   npm run bench:lessons -- --only freeze-depth --out /tmp/x
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { findBrowser } from './find-browser.mjs';
import { buildAndServe } from './bench/serve.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const PORT = Number(option('port', 4394));
const OUT = option('out', 'bench');
const ONLY = option('only', null)?.split(',');
const LIMIT_MS = 3 * 60_000;

const LESSONS = [
  'Feature extraction, fine-tuning or training from scratch',
  'How many layers to freeze',
  'Similar or different data',
  'Learning rate for fine-tuning',
  'Conservation training and forgetting',
  'Which layers to copy: first or last',
  'Changing an inner layer',
  'The four quadrants',
];
const EXPERIMENTS = [
  {
    sample: 'Fashion target',
    model: 'Teaching CNN · 28 px grey (bundled)',
    quadrant: 'Small dataset, similar domain',
  },
  {
    sample: 'Inverted digits',
    model: 'Teaching CNN · 28 px grey (bundled)',
    quadrant: 'Small dataset, different domain',
  },
  { sample: 'Photos', model: null, quadrant: 'Small dataset, similar domain' },
  { sample: 'Digits', model: null, quadrant: 'Small dataset, different domain' },
];

const browserPath = await findBrowser();
const { baseURL, stop } = await buildAndServe('dist-bench-lessons', PORT);
const browser = await chromium.launch({
  executablePath: browserPath,
  args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic'],
});

async function open() {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(baseURL);
  await page
    .getByRole('status')
    .filter({ hasText: /Backend: (webgpu|webgl|wasm|cpu)/ })
    .waitFor({ timeout: 120_000 });
  await page
    .getByRole('list', { name: 'Layers' })
    .getByRole('listitem')
    .first()
    .waitFor({ timeout: 120_000 });
  return page;
}

const rows = [];
const record = (row) => {
  rows.push(row);
  console.log(
    `${row.what}: ${(row.ms / 1000).toFixed(1)} s${row.ok ? '' : ' (did not finish)'}, load ${row.load}`,
  );
};

for (const title of LESSONS) {
  if (ONLY && !ONLY.some((o) => title.toLowerCase().includes(o.toLowerCase()))) continue;
  const page = await open();
  await page.getByRole('button', { name: 'Lessons', exact: true }).click();
  const load = Number(loadavg()[0].toFixed(2));
  const t0 = Date.now();
  await page.getByRole('button', { name: `Run lesson: ${title}` }).click();
  let ok = true;
  try {
    const done =
      title === 'The four quadrants'
        ? page
            .getByRole('status', { name: 'Quadrant experiment status' })
            .filter({ hasText: 'finished in' })
        : page.getByRole('status', { name: 'Lesson status' }).filter({ hasText: ': finished' });
    await done.first().waitFor({ timeout: 15 * 60_000 });
  } catch {
    ok = false;
  }
  // The verdict on screen, and whether it says it agrees with the committed table's.
  const result = page.getByRole('region', { name: 'Lesson result' }).first();
  const verdict = ok ? await result.getAttribute('data-verdict').catch(() => null) : null;
  const text = ok ? await result.innerText().catch(() => '') : '';
  const agrees = text.includes('Same verdict as the committed table')
    ? 'yes'
    : text.includes('The committed table’s verdict differs')
      ? 'no'
      : '—';
  record({ what: `lesson: ${title}`, ms: Date.now() - t0, ok, load, verdict, agrees });
  await page.close();
}

for (const e of EXPERIMENTS) {
  if (ONLY && !ONLY.some((o) => `experiment ${e.sample}`.toLowerCase().includes(o.toLowerCase())))
    continue;
  const page = await open();
  if (e.model) {
    await page.getByRole('combobox', { name: 'Model' }).selectOption({ label: e.model });
    await page.getByRole('listitem', { name: 'conv5' }).waitFor();
  }
  await page.getByRole('button', { name: `Load sample: ${e.sample}` }).click();
  await page.getByRole('table', { name: 'Classes' }).waitFor();
  await page
    .getByRole('progressbar', { name: 'Reading images' })
    .waitFor({ state: 'detached' })
    .catch(() => {});
  await page
    .getByRole('radiogroup', { name: 'Quadrant' })
    .getByRole('radio', { name: e.quadrant })
    .check();
  const experiment = page.getByRole('region', { name: 'Quadrant experiment' });
  const load = Number(loadavg()[0].toFixed(2));
  // Where the applied plan is the textbook plan and the recipe, there is nothing to train.
  if (await experiment.getByText('Nothing to compare').isVisible()) {
    record({
      what: `quadrant experiment: ${e.sample}, ${e.quadrant}`,
      ms: 0,
      ok: true,
      load,
      verdict: 'nothing to compare (applied = textbook = recipe)',
    });
    await page.close();
    continue;
  }
  const t0 = Date.now();
  await experiment.getByRole('button', { name: 'Quadrant experiment', exact: true }).click();
  let ok = true;
  try {
    await experiment
      .getByRole('status', { name: 'Quadrant experiment status' })
      .filter({ hasText: 'finished in' })
      .waitFor({ timeout: 15 * 60_000 });
  } catch {
    ok = false;
  }
  const status = ok
    ? await experiment.getByRole('status', { name: 'Quadrant experiment status' }).innerText()
    : '';
  record({
    what: `quadrant experiment: ${e.sample}, ${e.quadrant}`,
    ms: Date.now() - t0,
    ok,
    load,
    verdict: status.replace(/\s+/g, ' ').trim() || null,
  });
  await page.close();
}

await browser.close();
stop();
const date = new Date().toISOString().slice(0, 10);
mkdirSync(OUT, { recursive: true });
const machine =
  `${cpus().length} cores (${cpus()[0]?.model.trim()}), Chromium ${browser.version?.() ?? ''}`.trim();
writeFileSync(
  join(OUT, `${date}-lessons.json`),
  JSON.stringify({ date, machine, rows }, null, 1) + '\n',
);
const md = [
  `# Lessons and quadrant experiments at their defaults (${date})`,
  '',
  `Command: \`npm run bench:lessons\`. Machine: ${machine}. One run each on a fresh page of the built studio; the wall time from the click to "finished", the lesson's verdict (\`data-verdict\` of its result) and whether its text says the committed table's verdict is the same (— where the lesson names no table verdict). The load average is the machine's one-minute load when the row started: other work on the 2 cores lengthens every time.`,
  '',
  '| what | wall time | within 3 min | verdict on screen | same as the committed table | load average |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.what} | ${r.ok ? `${(r.ms / 1000).toFixed(0)} s` : `did not finish in ${(r.ms / 1000).toFixed(0)} s`} | ${r.ok && r.ms <= LIMIT_MS ? 'yes' : 'no'} | ${r.verdict ?? '—'} | ${r.agrees ?? '—'} | ${r.load} |`,
  ),
  '',
].join('\n');
writeFileSync(join(OUT, `${date}-lessons.md`), md);
console.log(md);
