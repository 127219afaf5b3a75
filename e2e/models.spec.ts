import { expect, test } from '@playwright/test';
import { finalAccuracy, startTraining, openStudio } from './helpers';

test('a remote model with no network fails within seconds with a clear message, and the loaded model stays usable', async ({ page }) => {
  await openStudio(page);
  const picker = page.getByRole('combobox', { name: 'Model' });
  await picker.selectOption({ label: 'MobileNet v1 0.25 · tfjs models (remote)' });
  await expect(page.getByRole('alert')).toContainText(/Could not load the model from https:\/\/storage\.googleapis\.com\/.*MobileNetV2 1\.0 \(bundled\) is still loaded/, { timeout: 15_000 });
  await expect(picker).toHaveValue('mobilenet-v2');
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toBeVisible();
  // Still usable: load data and train a head.
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(20);
});

test('MobileNetV2 at 96 px: freeze up to block 16, fine-tune the top, train, and warn about a cut inside a block', async ({ page }) => {
  await openStudio(page);
  await page.getByRole('combobox', { name: 'Input size' }).selectOption('96');
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toContainText('48×48×32');
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);

  // A cut inside residual block 15 is flagged, with the nearest block boundary as the fix.
  await page.getByRole('combobox', { name: 'Take features from' }).selectOption('block_15_project_BN');
  const warnings = page.getByRole('list', { name: 'Plan warnings' });
  await expect(warnings).toContainText('cuts through a residual block');
  await warnings.getByRole('button', { name: /Use the block boundary block_15_add/ }).click();
  await expect(page.getByRole('combobox', { name: 'Take features from' })).toHaveValue('block_15_add');
  await page.getByRole('combobox', { name: 'Take features from' }).selectOption('flatten_1');

  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('block_16_project_BN');
  await expect(page.getByRole('combobox', { name: 'Mode for block_16_project', exact: true })).toHaveValue('frozen');
  await expect(page.getByRole('combobox', { name: 'Mode for Conv_1', exact: true })).toHaveValue('fine-tune');
  await page.getByRole('combobox', { name: 'Mode for Conv_1_bn' }).selectOption('reinit');
  await expect(page.getByRole('list', { name: 'Plan warnings' })).toHaveCount(0);

  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('0.0001');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(20);
  await expect(page.getByTestId('timings')).toContainText(/Frozen part \(\d+ layers\)/);
  await expect(page.getByTestId('timings')).toContainText(/network parameters \+ head/);
  const [before, after] = ((await page.getByTestId('tensor-check').innerText()).match(/\d+/g) ?? []).map(Number);
  expect(after).toBe(before);
  await expect(page.getByRole('figure', { name: 'Loss curve' }).locator('path.recharts-curve')).toHaveCount(2);
});
