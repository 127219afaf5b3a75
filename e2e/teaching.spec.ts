import { expect, test, type Page } from '@playwright/test';
import { ABOVE_CHANCE_5, finalAccuracy, startTraining, openTeaching } from './helpers';

const mode = (page: Page, layer: string) =>
  page.getByRole('combobox', { name: `Mode for ${layer}`, exact: true });

test('teaching CNN: its card, every layer, a mix of modes set in the UI trains with a live curve', async ({
  page,
}) => {
  await openTeaching(page);
  await page.getByText('Where these weights come from').click();
  await expect(
    page.getByText(/Measured: \d+\.\d% accuracy on \d+ held-out source test images/),
  ).toBeVisible();
  await expect(page.getByRole('listitem', { name: 'head' })).toContainText('cut away');
  await expect(page.getByRole('listitem', { name: 'pool1' })).toContainText('passive');

  await mode(page, 'conv1').selectOption('frozen');
  await mode(page, 'conv2').selectOption('fine-tune');
  await mode(page, 'conv3').selectOption('reinit');
  await mode(page, 'conv5').selectOption('fine-tune');
  await expect(
    page.getByRole('img', { name: /Parameters: .* frozen, .* fine-tuned, .* re-initialized/ }),
  ).toBeVisible();
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('6');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('0.0003');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
  await expect(
    page.getByRole('figure', { name: 'Loss curve' }).locator('path.recharts-curve'),
  ).toHaveCount(2);
  // The drift meter shows how far the trained layers moved; frozen ones have none.
  await expect(page.getByLabel(/Drift of conv2: \d/)).toBeVisible();
  await expect(page.getByLabel(/Drift of conv1:/)).toHaveCount(0);
  await expect(page.getByRole('table', { name: 'Confusion matrix' })).toBeVisible();
  const [before, after] = (
    (await page.getByTestId('tensor-check').innerText()).match(/\d+/g) ?? []
  ).map(Number);
  expect(after).toBe(before);
});

test('two freeze depths and the linear SVM head each train above chance on the target sample', async ({
  page,
}) => {
  await openTeaching(page);
  const results: Record<string, number> = {};
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('8');
  // Depth 1: everything frozen (features only). Depth 2: conv1–conv2 frozen, the rest fine-tuned.
  await startTraining(page);
  results.allFrozen = await finalAccuracy(page);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv2');
  await expect(mode(page, 'conv3')).toHaveValue('fine-tune');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('0.001');
  await startTraining(page);
  results.frozenToConv2 = await finalAccuracy(page);
  await page.getByText(/^Options:/).click();
  await page.getByRole('combobox', { name: 'Classifier head' }).selectOption('svm');
  await startTraining(page);
  results.svm = await finalAccuracy(page);
  console.log('teaching CNN, Fashion target, validation accuracy %:', JSON.stringify(results));
  const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
  await expect(runs).toHaveCount(3);
  await expect(runs.nth(0)).toContainText('5/5 frozen');
  await expect(runs.nth(1)).toContainText('2/5 frozen, 3 fine-tuned');
  await expect(runs.nth(2)).toContainText('SVM');
  for (const value of Object.values(results)) expect(value).toBeGreaterThan(20 + 15);
});

test('a huge learning rate ends the run with the divergence message, and the studio stays usable', async ({
  page,
}) => {
  await openTeaching(page);
  for (const layer of ['conv1', 'conv2', 'conv3', 'conv4', 'conv5'])
    await mode(page, layer).selectOption('fine-tune');
  await page.getByText(/^Options:/).click();
  await page.getByRole('combobox', { name: 'Optimizer' }).selectOption('sgd');
  // Out of range is shown, not silently dropped.
  await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).fill('10000');
  await expect(
    page.getByRole('spinbutton', { name: 'Learning rate', exact: true }),
  ).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('from 1e-7 to 10')).toBeVisible();
  await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).fill('10');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('10');
  await startTraining(page);
  await expect(page.getByRole('alert')).toContainText(
    /loss diverged: .* the fine-tune learning rate 10 is (far|probably) too high\. Lower the learning rate \(try 0\.01\)/,
  );
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
  await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).fill('0.001');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('0.001');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
});
