import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { finalAccuracy, openTeaching, startTraining } from './helpers';

const PYTHON = process.env.THAW_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, PIL'], { stdio: 'ignore' }).status === 0;

test('a training job exported from the studio runs on PyTorch with torchrun (2 processes), and its run comes back, compares and predicts the same classes', async ({
  page,
}) => {
  // Required, not skipped: the test command's machine has the runner's Python packages.
  expect(
    hasTorch,
    `${PYTHON} cannot import torch and PIL, which the PyTorch runner needs: sudo apt-get install -y python3-torch python3-pil (or set THAW_PYTHON)`,
  ).toBe(true);
  test.setTimeout(400_000);
  await openTeaching(page);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv4');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('0.0003');
  await startTraining(page);
  await finalAccuracy(page);

  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export training job' }).click();
  const zip = unzipSync(readFileSync(await (await downloading).path()));
  const root = mkdtempSync(join(tmpdir(), 'thaw-job-'));
  for (const [name, bytes] of Object.entries(zip)) {
    mkdirSync(dirname(join(root, 'job', name)), { recursive: true });
    writeFileSync(join(root, 'job', name), bytes);
  }
  const job = JSON.parse(readFileSync(join(root, 'job', 'job.json'), 'utf8'));
  expect(job).toMatchObject({
    format: 'thaw-training-job',
    modelId: 'teaching-cnn',
    inputSize: 28,
    channels: 1,
  });
  expect(job.modes.conv5).toBe('fine-tune');
  cpSync('public/samples/fashion-target', join(root, 'data'), { recursive: true });

  const run = spawnSync(
    PYTHON,
    [
      '-m',
      'torch.distributed.run',
      '--redirects',
      '1',
      '--tee',
      '1',
      '--standalone',
      '--nproc_per_node=2',
      'job/runner/train.py',
      '--job',
      'job',
      '--data',
      'data',
      '--out',
      'out',
    ],
    { cwd: root, encoding: 'utf8', timeout: 300_000 },
  );
  const log = `${run.stdout}\n${run.stderr}`;
  expect(run.status, log).toBe(0);
  const metrics = readFileSync(join(root, 'out', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { trainLoss: number; valAccuracy: number });
  expect(metrics.length).toBeGreaterThanOrEqual(2);
  expect(metrics.at(-1)!.trainLoss).toBeLessThan(metrics[0]!.trainLoss);
  const record = JSON.parse(readFileSync(join(root, 'out', 'run.json'), 'utf8'));
  expect(record.reference).not.toBeNull(); // the rebuilt network matched the browser's outputs
  expect(record.valAccuracy).toBeGreaterThan(0.35); // 5 classes: chance is 0.2

  await page
    .getByLabel('Import run')
    .setInputFiles([
      join(root, 'out', 'run.json'),
      join(root, 'out', 'model', 'model.json'),
      join(root, 'out', 'model', 'weights.bin'),
    ]);
  const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await expect(runs).toHaveCount(2);
  await expect(runs.nth(1)).toContainText('PyTorch (2 processes, cpu)');
  await page.getByRole('checkbox', { name: 'Select run #1' }).check();
  await page.getByRole('checkbox', { name: 'Select run #2' }).check();
  await page.getByRole('button', { name: 'Compare runs' }).click();
  await expect(page.getByRole('region', { name: 'Comparison' })).toContainText(
    'best val. / test accuracy',
  );

  // The imported run predicts in the studio what PyTorch predicted on the same images.
  const theirs = JSON.parse(readFileSync(join(root, 'out', 'predictions.json'), 'utf8')) as {
    path: string;
    predictedClass: string;
  }[];
  const panel = page.getByRole('region', { name: 'Predict' });
  await panel.getByRole('combobox', { name: 'Run to use' }).selectOption({ index: 2 });
  await expect(panel.getByRole('button', { name: 'Export model' })).toBeEnabled({
    timeout: 30_000,
  });
  // The same images under unique names (every class folder has a 000.png).
  const unique = (p: string) => p.split('/').slice(-2).join('-');
  mkdirSync(join(root, 'predict'));
  const files = theirs.map((p) => {
    const to = join(root, 'predict', unique(p.path));
    cpSync(join(root, 'data', p.path.split('/').slice(-2).join('/')), to);
    return to;
  });
  await panel.getByLabel('Choose images to predict').setInputFiles(files);
  const table = panel.getByRole('table', { name: 'Predictions' });
  await expect(table.getByRole('row')).toHaveCount(theirs.length + 1, { timeout: 60_000 });
  const ours = new Map(
    await table
      .getByRole('row')
      .evaluateAll((rows) =>
        rows
          .slice(1)
          .map((r) => [r.children[1]!.textContent!, r.children[2]!.textContent!] as const),
      ),
  );
  for (const p of theirs) expect(ours.get(unique(p.path)), p.path).toBe(p.predictedClass);
});
