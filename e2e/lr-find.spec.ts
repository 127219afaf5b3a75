import { expect, test } from '@playwright/test';
import { openTeaching } from './helpers';

test('Find learning rate on the teaching CNN: loss against rate, a suggested rate that fills the field', async ({
  page,
}) => {
  await openTeaching(page);
  await page.getByRole('button', { name: 'Find learning rate' }).click();
  const region = page.getByRole('region', { name: 'Loss vs learning rate' });
  await expect(region).toBeVisible({ timeout: 60_000 });
  // The head's sweep (the plan fine-tunes nothing): its smoothed curve and each step's loss.
  await expect(
    region.getByRole('figure', { name: 'Loss vs learning rate' }).locator('path.recharts-curve'),
  ).toHaveCount(2);
  const text = await region.innerText();
  expect(text).not.toContain('Fine-tune learning rate');
  const head = /Learning rate \(head\): (\d(?:\.\d)?e-\d+)/.exec(text)?.[1];
  console.log(`suggested head rate: ${head}`);
  expect(Number(head)).toBeGreaterThanOrEqual(1e-7);
  expect(Number(head)).toBeLessThanOrEqual(1);
  await region.getByRole('button', { name: 'Use suggested rates' }).click();
  const field = page.getByRole('spinbutton', { name: 'Learning rate', exact: true });
  expect(Number(await field.inputValue())).toBe(Number(head));
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled();
});
