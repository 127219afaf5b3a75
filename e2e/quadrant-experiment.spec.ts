import { expect, test } from '@playwright/test';
import { makeFolder, openStudio } from './helpers';

test('the quadrant experiment trains the applied plan, the textbook plan and the recipe on the loaded data, then compares them with a verdict', async ({
  page,
}) => {
  // A tiny dataset keeps it short: three Fashion target classes, ten images each.
  await openStudio(page);
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'Teaching CNN · 28 px grey (bundled)' });
  await expect(page.getByRole('listitem', { name: 'conv5' })).toBeVisible();
  await page
    .getByLabel('Choose image folder')
    .setInputFiles(makeFolder({ Sneaker: 10, Dress: 10, Shirt: 10 }));
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(4);
  await expect(page.getByRole('progressbar', { name: 'Reading images' })).toHaveCount(0);
  await page
    .getByRole('radiogroup', { name: 'Quadrant' })
    .getByRole('radio', { name: 'Large dataset, different domain' })
    .check();
  // Every run stops at the first epoch that does not improve (the heads would train up to 50).
  await page.getByRole('spinbutton', { name: 'Patience' }).fill('1');
  const experiment = page.getByRole('region', { name: 'Quadrant experiment' });
  await experiment.getByRole('spinbutton', { name: 'Seeds per plan' }).fill('2');
  await experiment.getByRole('spinbutton', { name: 'Fine-tuning epochs at most' }).fill('3');
  // The textbook plan for this quadrant (every layer fine-tuned) is not the recipe: ≥ 2 plans.
  const plans = experiment
    .getByRole('list', { name: 'Plans in the experiment' })
    .getByRole('listitem');
  const arms = await plans.count();
  expect(arms).toBeGreaterThanOrEqual(2);
  await expect(plans.filter({ hasText: "Teachable Machine's recipe" })).toHaveCount(1);
  await expect(plans.filter({ hasText: 'Textbook plan' })).toHaveCount(1);

  await experiment.getByRole('button', { name: 'Quadrant experiment', exact: true }).click();
  await expect(
    experiment.getByRole('progressbar', { name: 'Quadrant experiment progress' }),
  ).toBeVisible();
  await expect(experiment.getByRole('button', { name: 'Stop experiment' })).toBeEnabled();
  const status = experiment.getByRole('status', { name: 'Quadrant experiment status' });
  await expect(status).toContainText(`of ${arms * 2}`);
  await expect(status).toContainText('finished in', { timeout: 150_000 });
  await expect(status).toContainText(`${arms * 2} / ${arms * 2} runs`);
  console.log('quadrant experiment:', await status.innerText());

  // A verdict per plan against the applied plan, from the two paired seeds.
  const verdict = experiment.getByRole('table', { name: 'Quadrant experiment verdict' });
  await expect(verdict.getByRole('row')).toHaveCount(arms + 1);
  const judged = verdict.locator('tbody tr:not([data-verdict="reference"])');
  await expect(judged).toHaveCount(arms - 1);
  for (const row of await judged.all())
    await expect(row.getByRole('cell').nth(2)).toHaveText(/^(Better|Within noise|Worse)$/);
  console.log(await verdict.innerText());

  // The plans side by side in Comparison, one column per plan; every run an ordinary run.
  const comparison = experiment.getByRole('region', { name: 'Comparison' });
  await expect(comparison.getByRole('columnheader')).toHaveCount(arms + 1);
  await expect(comparison.getByRole('columnheader', { name: /recipe \(seed/ })).toHaveCount(1);
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem')).toHaveCount(
    arms * 2,
  );
  await expect(experiment.getByRole('button', { name: 'Stop experiment' })).toBeDisabled();
});
