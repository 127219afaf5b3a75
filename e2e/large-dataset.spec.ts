import { expect, test } from '@playwright/test';
import { linkSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalAccuracy, openStudio, startTraining } from './helpers';

/**
 * Five photo classes: a head that learned nothing scores 20 ± 8 pp on the sample's 28
 * validation images; the photo backbone's head scores 88 ± 6 % (docs/photo-accuracy.md).
 */
const PHOTO_FLOOR = 60;

/** `total` images repeating the photo sample under new names (hard links: no disk used). */
function manyPhotos(total: number): string {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-many-')), 'many photos');
  const classes = readdirSync('public/samples/photos', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({
      name: d.name,
      files: readdirSync(join('public/samples/photos', d.name)).filter((f) =>
        /\.(png|jpe?g)$/.test(f),
      ),
    }));
  for (let i = 0; i < total; i++) {
    const c = classes[i % classes.length]!;
    const k = Math.floor(i / classes.length);
    mkdirSync(join(root, c.name), { recursive: true });
    const file = c.files[k % c.files.length]!;
    linkSync(join('public/samples/photos', c.name, file), join(root, c.name, `${k}-${file}`));
  }
  return root;
}

test('past the memory budget the photos are kept in browser storage and train from there', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await openStudio(page);
  await page.getByLabel('Load sample: Photos').waitFor();
  // 141 photos at 224 px are 21 MB of pixels: past a 16 MB budget.
  await page.getByRole('button', { name: 'Load sample: Photos' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await page.getByRole('spinbutton', { name: 'Images in memory up to (MB)' }).fill('16');
  await page.getByRole('button', { name: 'Load sample: Photos' }).click();
  const memory = page.getByRole('status', { name: 'Memory' });
  await expect(memory).toHaveAttribute('data-images-where', 'storage', { timeout: 90_000 });
  await expect(page.getByRole('progressbar', { name: 'Reading images' })).toHaveCount(0, {
    timeout: 90_000,
  });
  await expect(memory).toContainText(
    "Images: 20 MB (141 × 224×224 RGB), more than the 16 MB kept in memory, so they are kept in this browser's storage and read one batch at a time.",
  );

  // Head only: the frozen network runs once per image, read from storage in batches.
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('4');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(PHOTO_FLOOR);

  // The top block fine-tuned with flips: nothing can be cached, every step reads its batch.
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('block_15_project_BN');
  await page.locator('summary', { hasText: 'Options:' }).click();
  await page.getByRole('checkbox', { name: 'Flip', exact: true }).check();
  await expect(memory).toContainText('on images read from storage');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  expect(await finalAccuracy(page, 240_000)).toBeGreaterThan(PHOTO_FLOOR);
});

test('reading a big folder can be cancelled; the dataset loaded before stays and trains', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const root = manyPhotos(3000);
  await openStudio(page);
  await page.getByRole('button', { name: 'Load sample: Photos' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await expect(page.getByRole('progressbar', { name: 'Reading images' })).toHaveCount(0);

  await page.getByLabel('Choose image folder').setInputFiles(root);
  const progress = page.getByRole('progressbar', { name: 'Reading images' });
  await expect(progress).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => Number(await progress.getAttribute('value')), { timeout: 60_000 })
    .toBeGreaterThan(20);
  // The cancel races the last of 3000 decodes only in theory; either way the studio must end
  // in one consistent state. Cancel, then see which side won — never a half-read mixture.
  const cancelled = await page
    .getByRole('button', { name: 'Cancel reading' })
    .click({ timeout: 5_000 })
    .then(
      () => true,
      () => false,
    );
  await expect(progress).toHaveCount(0, { timeout: 60_000 });
  const heading = page.getByRole('heading', { name: /^(Photos|many photos) ·/ });
  await expect(heading).toHaveCount(1);
  const kept = /^Photos ·/.test((await heading.textContent()) ?? '');
  const notice = page.getByRole('status', { name: 'Dataset notice' });
  if (kept) {
    await expect(notice).toHaveText(
      'Reading cancelled. The dataset loaded before ("Photos", 141 images) is still loaded.',
    );
    await expect(heading).toContainText('141 images');
  } else {
    // Reading finished before the click landed: the whole folder, and no word of a cancel.
    expect(cancelled, 'the folder was read in full although Cancel was clicked in time').toBe(
      false,
    );
    await expect(heading).toContainText('3000 images');
    await expect(notice).not.toHaveText(/cancelled/);
  }
  console.log(`cancel ${kept ? 'won' : 'lost'} the race with decoding`);
  const shown = (await heading.textContent()) ?? '';

  if (kept) {
    await page.getByRole('spinbutton', { name: 'Epochs' }).fill('4');
    await startTraining(page);
    expect(await finalAccuracy(page)).toBeGreaterThan(PHOTO_FLOOR);
  }

  // A reload brings back the dataset that was shown, not a half-read folder.
  await page.reload();
  await expect(page.getByRole('heading', { name: /^(Photos|many photos) ·/ })).toHaveText(shown, {
    timeout: 90_000,
  });
});
