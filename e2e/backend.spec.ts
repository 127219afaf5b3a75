import { expect, test } from '@playwright/test';
import { linkSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ABOVE_CHANCE_5, finalAccuracy, openStudio, startTraining } from './helpers';

test('the worker runs on webgpu when the browser offers it, and the Backend override switches to webgl', async ({
  page,
}) => {
  await openStudio(page);
  const status = page.getByRole('status').filter({ hasText: 'Backend:' });
  // Chromium runs with --enable-unsafe-webgpu in these tests, so auto picks webgpu first.
  await expect(status).toContainText('Backend: webgpu');

  await page.getByRole('combobox', { name: 'Backend' }).selectOption('webgl');
  await expect(status).toContainText('Backend: webgl');
  await expect(status).not.toContainText('webgpu');

  await page.getByRole('combobox', { name: 'Backend' }).selectOption('cpu');
  await expect(status).toContainText('Backend: cpu');
});

test('the studio is cross-origin isolated, so wasm runs on one thread per core (at most 8) and says so', async ({
  page,
}) => {
  await openStudio(page);
  expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.getByRole('combobox', { name: 'Backend' }).selectOption('wasm');
  const status = page.getByRole('status').filter({ hasText: 'Backend: wasm' });
  const expected = Math.min(cores, 8);
  await expect(status).toContainText(`wasm: ${expected} ${expected === 1 ? 'thread' : 'threads'}`);
  await expect(status).not.toContainText('not cross-origin isolated');
  // The frozen network's pass is shared among one helper worker per core (at most 4).
  if (cores > 1) await expect(status).toContainText(`features on ${Math.min(cores, 4)} workers`);
  else await expect(status).not.toContainText('features on');
});

test('a pass over 400 images is shared among one helper worker per core, and the run says so', async ({
  page,
}) => {
  // The digits sample's 200 images, each a second time under another name: 400 in all.
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-digits-')), 'digits');
  for (const c of readdirSync('public/samples/digits', { withFileTypes: true })) {
    if (!c.isDirectory()) continue;
    mkdirSync(join(root, c.name), { recursive: true });
    for (const f of readdirSync(join('public/samples/digits', c.name)))
      for (const copy of ['a', 'b'])
        linkSync(join('public/samples/digits', c.name, f), join(root, c.name, `${copy}-${f}`));
  }
  await openStudio(page);
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'Teaching CNN · 28 px grey (bundled)' });
  await expect(page.getByRole('listitem', { name: 'conv5' })).toBeVisible();
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  await page.getByLabel('Choose image folder').setInputFiles(root);
  await expect(page.getByRole('status', { name: 'Memory' })).toContainText('400 ×', {
    timeout: 60_000,
  });
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('12');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
  const timings = page.getByTestId('timings');
  const helpers = cores > 1 ? Math.min(cores, 4) : 0;
  await expect(timings).toHaveAttribute('data-features-workers', String(helpers));
  if (helpers > 1) await expect(timings).toContainText(`on wasm in ${helpers} workers`);
});
