import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { finalAccuracy, openStudio, openTeaching, startTraining } from './helpers';

const runs = (page: Page) => page.getByRole('list', { name: 'Runs' }).getByRole('listitem');

test('two runs at different depths survive a reload, open again with their curves, and compare side by side', async ({
  page,
}) => {
  await openTeaching(page);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('4');
  await startTraining(page);
  await finalAccuracy(page);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv2');
  await startTraining(page);
  await finalAccuracy(page);
  await expect(runs(page)).toHaveCount(2);
  await expect(page.getByRole('status').filter({ hasText: 'Stored:' })).toContainText(/\d/);

  await page.reload();
  await expect(runs(page)).toHaveCount(2, { timeout: 30_000 });
  await expect(runs(page).nth(0)).toContainText('5/5 frozen');
  await expect(runs(page).nth(1)).toContainText('2/5 frozen');
  // The studio is where it was left: same model, same dataset, same plan.
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('teaching-cnn');
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6, {
    timeout: 30_000,
  });
  await expect(page.getByRole('combobox', { name: 'Mode for conv3', exact: true })).toHaveValue(
    'fine-tune',
  );

  await runs(page).nth(0).getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('table', { name: 'Confusion matrix' })).toBeVisible();
  await expect(
    page.getByRole('figure', { name: 'Loss curve' }).locator('path.recharts-curve'),
  ).toHaveCount(2);
  await expect(page.getByRole('status', { name: 'Validation accuracy' })).toContainText('%');

  await page.getByRole('checkbox', { name: 'Select run #1' }).check();
  await page.getByRole('checkbox', { name: 'Select run #2' }).check();
  await page.getByRole('button', { name: 'Compare runs' }).click();
  const comparison = page.getByRole('region', { name: 'Comparison' });
  await expect(comparison.getByRole('table', { name: 'Differences' })).toContainText(
    'Layers frozen',
  );
  await expect(comparison.getByRole('table', { name: 'Differences' })).toContainText('5/5');
  await expect(comparison.getByRole('table', { name: /Confusion matrix of #/ })).toHaveCount(2);
  await expect(comparison.locator('path.recharts-curve')).toHaveCount(4);

  // Use this plan again: the first run's plan (all frozen) comes back.
  await runs(page).nth(0).getByRole('button', { name: 'Use this plan again' }).click();
  await expect(page.getByRole('combobox', { name: 'Mode for conv3', exact: true })).toHaveValue(
    'frozen',
  );
  await runs(page).nth(1).getByRole('button', { name: 'Delete run #2' }).click();
  await expect(runs(page)).toHaveCount(1);
});

test('a reload in the middle of a run lists it as interrupted with its curve so far', async ({
  page,
}) => {
  await openTeaching(page);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv1');
  await page.getByRole('checkbox', { name: 'Early stopping' }).uncheck();
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('300');
  await startTraining(page);
  await expect
    .poll(() => page.getByRole('table', { name: 'Epochs' }).getByRole('row').count(), {
      timeout: 60_000,
    })
    .toBeGreaterThan(2);
  await page.reload();
  await expect(runs(page)).toHaveCount(1, { timeout: 30_000 });
  await expect(runs(page).first()).toContainText('interrupted');
  await expect(runs(page).first()).not.toContainText(' 0 ep');
});

test('a freeze-depth sweep (3 depths × 2 seeds) on the teaching CNN draws accuracy against depth with error bars', async ({
  page,
}) => {
  await openTeaching(page);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  const sweep = page.getByRole('region', { name: 'Freeze-depth sweep' });
  await sweep.getByText(/Depths: /).click();
  for (const depth of ['conv1', 'conv3', 'pool2'])
    await sweep.getByRole('checkbox', { name: `Depth ${depth}` }).uncheck();
  await sweep.getByRole('spinbutton', { name: 'Seeds per depth' }).fill('2');
  await sweep.getByRole('button', { name: 'Freeze-depth sweep' }).click();
  await expect(sweep.getByText(/6 \/ 6 runs/)).toBeVisible({ timeout: 240_000 });
  await expect(sweep.getByText(/finished in \d+ s/)).toBeVisible();
  const chart = page.getByRole('figure', { name: 'Accuracy vs freeze depth' });
  await expect(chart.locator('.recharts-errorBar').first()).toBeVisible();
  const rows = page.getByRole('table', { name: 'Sweep results' }).getByRole('row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(1)).toContainText('nothing frozen');
  await expect(rows.nth(3)).toContainText('all frozen');
  await expect(runs(page)).toHaveCount(6);
});

test('a run exports to an experiment file, and importing it elsewhere applies its plan and warns when the data differs', async ({
  page,
}) => {
  await openTeaching(page);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv2');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  await finalAccuracy(page);
  await page.getByRole('checkbox', { name: 'Select run #1' }).check();
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export experiment' }).click();
  const path = await (await downloading).path();
  const exp = JSON.parse(readFileSync(path, 'utf8'));
  expect(exp).toMatchObject({ format: 'thaw-experiment', kind: 'run', modelId: 'teaching-cnn' });
  expect(exp.plan.modes.conv3).toBe('fine-tune');
  expect(exp.dataset.files).toHaveLength(200);
  expect(exp.dataset.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);

  // Someone else, with other data: the plan comes back, with a warning about the data.
  const other = await page.context().browser()!.newPage();
  await openStudio(other);
  await other.getByRole('button', { name: 'Load sample: Digits' }).click();
  await expect(other.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await other.getByLabel('Import experiment').setInputFiles(path);
  await expect(other.getByRole('combobox', { name: 'Model' })).toHaveValue('teaching-cnn');
  await expect(other.getByRole('combobox', { name: 'Mode for conv3', exact: true })).toHaveValue(
    'fine-tune',
    { timeout: 30_000 },
  );
  await expect(other.getByRole('alert').filter({ hasText: /data differs/ })).toContainText(
    '200 of the experiment',
  );
  await other.close();
});
