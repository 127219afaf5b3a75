// The same training job per epoch in the browser (its fastest backend, Auto) and on the
// PyTorch runner with 1 and 2 processes on this machine's CPU, as ratios measured in one
// run. Job: the teaching CNN, conv5 fine-tuned, on the bundled Fashion target sample
// (200 images). Writes bench/runner-<date>.json and .md.
//   node scripts/bench-runner.mjs [--epochs 6] [--reps 3]
import { chromium } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { findBrowser } from './find-browser.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EPOCHS = arg('epochs', 6);
const REPS = arg('reps', 3);
const PORT = 4471;
const PYTHON = process.env.THAW_PYTHON ?? '/usr/bin/python3';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs) => [Math.min(...xs), Math.max(...xs)];

if (spawnSync(PYTHON, ['-c', 'import torch, PIL'], { stdio: 'ignore' }).status !== 0) {
  console.error(
    `${PYTHON} cannot import torch and PIL: sudo apt-get install -y python3-torch python3-pil`,
  );
  process.exit(1);
}

const out = 'dist-bench-runner';
if (
  spawnSync('npx', ['vite', 'build', '--logLevel', 'warn', '--outDir', out], { stdio: 'inherit' })
    .status
)
  process.exit(1);
const server = spawn(
  'npx',
  ['vite', 'preview', '--outDir', out, '--port', String(PORT), '--strictPort'],
  {
    stdio: 'ignore',
  },
);
await new Promise((r) => setTimeout(r, 3000));

const browser = await chromium.launch({
  executablePath: await findBrowser(),
  args: [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-quic',
    '--disable-background-networking',
  ],
});
const root = mkdtempSync(join(tmpdir(), 'thaw-bench-runner-'));
const browserEpochMs = [];
let backend = '';
try {
  const page = await browser.newPage({ acceptDownloads: true });
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page
    .getByRole('status')
    .filter({ hasText: /Backend: / })
    .waitFor({ timeout: 120_000 });
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'Teaching CNN · 28 px grey (bundled)' });
  await page.getByRole('listitem', { name: 'conv5' }).waitFor();
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await page.getByRole('table', { name: 'Classes' }).getByRole('row').nth(5).waitFor();
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv4');
  await page.getByRole('checkbox', { name: 'Early stopping' }).uncheck();
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill(String(EPOCHS));
  for (let r = 0; r < REPS + 1; r++) {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const timings = page.getByTestId('timings');
    await page
      .getByRole('status', { name: 'Validation accuracy' })
      .and(page.locator('[data-phase="done"]'))
      .waitFor({ timeout: 300_000 });
    const ms = Number(await timings.getAttribute('data-head-ms'));
    backend =
      (await timings.innerText())
        .match(/on (\w+)/g)
        ?.at(-1)
        ?.slice(3) ?? '';
    if (r > 0) browserEpochMs.push(ms / EPOCHS); // the first run warms the backend up
  }
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export training job' }).click();
  const zip = unzipSync(readFileSync(await (await download).path()));
  for (const [name, bytes] of Object.entries(zip)) {
    mkdirSync(dirname(join(root, 'job', name)), { recursive: true });
    writeFileSync(join(root, 'job', name), bytes);
  }
} finally {
  await browser.close();
  server.kill();
}

const jobPath = join(root, 'job', 'job.json');
const job = JSON.parse(readFileSync(jobPath, 'utf8'));
job.params.epochs = EPOCHS;
job.params.earlyStopping.enabled = false;
writeFileSync(jobPath, JSON.stringify(job));
cpSync('public/samples/fashion-target', join(root, 'data'), { recursive: true });

const runner = {};
for (const procs of [1, 2]) {
  runner[procs] = [];
  for (let r = 0; r < REPS; r++) {
    const outDir = join(root, `out-${procs}-${r}`);
    const res = spawnSync(
      PYTHON,
      [
        '-m',
        'torch.distributed.run',
        '--redirects',
        '1',
        '--tee',
        '1',
        `--nproc_per_node=${procs}`,
        'job/runner/train.py',
        '--job',
        'job',
        '--data',
        'data',
        '--out',
        outDir,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, OMP_NUM_THREADS: String(Math.max(1, 2 / procs)) },
      },
    );
    if (res.status !== 0) throw new Error(res.stdout + res.stderr);
    const seconds = JSON.parse(readFileSync(join(outDir, 'run.json'), 'utf8')).timings.epochSeconds;
    runner[procs].push(median(seconds.slice(1)) * 1000); // steady state: epoch 1 includes start-up
  }
}

const b = median(browserEpochMs);
const rows = [
  { engine: `browser (Auto → ${backend})`, samples: browserEpochMs, ratio: 1 },
  ...[1, 2].map((p) => ({
    engine: `PyTorch runner, ${p} process${p > 1 ? 'es' : ''} (gloo, CPU)`,
    samples: runner[p],
    ratio: b / median(runner[p]),
  })),
];
const date = new Date().toISOString().slice(0, 10);
const md = [
  `# The same job in the browser and on the PyTorch runner (${date})`,
  '',
  `Teaching CNN, conv5 fine-tuned (18.5 k parameters + head), Fashion target (200 images, 120 train), batch ${job.params.batchSize}, ${EPOCHS} epochs, early stopping off; ${REPS} repetitions each, median epoch time (runner: epochs 2–${EPOCHS}, start-up excluded; browser: the training loop over all epochs after a warm-up run). Machine: ${spawnSync('nproc').stdout.toString().trim()} cores. Command: \`node scripts/bench-runner.mjs --epochs ${EPOCHS} --reps ${REPS}\`.`,
  '',
  '| engine | ms per epoch (median) | min–max | speed vs browser |',
  '|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.engine} | ${median(r.samples).toFixed(0)} | ${spread(r.samples)
        .map((x) => x.toFixed(0))
        .join('–')} | ${r.ratio.toFixed(2)}× |`,
  ),
  '',
].join('\n');
mkdirSync('bench', { recursive: true });
writeFileSync(`bench/runner-${date}.md`, md);
writeFileSync(
  `bench/runner-${date}.json`,
  JSON.stringify({ date, epochs: EPOCHS, reps: REPS, rows }, null, 1),
);
console.log(md);
