/**
 * Privacy and safety: with the bundled models nothing leaves the page's origin, the
 * Content-Security-Policy lets no remote or inline script run (remote models may still be
 * fetched when the user asks for one), and file, folder and class names are shown as
 * text, never as HTML.
 */
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finalAccuracy, openStudio, startTraining, useModel } from './helpers';

/** Records CSP violations (the page's and, through the console, the worker's). */
async function watchPolicy(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) fromConsole.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.effectiveDirective} ${e.blockedURI}`),
    );
  });
  return async () => [
    ...fromConsole,
    ...(await page.evaluate(
      () => (window as unknown as { __violations: string[] }).__violations ?? [],
    )),
  ];
}

const rows = (page: Page, table: string) =>
  page.getByRole('table', { name: table }).getByRole('row');

test('every panel with the bundled models: no request leaves the page’s origin and the policy blocks nothing the studio needs', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(480_000);
  const origin = new URL(baseURL!).origin;
  const outside: string[] = [];
  let requests = 0;
  page.context().on('request', (r) => {
    requests += 1;
    const url = r.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) outside.push(`${r.method()} ${url}`);
  });
  const violations = await watchPolicy(page);

  // Model panel: every bundled model, its card and layers.
  await openStudio(page);
  await page.getByText('Where these weights come from').first().click();
  await useModel(page, 'MobileNetV2 1.0 (bundled)', 'flatten_1');
  await useModel(page, 'Teaching CNN · 28 px grey (bundled)', 'conv5');

  // Data panel: every bundled sample.
  for (const [sample, classes] of [
    ['Photos', 5],
    ['Digits', 5],
    ['Fashion target', 5],
  ] as const) {
    await page.getByRole('button', { name: `Load sample: ${sample}` }).click();
    await expect(rows(page, 'Classes')).toHaveCount(classes + 1, { timeout: 60_000 });
  }

  // Strategy: the similarity probe.
  await page.getByRole('button', { name: 'Estimate similarity' }).click();
  await expect(page.getByRole('figure', { name: 'Probe accuracy by layer' })).toBeVisible({
    timeout: 120_000,
  });

  // Train twice (head only, then the top layers fine-tuned), with the evaluation views.
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await startTraining(page);
  await finalAccuracy(page);
  await expect(page.getByRole('table', { name: 'Confusion matrix' })).toBeVisible();
  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('conv2');
  await startTraining(page);
  await finalAccuracy(page);
  await page.getByText('See inside: feature maps of a layer').click();
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByRole('figure', { name: 'Feature maps' })).toBeVisible({ timeout: 60_000 });

  // Runs: compare, export.
  await page.getByRole('checkbox', { name: 'Select run #1' }).check();
  await page.getByRole('checkbox', { name: 'Select run #2' }).check();
  await page.getByRole('button', { name: 'Compare runs' }).click();
  await expect(page.getByRole('region', { name: 'Comparison' })).toBeVisible();
  const experiment = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export experiment' }).click();
  await experiment;

  // Predict with the last run, and export it.
  const predict = page.getByRole('region', { name: 'Predict' });
  await predict.getByRole('combobox', { name: 'Run to use' }).selectOption({ index: 1 });
  await predict
    .getByLabel('Choose images to predict')
    .setInputFiles([
      'public/samples/fashion-target/Dress/000.png',
      'public/samples/fashion-target/Sneaker/000.png',
    ]);
  await expect(rows(page, 'Predictions')).toHaveCount(3, { timeout: 60_000 });
  const exported = page.waitForEvent('download');
  await predict.getByRole('button', { name: 'Export model' }).click();
  await exported;

  // The photo backbone on photos, one epoch: the default path of a new user.
  await useModel(page, 'MobileNetV2 α=0.35 · ImageNet (bundled)', 'Conv1');
  await page.getByRole('button', { name: 'Load sample: Photos' }).click();
  await expect(rows(page, 'Classes')).toHaveCount(6, { timeout: 60_000 });
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('1');
  await startTraining(page);
  await finalAccuracy(page, 300_000);

  expect(requests).toBeGreaterThan(10);
  expect(outside, 'requests that left the page’s origin').toEqual([]);
  expect(await violations(), 'Content-Security-Policy violations').toEqual([]);
});

test('the policy lets no remote or inline script run, while a model URL may still be fetched', async ({
  page,
}) => {
  const violations = await watchPolicy(page);
  await openStudio(page);
  const policy = await page
    .locator('meta[http-equiv="Content-Security-Policy"]')
    .getAttribute('content');
  expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(policy).toContain("object-src 'none'");

  const ran = await page.evaluate(async () => {
    const w = window as unknown as { __inline?: boolean };
    const inline = document.createElement('script');
    inline.textContent = 'window.__inline = true';
    document.head.append(inline);
    const remote = document.createElement('script');
    remote.src = 'https://cdn.example.com/evil.js';
    const remoteFailed = new Promise((resolve) => (remote.onerror = () => resolve(true)));
    document.head.append(remote);
    return { inline: w.__inline === true, remoteFailed: await remoteFailed };
  });
  expect(ran).toEqual({ inline: false, remoteFailed: true });
  expect(policy).not.toContain("'unsafe-eval'");
  // A model URL is a fetch, which the policy allows (here it fails only for want of a network).
  const fetched = await page.evaluate(() =>
    fetch('https://models.example.com/model.json').then(
      () => 'answered',
      (e: Error) => e.name,
    ),
  );
  expect(fetched).toMatch(/answered|TypeError/);
  const seen = await violations();
  expect(seen.some((v) => v.includes('script-src-elem https://cdn.example.com/evil.js'))).toBe(
    true,
  );
  expect(seen.some((v) => v.includes('script-src-elem inline'))).toBe(true);
  expect(seen.filter((v) => v.includes('models.example.com'))).toEqual([]);
});

test('file, folder and class names are shown as text, never as HTML', async ({ page }) => {
  const evil = (n: number) => `<img src=x onerror=window.__pwned=${n}>`;
  const root = join(mkdtempSync(join(tmpdir(), 'thaw-names-')), `${evil(1)} photos`);
  const classes = [`${evil(2)} Dress`, `<b onmouseover=window.__pwned=3>Sneaker`];
  for (const [i, cls] of classes.entries()) {
    mkdirSync(join(root, cls), { recursive: true });
    const source = ['Dress', 'Sneaker'][i]!;
    for (let k = 0; k < 20; k++) {
      const file = `${String(k).padStart(3, '0')}.png`;
      copyFileSync(
        join('public/samples/fashion-target', source, file),
        join(root, cls, k === 0 ? `${evil(4)}.png` : file),
      );
    }
  }
  writeFileSync(join(root, classes[0]!, `${evil(5)}.txt`), 'not an image');

  await openStudio(page);
  await useModel(page, 'Teaching CNN · 28 px grey (bundled)', 'conv5');
  await page.getByLabel('Choose image folder').setInputFiles(root);
  await expect(rows(page, 'Classes')).toHaveCount(3, { timeout: 60_000 });
  await expect(page.getByRole('table', { name: 'Classes' })).toContainText(classes[0]!);
  await expect(page.getByRole('table', { name: 'Classes' })).toContainText(classes[1]!);
  await expect(page.getByRole('list', { name: 'Skipped files' })).toContainText(`${evil(5)}.txt`);
  await expect(page.getByRole('heading', { name: /photos ·/ })).toContainText(evil(1));

  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  await finalAccuracy(page);
  await expect(page.getByRole('table', { name: 'Confusion matrix' })).toContainText(classes[0]!);
  // A model file with such a name gets its error message as text too.
  const dir = mkdtempSync(join(tmpdir(), 'thaw-names-model-'));
  const modelFile = join(dir, `${evil(6)}.json`);
  writeFileSync(
    modelFile,
    readFileSync('public/models/teaching-cnn/model.json', 'utf8').slice(0, 99),
  );
  await page.getByText('Use your own layers model…').click();
  await page.getByLabel('Choose model files').setInputFiles(modelFile);
  await expect(page.getByRole('alert').filter({ hasText: 'is not valid JSON' })).toContainText(
    evil(6),
  );

  expect(await page.locator('img[src="x"], b[onmouseover]').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBe(
    undefined,
  );
});
