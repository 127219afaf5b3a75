import { expect, test, type Page } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalAccuracy, openTeaching, startTraining } from './helpers';

const SAMPLE = 'public/samples/fashion-target';

async function trainTeaching(page: Page): Promise<void> {
  await openTeaching(page);
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv4');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('6');
  await startTraining(page);
  await finalAccuracy(page);
}

/** A folder of new images with class sub-folders: the last 5 images of each sample class. */
function newImages(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-predict-')), 'new photos');
  for (const cls of readdirSync(SAMPLE).filter((c) => !c.includes('.'))) {
    mkdirSync(join(root, cls), { recursive: true });
    for (const f of readdirSync(join(SAMPLE, cls)).sort().slice(-5))
      copyFileSync(join(SAMPLE, cls, f), join(root, cls, f));
  }
  return root;
}

function parseCsv(
  text: string,
): { file: string; predicted: string; confidence: number; truth: string }[] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [file, predicted, confidence, truth] = line.split(',');
      return { file: file!, predicted: predicted!, confidence: Number(confidence), truth: truth! };
    });
}

/** A few images of the sample, chosen as single files (no class folder). */
function someImages(): string[] {
  return readdirSync(SAMPLE)
    .filter((c) => !c.includes('.'))
    .map((cls) => join(SAMPLE, cls, readdirSync(join(SAMPLE, cls)).sort().at(-1)!));
}

test('Predict uses the run just trained without a click, and another run can still be chosen', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await trainTeaching(page);
  const panel = page.getByRole('region', { name: 'Predict' });
  const runToUse = panel.getByRole('combobox', { name: 'Run to use' });
  const images = panel.getByLabel('Choose images to predict');
  const rows = panel.getByRole('table', { name: 'Predictions' }).getByRole('row');
  await expect(panel).toContainText(
    /Using run #1 \(Teaching CNN.* · Fashion target\), trained just now\./,
  );
  await expect(runToUse.locator('option:checked')).toHaveText(/^#1 /);
  // Straight away: no run to pick first.
  await expect(images).toBeEnabled();
  await images.setInputFiles(someImages());
  await expect(rows).toHaveCount(6);
  await expect(panel).toContainText('5 images classified');

  // A second run takes over once it is trained…
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  await finalAccuracy(page);
  await expect(panel).toContainText(
    /Using run #2 \(Teaching CNN.* · Fashion target\), trained just now\./,
  );
  await expect(runToUse.locator('option:checked')).toHaveText(/^#2 /);
  await expect(rows).toHaveCount(0);

  // …and the first one can still be chosen.
  await runToUse.selectOption({ index: 1 });
  await expect(panel).toContainText(/Using run #1 \(Teaching CNN.* · Fashion target\)\./);
  await expect(panel).not.toContainText('trained just now');
  await expect(images).toBeEnabled();
  await images.setInputFiles(someImages());
  await expect(rows).toHaveCount(6);
});

test("predict a folder, download the table, export the model and get the same answers from Teachable Machine's own library", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await trainTeaching(page);
  const panel = page.getByRole('region', { name: 'Predict' });
  await panel.getByRole('combobox', { name: 'Run to use' }).selectOption({ index: 1 });
  await expect(panel.getByRole('button', { name: 'Export model' })).toBeEnabled({
    timeout: 30_000,
  });

  await panel.getByLabel('Choose folder to predict').setInputFiles(newImages());
  const table = panel.getByRole('table', { name: 'Predictions' });
  await expect(table.getByRole('row')).toHaveCount(26, { timeout: 60_000 });
  await expect(panel).toContainText(/% correct on the 25 with a class folder/);

  const csvDownload = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Download predictions (CSV)' }).click();
  const csv = parseCsv(readFileSync(await (await csvDownload).path(), 'utf8'));
  expect(csv).toHaveLength(25);
  // The CSV is the table: same files, same classes.
  const shown = await table
    .getByRole('row')
    .evaluateAll((rows) =>
      rows.slice(1).map((r) => [r.children[1]!.textContent, r.children[2]!.textContent]),
    );
  expect(csv.map((r) => [r.file, r.predicted])).toEqual(shown);
  const correct = csv.filter((r) => r.predicted === r.truth).length;
  expect(correct).toBeGreaterThan(25 * 0.35); // 5 classes: chance is 5 of 25

  const zipDownload = page.waitForEvent('download');
  await panel.getByRole('button', { name: 'Export model' }).click();
  const zip = unzipSync(readFileSync(await (await zipDownload).path()));
  expect(Object.keys(zip).sort()).toEqual([
    'README.md',
    'metadata.json',
    'model.json',
    'weights.bin',
  ]);
  const metadata = JSON.parse(strFromU8(zip['metadata.json']!));
  expect(metadata).toMatchObject({ packageName: '@teachablemachine/image', imageSize: 28 });
  expect(metadata.labels).toEqual(['Ankle boot', 'Dress', 'Pullover', 'Shirt', 'Sneaker']);

  // Teachable Machine's library, on the studio's tfjs, in a plain page of the same origin.
  const tm = await page.context().newPage();
  const served: Record<string, string> = {
    'tf.min.js': 'node_modules/@tensorflow/tfjs/dist/tf.min.js',
    'tm.min.js': 'node_modules/@teachablemachine/image/dist/teachablemachine-image.min.js',
  };
  await tm.route('**/tm/**', async (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/tm/')[1]!);
    if (name === 'index.html')
      return route.fulfill({
        contentType: 'text/html',
        body: '<html><body><script src="/tm/tf.min.js"></script><script src="/tm/tm.min.js"></script></body></html>',
      });
    if (name in served)
      return route.fulfill({ path: served[name]!, contentType: 'text/javascript' });
    if (name in zip) return route.fulfill({ body: Buffer.from(zip[name]!) });
    return route.fulfill({ path: join(SAMPLE, name) });
  });
  await tm.goto('/tm/index.html');
  await tm.waitForFunction(() => 'tmImage' in window);
  const files = csv.map((r) => r.file.split('/').slice(-2).join('/'));
  const theirs = await tm.evaluate(async (paths) => {
    const w = window as unknown as {
      tmImage: {
        load: (
          m: string,
          d: string,
        ) => Promise<{
          predict: (i: HTMLImageElement) => Promise<{ className: string; probability: number }[]>;
        }>;
      };
    };
    const model = await w.tmImage.load('/tm/model.json', '/tm/metadata.json');
    const out = [];
    for (const p of paths) {
      const img = new Image();
      img.src = `/tm/${p.split('/').map(encodeURIComponent).join('/')}`;
      await img.decode();
      out.push(await model.predict(img));
    }
    return out;
  }, files);
  theirs.forEach((preds, i) => {
    const best = [...preds].sort((a, b) => b.probability - a.probability)[0]!;
    expect(best.className).toBe(csv[i]!.predicted);
    expect(Math.abs(best.probability - csv[i]!.confidence)).toBeLessThan(1e-3);
  });
  await tm.close();
});

test('the camera shows live predictions and captures frames into a class', async ({ page }) => {
  test.setTimeout(300_000);
  await trainTeaching(page);
  const panel = page.getByRole('region', { name: 'Predict' });
  await panel.getByRole('combobox', { name: 'Run to use' }).selectOption({ index: 1 });
  await expect(panel.getByRole('button', { name: 'Start camera' })).toBeEnabled({
    timeout: 30_000,
  });
  await panel.getByRole('button', { name: 'Start camera' }).click();
  await expect(
    panel.getByRole('list', { name: 'Camera predictions' }).getByRole('listitem'),
  ).toHaveCount(3, {
    timeout: 30_000,
  });
  const dress = page.getByRole('table', { name: 'Classes' }).getByRole('row', { name: /Dress/ });
  await expect(dress).toContainText('40');
  await panel.getByRole('button', { name: 'Capture to Dress' }).click();
  await expect(dress).toContainText('41', { timeout: 30_000 });
});
