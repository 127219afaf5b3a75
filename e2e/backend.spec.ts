import { expect, test } from '@playwright/test';
import { openStudio } from './helpers';

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
