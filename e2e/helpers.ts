import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Opens the studio and waits until the backend is up and the model's layers are listed. */
export async function openStudio(page: Page): Promise<void> {
  await page.goto('/');
  await expect(
    page.getByRole('status').filter({ hasText: /Backend: (webgpu|webgl|wasm|cpu)/ }),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    page.getByRole('list', { name: 'Layers' }).getByRole('listitem').first(),
  ).toBeVisible({ timeout: 60_000 });
}

/** Clicks Train and waits until this new run has started. */
export async function startTraining(page: Page): Promise<void> {
  const status = page.getByRole('status', { name: 'Validation accuracy' });
  const previous = (await status.getAttribute('data-run')) ?? '';
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(status).not.toHaveAttribute('data-run', previous);
}

/**
 * Lowest validation accuracy (%) a working 5-class head must beat: chance is 20%, and a
 * head that learned nothing scores 20 ± 6 pp on the samples' 40 validation images
 * (binomial sd √(0.2·0.8/40)); 35 is 2.5 sd above chance, so a broken head fails it.
 */
export const ABOVE_CHANCE_5 = 35;

/** Selects a model in the picker and waits until its layers are listed. */
export async function useModel(page: Page, label: string, firstLayer: string): Promise<void> {
  await page.getByRole('combobox', { name: 'Model' }).selectOption({ label });
  await expect(page.getByRole('listitem', { name: firstLayer, exact: true })).toBeVisible({
    timeout: 60_000,
  });
}

/** Reads the percentage shown in the `Validation accuracy` status once the current run finished. */
export async function finalAccuracy(page: Page, timeout = 180_000): Promise<number> {
  const status = page.getByRole('status', { name: 'Validation accuracy' });
  await expect(status).toHaveAttribute('data-phase', /^(done|stopped)$/, { timeout });
  await expect(status).toHaveText(/^Validation accuracy\s*\d+(\.\d+)?%/, { timeout });
  const text = await status.innerText();
  const value = Number(/([\d.]+)%/.exec(text)?.[1]);
  console.log(`${test.info().title}: validation accuracy ${value}%`);
  return value;
}

/**
 * Builds a folder like a user's: `<root>/<class>/…` with real images copied from the
 * bundled sample, plus whatever extra files a test wants (name → bytes or text).
 */
export function makeFolder(
  classes: Record<string, number>,
  extra: Record<string, string | Uint8Array> = {},
): string {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-e2e-')), 'my-photos');
  for (const [name, count] of Object.entries(classes)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < count; i++) {
      const file = `${String(i).padStart(3, '0')}.png`;
      copyFileSync(join('public/samples/fashion-target', name, file), join(root, name, file));
    }
  }
  for (const [rel, content] of Object.entries(extra)) writeFileSync(join(root, rel), content);
  return root;
}

/** Opens the studio on the teaching CNN with a bundled sample loaded. */
export async function openTeaching(page: Page, sample = 'Fashion target'): Promise<void> {
  await openStudio(page);
  await page
    .getByRole('combobox', { name: 'Model' })
    .selectOption({ label: 'Teaching CNN · 28 px grey (bundled)' });
  await expect(page.getByRole('listitem', { name: 'conv5' })).toBeVisible();
  await page.getByRole('button', { name: `Load sample: ${sample}` }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).not.toHaveCount(0);
  await expect(page.getByRole('progressbar', { name: 'Reading images' })).toHaveCount(0);
}
