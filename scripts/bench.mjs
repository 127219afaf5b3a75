// Benchmark: one training job (feature extraction + head) on the same folder, per backend,
// in the real studio in Chromium. Reports each backend's time as a ratio against the
// pure-JS `cpu` backend measured in the same run, and the cached-features rerun against
// the first run. Usage: npm run bench [-- --images 20 --epochs 5]
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { findBrowser } from './find-browser.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PER_CLASS = arg('images', 10);
const EPOCHS = arg('epochs', 5);
const PORT = 4391;
const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu', 'auto'];

const executablePath = await findBrowser();
if (!executablePath) {
  console.error('No Chromium found; see README (Quick start).');
  process.exit(1);
}

function makeFolder() {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-bench-')), 'bench');
  const sample = 'public/samples/fashion-target';
  for (const cls of ['Sneaker', 'Dress']) {
    mkdirSync(join(root, cls), { recursive: true });
    for (const f of readdirSync(join(sample, cls)).slice(0, PER_CLASS))
      copyFileSync(join(sample, cls, f), join(root, cls, f));
  }
  return root;
}

console.log('Building…');
if (spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' }).status !== 0)
  process.exit(1);
const server = spawn(
  'npx',
  ['vite', 'preview', '--port', String(PORT), '--strictPort', '--host', '127.0.0.1'],
  { stdio: 'ignore', detached: true },
);
const stopServer = () => {
  try {
    process.kill(-server.pid);
  } catch {
    /* already gone */
  }
};
process.on('exit', stopServer);
await new Promise((r) => setTimeout(r, 2500));

const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-quic',
    '--disable-background-networking',
  ],
});
const folder = makeFolder();

async function runOnce(page) {
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Train' }).click();
  await page
    .getByRole('status', { name: 'Validation accuracy' })
    .filter({ hasText: /%\s*chance/ })
    .waitFor({ timeout: 900_000 });
  const wall = Date.now() - t0;
  const t = page.getByTestId('timings');
  return {
    wall,
    featuresMs: Number(await t.getAttribute('data-features-ms')),
    headMs: Number(await t.getAttribute('data-head-ms')),
    text: await t.innerText(),
    accuracy: await page.getByRole('status', { name: 'Validation accuracy' }).innerText(),
  };
}

const rows = [];
for (const backend of BACKENDS) {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.getByRole('combobox', { name: 'Backend' }).selectOption(backend);
  const expected = backend === 'auto' ? /Backend: (webgpu|webgl|wasm|cpu)/ : `Backend: ${backend}`;
  const status = page.getByRole('status').filter({ hasText: expected });
  await status.waitFor({ timeout: 60_000 });
  const active = (await status.innerText()).replace(/\s+/g, ' ').trim();
  await page
    .getByRole('list', { name: 'Layers' })
    .getByRole('listitem')
    .first()
    .waitFor({ timeout: 60_000 });
  await page.getByLabel('Choose image folder').setInputFiles(folder);
  await page.getByRole('table', { name: 'Classes' }).waitFor();
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill(String(EPOCHS));
  const first = await runOnce(page);
  const cached = await runOnce(page);
  rows.push({ backend, active, first, cached });
  console.log(
    `${backend.padEnd(6)} ${active}\n        first run: ${first.text}\n        rerun:     ${cached.text}`,
  );
  await page.close();
}
await browser.close();
stopServer();

const base = rows.find((r) => r.backend === 'cpu');
const n = PER_CLASS * 2;
console.log(
  `\n${n} images (28×28 PNG → 224×224), MobileNetV2 features + softmax head, ${EPOCHS} epochs.`,
);
console.log(
  'Ratios are speed-ups over the pure-JS cpu backend in this same run (higher is faster).\n',
);
console.log(
  '| choice | what ran | features (s) | head (s) | whole run (s) | run speed-up vs cpu | cached rerun (s) | rerun speed-up vs first run |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.active.replace(/^Backend: /, '')} | ${(r.first.featuresMs / 1000).toFixed(1)} | ${(r.first.headMs / 1000).toFixed(2)} | ${(r.first.wall / 1000).toFixed(1)} | ${(base.first.wall / r.first.wall).toFixed(2)}× | ${(r.cached.wall / 1000).toFixed(1)} | ${(r.first.wall / r.cached.wall).toFixed(1)}× |`,
  );
}
process.exit(0);
