import { expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { finalAccuracy, openStudio, startTraining } from './helpers';

test('a saved project opens on a fresh browser with its dataset, runs and trained weights; a foreign file gets a clear message', async ({
  page,
  browser,
}) => {
  await openStudio(page);
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'Teaching CNN · 28 px grey (bundled)' });
  await expect(page.getByRole('listitem', { name: 'conv5' })).toBeVisible();
  await page.getByRole('button', { name: 'Load sample: Digits' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await startTraining(page);
  await finalAccuracy(page);
  const saving = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save project' }).click();
  const file = await (await saving).path();

  // Another machine: a new browser profile with nothing stored.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await openStudio(fresh);
  await expect(fresh.getByRole('list', { name: 'Runs' })).toHaveCount(0);
  const bad = join(tmpdir(), 'not-a-project.zip');
  writeFileSync(bad, 'hello');
  await fresh.getByLabel('Open project').setInputFiles(bad);
  await expect(fresh.getByRole('alert').filter({ hasText: 'not-a-project.zip' })).toContainText(
    'not a Thaw project',
  );
  await fresh.getByLabel('Open project').setInputFiles(file);
  await expect(fresh.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(1);
  await expect(fresh.getByRole('combobox', { name: 'Model' })).toHaveValue('teaching-cnn');
  await expect(fresh.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await expect(fresh.getByRole('table', { name: 'Classes' })).toContainText('40');
  // The trained weights came too: the run predicts.
  const panel = fresh.getByRole('region', { name: 'Predict' });
  await panel.getByRole('combobox', { name: 'Run to use' }).selectOption({ index: 1 });
  await expect(panel.getByRole('button', { name: 'Export model' })).toBeEnabled({
    timeout: 30_000,
  });
  await context.close();
});
