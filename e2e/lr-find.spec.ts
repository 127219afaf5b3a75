import { expect, test } from '@playwright/test';
import { openTeaching } from './helpers';

test('Find learning rate on the teaching CNN: loss against rate for the head and fine-tuned layers, suggestions that fill the rate fields', async ({
  page,
}) => {
  await openTeaching(page);
  await page
    .getByRole('combobox', { name: 'Mode for conv5', exact: true })
    .selectOption('fine-tune');
  await page.getByRole('button', { name: 'Find learning rate' }).click();
  const region = page.getByRole('region', { name: 'Loss vs learning rate' });
  await expect(region).toBeVisible({ timeout: 60_000 });
  // Head and fine-tune sweeps: each a smoothed curve and its batch losses.
  await expect(
    region.getByRole('figure', { name: 'Loss vs learning rate' }).locator('path.recharts-curve'),
  ).toHaveCount(4);
  const text = await region.innerText();
  const head = /Learning rate \(head\): (\d(?:\.\d)?e-\d+)/.exec(text)?.[1];
  const fineTune = /Fine-tune learning rate: (\d(?:\.\d)?e-\d+|no suggestion)/.exec(text)?.[1];
  console.log(`suggested: head ${head}, fine-tune ${fineTune}`);
  expect(head).toBeTruthy();
  expect(fineTune).toBeTruthy();
  const fineTuneField = page.getByRole('spinbutton', { name: 'Fine-tune learning rate' });
  const fineTuneBefore = await fineTuneField.inputValue();
  await region.getByRole('button', { name: 'Use suggested rates' }).click();
  const field = page.getByRole('spinbutton', { name: 'Learning rate', exact: true });
  expect(Number(await field.inputValue())).toBe(Number(head));
  expect(await fineTuneField.inputValue()).toBe(
    fineTune === 'no suggestion' ? fineTuneBefore : String(Number(fineTune)),
  );
  // Training can start again.
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});
