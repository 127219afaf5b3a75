import { expect, test } from '@playwright/test';
import { ABOVE_CHANCE_5, finalAccuracy, startTraining, openStudio, useModel } from './helpers';

test('opens on the photo backbone: ImageNet MobileNetV2 α=0.35 with its provenance and pooled features', async ({
  page,
}) => {
  await openStudio(page);
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('mobilenet-v2-035');
  await expect(page.getByRole('combobox', { name: 'Take features from' })).toHaveValue(
    'global_average_pooling2d',
  );
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toContainText(
    '112×112×16',
  );
  await page.getByText('Where these weights come from').click();
  await expect(page.getByText(/byte-identical in 6 public exports/)).toBeVisible();
});

test('photo sample on the photo backbone: a head-only classifier far above chance, then the top block fine-tuned end to end', async ({
  page,
}) => {
  await openStudio(page);
  await page.getByRole('button', { name: 'Load sample: Photos' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('10');
  await startTraining(page);
  // 5 classes, chance 20%; pooled ImageNet features separate these photos at ≈90% (docs/photo-accuracy.md).
  expect(await finalAccuracy(page)).toBeGreaterThan(70);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('block_15_project_BN');
  await expect(
    page.getByRole('combobox', { name: 'Mode for block_16_project', exact: true }),
  ).toHaveValue('fine-tune');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(70);
  await expect(page.getByText(/network parameters \+ head/)).toBeVisible();
});

test('lists every layer of the bundled MobileNetV2 1.0 with its provenance', async ({ page }) => {
  await openStudio(page);
  await useModel(page, 'MobileNetV2 1.0 (bundled)', 'flatten_1');
  const layers = page.getByRole('list', { name: 'Layers' }).getByRole('listitem');
  expect(await layers.count()).toBeGreaterThan(150);
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toContainText('Conv2D');
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toContainText(
    '112×112×32',
  );
  await expect(page.getByRole('listitem', { name: 'flatten_1' })).toBeVisible();
  // The source model's head and its retrained top blocks are cut away: features come from
  // block 12, which beat flatten_1 on photos (docs/photo-accuracy.md).
  await expect(page.getByRole('listitem', { name: 'dense_3' })).toContainText('cut away');
  await expect(page.getByRole('combobox', { name: 'Take features from' })).toHaveValue(
    'block_12_add',
  );
  await expect(page.getByRole('combobox', { name: 'Mode for Conv1' })).toHaveValue('frozen');
  await expect(
    page.getByText(/ImageNet \(blocks 0–10\) \+ content-moderation retraining/),
  ).toBeVisible();
  await page.getByText('Where these weights come from').click();
  await expect(page.getByText(/Blocks 0–10 carry the original ImageNet weights/)).toBeVisible();
  await expect(page.getByText(/Its 5-class head \(dense_1…dense_3\) is dropped/)).toBeVisible();
});

test('trains a head on the bundled sample: live curve, accuracy above chance, no leaked tensors', async ({
  page,
}) => {
  await openStudio(page);
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  const classes = page.getByRole('table', { name: 'Classes' });
  await expect(classes.getByRole('row')).toHaveCount(6);
  await expect(classes).toContainText('Ankle boot');
  await expect(classes.getByRole('row', { name: /Pullover/ })).toContainText('40');

  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await startTraining(page);
  await expect(page.getByRole('button', { name: 'Stop' })).toBeEnabled();
  const accuracy = await finalAccuracy(page);
  expect(accuracy).toBeGreaterThan(20 + 15); // 5 classes: chance is 20%.

  const curve = page.getByRole('figure', { name: 'Loss curve' });
  await expect(curve.locator('svg').first()).toBeVisible();
  const paths = curve.locator('path.recharts-curve');
  await expect(paths).toHaveCount(2);
  const trainPath = (await paths.nth(0).getAttribute('d')) ?? '';
  // Many per-batch points: one line segment ("L") per point after the first.
  expect(trainPath.split(/[LC]/).length).toBeGreaterThan(10);
  await expect(page.getByRole('table', { name: 'Epochs' }).getByRole('row')).toHaveCount(4);
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toHaveAttribute(
    'value',
    '1',
  );

  const tensors = await page.getByTestId('tensor-check').innerText();
  const [before, after] = (tensors.match(/\d+/g) ?? []).map(Number);
  expect(after).toBe(before);
  await page.screenshot({ path: 'test-results/studio-trained.png' });
});

test('Stop mid-run keeps the curve so far, and a second run reuses the cached features', async ({
  page,
}) => {
  await openStudio(page);
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('500');
  await startTraining(page);
  const epochRows = page.getByRole('table', { name: 'Epochs' }).getByRole('row');
  await expect.poll(() => epochRows.count(), { timeout: 120_000 }).toBeGreaterThanOrEqual(3);
  await page.getByRole('button', { name: 'Stop' }).click();
  const stopped = page.getByText(/Stopped after \d+ epochs?; the curve so far is kept/);
  await expect(stopped).toBeVisible();
  const epochsDone = Number(/after (\d+)/.exec(await stopped.innerText())?.[1]);
  expect(epochsDone).toBeGreaterThanOrEqual(2);
  expect(epochsDone).toBeLessThan(500);
  await expect(
    page.getByRole('figure', { name: 'Loss curve' }).locator('path.recharts-curve'),
  ).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();

  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
  // The frozen part was not run again: its features came from the cache.
  await expect(page.getByTestId('timings')).toContainText('from cache');
  await expect(page.getByTestId('timings')).toHaveAttribute('data-features-ms', '0');
});
