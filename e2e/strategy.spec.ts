import { expect, test, type Page } from '@playwright/test';
import { ABOVE_CHANCE_5, finalAccuracy, openStudio, startTraining } from './helpers';

async function teachingWith(page: Page, sample: string): Promise<void> {
  await openStudio(page);
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'Teaching CNN · 28 px grey (bundled)' });
  await expect(page.getByRole('listitem', { name: 'conv5' })).toBeVisible();
  await page.getByRole('button', { name: `Load sample: ${sample}` }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
}

for (const sample of ['Fashion target', 'Digits']) {
  test(`the probe estimates a quadrant for the ${sample} sample and shows its evidence`, async ({
    page,
  }) => {
    await teachingWith(page, sample);
    await expect(page.getByText(/Smallest class: 40 images → small dataset/)).toBeVisible();
    await page.getByRole('button', { name: 'Estimate similarity' }).click();
    const verdict = page.getByTestId('similarity');
    await expect(verdict).toContainText(
      /(Similar|Different) domain: .*pretrained features score \d+\.\d% vs \d+\.\d% with random weights/,
      { timeout: 60_000 },
    );
    await expect(
      page.getByRole('figure', { name: 'Probe accuracy by layer' }).locator('path.recharts-curve'),
    ).toHaveCount(3);
    const estimated = page
      .getByRole('radiogroup', { name: 'Quadrant' })
      .locator('label', { hasText: 'estimated' });
    await expect(estimated).toHaveCount(1);
    console.log(`${sample}: ${await verdict.innerText()} → ${await estimated.innerText()}`);
    // The estimate is pre-selected and its plan applied; the user can overrule it.
    await expect(estimated.getByRole('radio')).toBeChecked();
    await expect(page.getByTestId('quadrant-reason')).toContainText('Applied:');
    await page.getByRole('spinbutton', { name: 'Epochs' }).fill('10');
    await startTraining(page);
    expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
  });
}

test('each quadrant applies its plan to the layer stack, and every field stays editable', async ({
  page,
}) => {
  await teachingWith(page, 'Fashion target');
  const mode = (layer: string) =>
    page.getByRole('combobox', { name: `Mode for ${layer}`, exact: true });
  const features = page.getByRole('combobox', { name: 'Take features from' });
  const quadrant = (name: string) =>
    page.getByRole('radiogroup', { name: 'Quadrant' }).getByRole('radio', { name });

  await quadrant('Small dataset, similar domain').check();
  for (const l of ['conv1', 'conv3', 'conv5']) await expect(mode(l)).toHaveValue('frozen');
  await expect(features).toHaveValue('global_pool');
  await expect(page.getByRole('spinbutton', { name: 'Learning rate', exact: true })).toHaveValue(
    '0.001',
  );

  await quadrant('Large dataset, similar domain').check();
  for (const l of ['conv1', 'conv3', 'conv5']) await expect(mode(l)).toHaveValue('fine-tune');
  await expect(page.getByRole('spinbutton', { name: 'Fine-tune learning rate' })).toHaveValue(
    '0.00001',
  );

  await quadrant('Small dataset, different domain').check();
  await expect(features).toHaveValue('conv3');
  await expect(mode('conv1')).toHaveValue('frozen');
  await expect(page.getByRole('listitem', { name: 'conv5' })).toContainText('cut away');
  await expect(page.getByTestId('quadrant-reason')).toContainText(/conv3/);

  await quadrant('Large dataset, different domain').check();
  await expect(features).toHaveValue('global_pool');
  for (const l of ['conv1', 'conv5']) await expect(mode(l)).toHaveValue('fine-tune');
  await expect(page.getByRole('spinbutton', { name: 'Fine-tune learning rate' })).toHaveValue(
    '0.0001',
  );

  // Still editable after a quadrant applied its plan.
  await mode('conv1').selectOption('frozen');
  await expect(mode('conv1')).toHaveValue('frozen');
  await expect(quadrant('Large dataset, different domain')).toBeChecked();
});
