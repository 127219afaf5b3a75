import { expect, test } from '@playwright/test';
import { finalAccuracy, startTraining, makeFolder, openStudio } from './helpers';

test('a picked folder becomes classes; a text file and a corrupt JPEG are skipped with reasons; training works', async ({
  page,
}) => {
  const folder = makeFolder(
    { Sneaker: 40, Dress: 40 },
    {
      'Sneaker/notes.txt': 'not a picture',
      'Dress/broken.jpg': new Uint8Array([0xff, 0xd8, 0xff, 0x00, 1, 2, 3, 4, 5]),
    },
  );
  await openStudio(page);
  await page.getByLabel('Choose image folder').setInputFiles(folder);

  const classes = page.getByRole('table', { name: 'Classes' });
  await expect(classes.getByRole('row')).toHaveCount(3);
  await expect(classes.getByRole('row', { name: /Sneaker/ })).toContainText('40');
  await expect(classes.getByRole('row', { name: /Dress/ })).toContainText('40');
  const skipped = page.getByRole('list', { name: 'Skipped files' }).getByRole('listitem');
  await expect(skipped).toHaveCount(2);
  await expect(skipped.filter({ hasText: 'notes.txt' })).toContainText('not an image (.txt)');
  await expect(skipped.filter({ hasText: 'broken.jpg' })).toContainText(
    'corrupt or unreadable image',
  );
  // Really on screen, not squeezed to nothing by the panel's layout.
  const box = await page.getByRole('list', { name: 'Skipped files' }).boundingBox();
  expect(box?.height ?? 0).toBeGreaterThan(20);

  // 48 training images: three steps per epoch, so give the head enough epochs.
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('20');
  await startTraining(page);
  // 16 validation images, 2 classes: a head that learned nothing scores 50 ± 12.5 pp
  // (binomial sd √(½·½/16)); 81.25% (13 of 16) is 2.5 sd above chance, reached by guessing
  // about once in 100 runs.
  expect(await finalAccuracy(page)).toBeGreaterThan(81);
});

test('a folder with one class explains why it cannot train, without crashing', async ({ page }) => {
  const folder = makeFolder({ Shirt: 5 });
  await openStudio(page);
  await page.getByLabel('Choose image folder').setInputFiles(folder);
  await expect(page.getByRole('alert')).toContainText('Only one class found ("Shirt")');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();

  // A proper folder afterwards works: nothing was left broken.
  await page.getByLabel('Choose image folder').setInputFiles(makeFolder({ Shirt: 3, Dress: 1 }));
  await expect(page.getByRole('alert')).toContainText('Class "Dress" has 1 image');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
});
