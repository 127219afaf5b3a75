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
