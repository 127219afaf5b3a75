/**
 * Bad input: each case gets a clear message, and nothing already done is lost. Every test
 * opens its own studio (and loads the good images it needs first where it checks that they
 * are kept), so each one passes or fails on its own, in any order and in parallel.
 *
 * Covered elsewhere, not repeated here:
 * - one class only, and a class with one image: e2e/folder.spec.ts
 * - a text file and a corrupt JPEG in a picked folder: e2e/folder.spec.ts
 * - malformed model.json, a missing weight shard, a graph model: e2e/models.spec.ts
 * - a learning rate that diverges: e2e/teaching.spec.ts
 * - a reload in the middle of training: e2e/runs.spec.ts
 */
import { expect, test, type Page } from '@playwright/test';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createDeflate } from 'node:zlib';
import { finalAccuracy, openStudio, startTraining, useModel } from './helpers';

const FIXTURES = 'e2e/fixtures';
const TEACHING = 'Teaching CNN · 28 px grey (bundled)';

/** Three classes of 40 sample images each: 24 of the 120 are validation images (fraction 0.2). */
const THREE_CLASSES = { Sneaker: 40, Dress: 40, Shirt: 40 };
/**
 * Lowest validation accuracy (%) a working 3-class head reaches on those 24 images: chance
 * is 1/3, and a head that learned nothing scores 33 ± 9.6 pp (binomial sd √(⅓·⅔/24));
 * 58 is 2.5 sd above chance (33.3 + 24.1 = 57.4), a guessing head reaches it about once in 100 runs.
 */
const ABOVE_CHANCE_3 = 58;
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

/**
 * A folder `<root>/<class>/…` of real sample images (28×28 PNGs named 000.png, 001.png… in
 * every class), plus extra files by relative path; an extra `null` makes an empty folder.
 */
function folder(
  name: string,
  classes: Record<string, number>,
  extra: Record<string, string | Uint8Array | null> = {},
): string {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-bad-')), name);
  for (const [cls, count] of Object.entries(classes)) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < count; i++) {
      const file = `${String(i).padStart(3, '0')}.png`;
      const source = ['Sneaker', 'Dress', 'Shirt', 'Pullover', 'Ankle boot'].includes(cls)
        ? cls
        : 'Shirt';
      copyFileSync(join('public/samples/fashion-target', source, file), join(root, cls, file));
    }
  }
  for (const [rel, content] of Object.entries(extra)) {
    if (content === null) {
      mkdirSync(join(root, rel), { recursive: true });
      continue;
    }
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

/** A valid greyscale PNG of w×h pixels (a vertical gradient), streamed: never held whole in memory. */
async function bigPng(w: number, h: number): Promise<Buffer> {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const deflate = createDeflate({ level: 6 });
  const parts: Buffer[] = [];
  deflate.on('data', (d: Buffer) => parts.push(d));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  const row = Buffer.alloc(1 + w);
  for (let y = 0; y < h; y++) {
    row.fill(Math.floor((y / h) * 255), 1);
    row[0] = 0;
    if (!deflate.write(Buffer.from(row))) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await ended;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.concat(parts)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Picks the folder and waits until its images are read (the heading names it with its counts). */
async function load(page: Page, root: string): Promise<void> {
  await page.getByLabel('Choose image folder').setInputFiles(root);
  await expect(
    page.getByRole('heading', { name: new RegExp(`^${escape(basename(root))} ·`) }),
  ).toBeVisible({ timeout: 90_000 });
}

const classRow = (page: Page, name: string) =>
  page.getByRole('table', { name: 'Classes' }).getByRole('row', { name: new RegExp(escape(name)) });
const classRows = (page: Page) => page.getByRole('table', { name: 'Classes' }).getByRole('row');
const skippedItem = (page: Page, text: string) =>
  page.getByRole('list', { name: 'Skipped files' }).getByRole('listitem').filter({ hasText: text });
const skippedItems = (page: Page) =>
  page.getByRole('list', { name: 'Skipped files' }).getByRole('listitem');

test.describe.configure({ mode: 'parallel' });

test.beforeEach(async ({ page }) => {
  await openStudio(page);
});

test('a zero-byte file is listed as empty; the other images are used', async ({ page }) => {
  await load(page, folder('zero-byte', { Sneaker: 4, Dress: 4 }, { 'Dress/blank.png': '' }));
  await expect(skippedItem(page, 'blank.png')).toContainText('empty file');
  await expect(classRow(page, 'Dress')).toContainText('4');
  // What the worker holds for these images is on screen.
  await expect(page.getByRole('status', { name: 'Memory' })).toContainText(
    'images 1.1 MB (8 × 224×224 RGB). Frozen-prefix cache: 40 KB of the 768 MB budget (global_average_pooling2d, 1280 per image)',
  );
});

test('a JPEG cut short is listed as damaged, with its size', async ({ page }) => {
  await load(
    page,
    folder('truncated', { Sneaker: 4, Dress: 4 }, { 'Dress/cut.jpg': fixture('truncated.jpg') }),
  );
  await expect(skippedItem(page, 'cut.jpg')).toContainText(
    'corrupt or unreadable image (a 64×64 JPEG that is damaged or cut short)',
  );
  await expect(classRow(page, 'Dress')).toContainText('4');
});

test('a PNG with transparency, a greyscale JPEG and a CMYK JPEG are all used', async ({ page }) => {
  await load(
    page,
    folder(
      'colour-kinds',
      { Sneaker: 4, Dress: 4 },
      {
        'Sneaker/alpha.png': fixture('alpha.png'),
        'Sneaker/grey.jpg': fixture('grey.jpg'),
        'Dress/cmyk.jpg': fixture('cmyk.jpg'),
      },
    ),
  );
  await expect(classRow(page, 'Sneaker')).toContainText('6');
  await expect(classRow(page, 'Dress')).toContainText('5');
  await expect(page.getByText('Every file was used.')).toBeVisible();
});

test('SVG, HEIC and TIFF are listed with what to do; a HEIC named .jpg is caught by its contents', async ({
  page,
}) => {
  await load(
    page,
    folder(
      'formats',
      { Sneaker: 4, Dress: 4 },
      {
        'Sneaker/drawing.svg':
          '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="20"/></svg>',
        'Sneaker/iphone.heic': fixture('photo.heic'),
        'Dress/scan.tif': fixture('photo.tif'),
        'Dress/iphone-renamed.jpg': fixture('photo.heic'),
      },
    ),
  );
  await expect(skippedItem(page, 'drawing.svg')).toContainText(
    'unsupported image format (.svg); convert it to PNG or JPEG',
  );
  await expect(skippedItem(page, 'iphone.heic')).toContainText('unsupported image format (.heic)');
  await expect(skippedItem(page, 'scan.tif')).toContainText('unsupported image format (.tif)');
  await expect(skippedItem(page, 'iphone-renamed.jpg')).toContainText(
    'the file is a HEIC file, whatever its name',
  );
  await expect(classRow(page, 'Sneaker')).toContainText('4');
  await expect(classRow(page, 'Dress')).toContainText('4');
});

test('an 8000×8000 image is used without crashing the worker; a 30000×30000 one is refused as too large', async ({
  page,
}) => {
  await load(
    page,
    folder(
      'very-large',
      { Sneaker: 4, Dress: 4 },
      {
        'Sneaker/poster.png': await bigPng(8000, 8000),
        'Dress/bomb.png': await bigPng(30000, 30000),
      },
    ),
  );
  await expect(classRow(page, 'Sneaker')).toContainText('5');
  await expect(skippedItem(page, 'bomb.png')).toContainText(
    'too large to decode (30000×30000, 900 megapixels',
  );
  await expect(skippedItems(page)).toHaveCount(1);
});

test('unicode and spaces in class and file names are kept as they are', async ({ page }) => {
  const dress = 'Robe d’été 👗 (longue)';
  await load(
    page,
    folder(
      'noms accentués',
      { Sneaker: 3, [dress]: 3 },
      {
        [`${dress}/photo n°1 (copie).png`]: readFileSync(
          'public/samples/fashion-target/Dress/010.png',
        ),
      },
    ),
  );
  await expect(classRows(page)).toHaveCount(3);
  await expect(classRow(page, dress)).toContainText('4');
  await expect(page.getByRole('heading', { name: /^noms accentués ·/ })).toContainText(
    '7 images, 2 classes',
  );
});

test('deeply nested images belong to their top-level class; empty folders are not classes', async ({
  page,
}) => {
  await load(
    page,
    folder(
      'nested',
      { Sneaker: 3, Dress: 3 },
      {
        'Sneaker/a/b/c/d/e/f/g/h/i/j/deep.png': readFileSync(
          'public/samples/fashion-target/Sneaker/010.png',
        ),
        'Empty class': null,
        'Dress/empty sub-folder': null,
      },
    ),
  );
  await expect(classRows(page)).toHaveCount(3);
  await expect(classRow(page, 'Sneaker')).toContainText('4');
  await expect(classRow(page, 'Dress')).toContainText('3');
});

test('the same file name in two classes: both files are used', async ({ page }) => {
  // folder() names the images 000.png, 001.png… in every class.
  await load(page, folder('same-names', { Sneaker: 3, Dress: 3 }));
  await expect(classRow(page, 'Sneaker')).toContainText('3');
  await expect(classRow(page, 'Dress')).toContainText('3');
  await expect(page.getByText('Every file was used.')).toBeVisible();
});

test('a huge non-image file is skipped by its name; a large file of junk named .jpg by its contents', async ({
  page,
}) => {
  const root = folder(
    'huge-files',
    { Sneaker: 4, Dress: 4 },
    { 'Dress/holiday.mp4': '', 'Sneaker/junk.jpg': '' },
  );
  truncateSync(join(root, 'Dress/holiday.mp4'), 2 ** 30); // 1 GiB, sparse on disk
  truncateSync(join(root, 'Sneaker/junk.jpg'), 20 * 2 ** 20);
  await load(page, root);
  await expect(skippedItem(page, 'holiday.mp4')).toContainText('not an image (.mp4)');
  await expect(skippedItem(page, 'junk.jpg')).toContainText(
    'corrupt or unreadable image (the contents are not a known image format)',
  );
  await expect(classRow(page, 'Sneaker')).toContainText('4');
});

test('a folder with nothing usable says so and cannot train', async ({ page }) => {
  await load(
    page,
    folder('nothing-usable', {}, { 'Notes/readme.txt': 'hello', 'Notes/blank.png': '' }),
  );
  await expect(page.getByRole('alert')).toContainText('No usable images yet');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
});

test('a number out of range in any field: Train stays off, the field and the panel say why, and the run uses the fixed value', async ({
  page,
}) => {
  await load(page, folder('fields', { Sneaker: 6, Dress: 6 }));
  const train = page.getByRole('button', { name: 'Train', exact: true });
  const status = page.getByRole('status', { name: 'Validation accuracy' });
  await expect(train).toBeEnabled();
  await page.getByText(/^Options:/).click();
  const cases: [name: string, bad: string, why: RegExp, good: string][] = [
    ['Learning rate', '20', /Out of range: enter a number from 1e-7 to 10/, '0.001'],
    ['Fine-tune learning rate', '0', /Out of range: enter a number from 1e-9 to 10/, '0.00001'],
    ['Epochs', '0', /Out of range: enter a whole number from 1 to 500/, '2'],
    ['Epochs', '2.5', /Enter a whole number from 1 to 500/, '2'],
    ['Batch size', '5000', /Out of range: enter a whole number from 1 to 1024/, '32'],
    ['Patience', '0', /Out of range: enter a whole number from 1 to 100/, '5'],
    ['Conservation strength', '-1', /Out of range: enter a number from 0/, '0'],
    ['Output conservation', '-0.5', /Out of range: enter a number from 0/, '0'],
    ['Learning rate', '', /Enter a number from 1e-7 to 10/, '0.001'],
  ];
  const run = await status.getAttribute('data-run');
  for (const [name, bad, why, good] of cases) {
    const field = page.getByRole('spinbutton', { name, exact: true });
    await field.fill(bad);
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(field).toHaveAccessibleDescription(why);
    await expect(train).toBeDisabled();
    await expect(page.getByTestId('train-blocker')).toHaveText(
      `"${name}" is not valid — fix it to train.`,
    );
    // Even a click that reaches the button starts nothing.
    await train.dispatchEvent('click');
    await expect(status).toHaveAttribute('data-run', run ?? '');
    await field.fill(good);
    await expect(field).toHaveAttribute('aria-invalid', 'false');
  }
  // Two wrong at once are both named.
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('0');
  await page.getByRole('spinbutton', { name: 'Batch size' }).fill('0');
  await expect(page.getByTestId('train-blocker')).toHaveText(
    '"Epochs" and "Batch size" are not valid — fix them to train.',
  );
  await page.getByRole('spinbutton', { name: 'Batch size' }).fill('32');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await expect(train).toBeEnabled();
  await page.getByRole('checkbox', { name: 'Early stopping' }).uncheck();
  // Patience does not count while early stopping is off.
  await startTraining(page);
  await finalAccuracy(page);
  await expect(page.getByText('Finished 2 epochs')).toBeVisible();
});

test('the worker dies in the middle of an epoch: the run says so, the worker comes back with the dataset, and the next run trains', async ({
  page,
}) => {
  await useModel(page, TEACHING, 'conv5');
  await load(page, folder('crash', THREE_CLASSES));
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv1');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('300');
  await startTraining(page);
  await expect
    .poll(() => page.getByRole('table', { name: 'Epochs' }).getByRole('row').count(), {
      timeout: 60_000,
    })
    .toBeGreaterThan(2);
  const worker = page.workers().find((w) => /worker/.test(w.url()));
  expect(worker).toBeDefined();
  // An uncaught error in the worker's own event loop: what a crash looks like to the page.
  await worker!.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated crash in the middle of an epoch');
    });
  });
  await expect(
    page.getByRole('alert').filter({ hasText: 'The training worker crashed' }),
  ).toContainText('It was restarted; your dataset and settings are kept');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled({
    timeout: 60_000,
  });
  await expect(classRow(page, 'Shirt')).toContainText('40');
  await expect(page.getByRole('spinbutton', { name: 'Epochs' })).toHaveValue('300');
  // The epochs done before the crash are kept in the run list.
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem').last()).toContainText(
    /failed|crash/i,
  );

  // The next run, head only (everything frozen), trains as if nothing had happened.
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv5');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('10');
  await page.getByText(/^Options:/).click();
  await page.getByRole('spinbutton', { name: 'Learning rate', exact: true }).fill('0.01');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThanOrEqual(ABOVE_CHANCE_3);
  await expect(page.getByText('Finished 10 epochs')).toBeVisible();
});

// A worker can also stop without an `error` event — closed, or killed by the browser. The
// worker client notices through the Web Lock each worker holds while it lives (no timer: a
// single batch on the cpu backend can block the worker for many seconds).
test('the worker stops silently in the middle of an epoch: the studio notices and restarts it', async ({
  page,
}) => {
  await useModel(page, TEACHING, 'conv5');
  await load(page, folder('silent', THREE_CLASSES));
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv1');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('300');
  await startTraining(page);
  await expect
    .poll(() => page.getByRole('table', { name: 'Epochs' }).getByRole('row').count(), {
      timeout: 60_000,
    })
    .toBeGreaterThan(2);
  const worker = page.workers().find((w) => /worker/.test(w.url()));
  expect(worker).toBeDefined();
  // No error event: the worker just ends.
  await worker!.evaluate(() => setTimeout(() => self.close()));
  const alert = page.getByRole('alert').filter({ hasText: 'The training worker' });
  await expect(alert).toBeVisible({ timeout: 30_000 });
  await expect(alert).toContainText('stopped without an error');
  await expect(alert).toContainText('It was restarted; your dataset and settings are kept');
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeEnabled({
    timeout: 60_000,
  });
  await expect(classRow(page, 'Shirt')).toContainText('40');
  await expect(page.getByRole('spinbutton', { name: 'Epochs' })).toHaveValue('300');
  await expect(page.getByRole('list', { name: 'Runs' }).getByRole('listitem').last()).toContainText(
    /failed|crash|stopped/i,
  );
});
