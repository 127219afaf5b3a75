import { expect, test } from '@playwright/test';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { finalAccuracy, openStudio, startTraining } from './helpers';

test('a saved project opens on a fresh browser with its dataset, runs and trained weights; a tampered or foreign file gets a clear message and changes nothing', async ({
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

  // The same project with its parameters edited by hand: refused with a sentence, nothing applied.
  const entries = unzipSync(new Uint8Array(readFileSync(file)));
  const json = JSON.parse(strFromU8(entries['project.json']!));
  json.settings.params = { ...json.settings.params, learningRate: 1e9, epochs: -5, batchSize: 0 };
  entries['project.json'] = strToU8(JSON.stringify(json));
  const tampered = join(tmpdir(), 'tampered.thaw.zip');
  writeFileSync(tampered, zipSync(entries));
  const learningRate = page.getByRole('spinbutton', { name: 'Learning rate', exact: true });
  const before = await learningRate.inputValue();
  await page.getByLabel('Open project').setInputFiles(tampered);
  const refusal = page.getByRole('alert').filter({ hasText: 'tampered.thaw.zip' });
  await expect(refusal).toContainText(
    '"project.json": settings.params.learningRate must be between 1e-7 and 10 (got 1000000000).',
  );
  await expect(refusal).toContainText('It has 2 more problems.');
  await expect(learningRate).toHaveValue(before);
  await expect(page.getByRole('spinbutton', { name: 'Epochs' })).toHaveValue('3');
  await expect(page.getByRole('spinbutton', { name: 'Batch size' })).toHaveValue('16');
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(1);

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
