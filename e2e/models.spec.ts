import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ABOVE_CHANCE_5, finalAccuracy, startTraining, openStudio, useModel } from './helpers';

test('a remote model with no network fails within seconds with a clear message, and the loaded model stays usable', async ({
  page,
}) => {
  await openStudio(page);
  const picker = page.getByRole('combobox', { name: 'Model' });
  await picker.selectOption({ label: 'MobileNet v1 0.25 · tfjs models (remote)' });
  await expect(page.getByRole('alert')).toContainText(
    /Could not load the model from https:\/\/storage\.googleapis\.com\/.*MobileNetV2 α=0\.35 · ImageNet \(bundled\) is still loaded/,
    { timeout: 15_000 },
  );
  await expect(picker).toHaveValue('mobilenet-v2-035');
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toBeVisible();
  // Still usable: load data and train a head.
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('2');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
});

test('MobileNetV2 at 96 px: freeze up to block 16, fine-tune the top, train, and warn about a cut inside a block', async ({
  page,
}) => {
  await openStudio(page);
  await useModel(page, 'MobileNetV2 1.0 (bundled)', 'flatten_1');
  await page.getByRole('combobox', { name: 'Input size' }).selectOption('96');
  await expect(page.getByRole('listitem', { name: 'Conv1', exact: true })).toContainText(
    '48×48×32',
  );
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);

  // A cut inside residual block 15 is flagged, with the nearest block boundary as the fix.
  await page
    .getByRole('combobox', { name: 'Take features from' })
    .selectOption('block_15_project_BN');
  const warnings = page.getByRole('list', { name: 'Plan warnings' });
  await expect(warnings).toContainText('cuts through a residual block');
  await warnings.getByRole('button', { name: /Use the block boundary block_15_add/ }).click();
  await expect(page.getByRole('combobox', { name: 'Take features from' })).toHaveValue(
    'block_15_add',
  );
  await page.getByRole('combobox', { name: 'Take features from' }).selectOption('flatten_1');

  await page.getByRole('combobox', { name: 'Freeze up to' }).selectOption('block_16_project_BN');
  await expect(
    page.getByRole('combobox', { name: 'Mode for block_16_project', exact: true }),
  ).toHaveValue('frozen');
  await expect(page.getByRole('combobox', { name: 'Mode for Conv_1', exact: true })).toHaveValue(
    'fine-tune',
  );
  await page.getByRole('combobox', { name: 'Mode for Conv_1_bn' }).selectOption('reinit');
  await expect(page.getByRole('list', { name: 'Plan warnings' })).toHaveCount(0);

  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('3');
  await page.getByRole('spinbutton', { name: 'Fine-tune learning rate' }).fill('0.0001');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
  await expect(page.getByTestId('timings')).toContainText(/Frozen part \(\d+ layers\)/);
  await expect(page.getByTestId('timings')).toContainText(/network parameters \+ head/);
  const [before, after] = (
    (await page.getByTestId('tensor-check').innerText()).match(/\d+/g) ?? []
  ).map(Number);
  expect(after).toBe(before);
  await expect(
    page.getByRole('figure', { name: 'Loss curve' }).locator('path.recharts-curve'),
  ).toHaveCount(2);

  // No committed quadrant table measures this network: choosing a quadrant applies nothing,
  // and the textbook plan is one click away, named as unmeasured.
  const features = page.getByRole('combobox', { name: 'Take features from' });
  const cut = await features.inputValue();
  await page
    .getByRole('radiogroup', { name: 'Quadrant' })
    .getByRole('radio', { name: 'Small dataset, different domain' })
    .check();
  const unmeasured = page.getByTestId('quadrant-unmeasured');
  await expect(unmeasured).toContainText('Nothing applied');
  await expect(features).toHaveValue(cut);
  await unmeasured.getByRole('button', { name: 'Apply textbook plan' }).click();
  await expect(unmeasured).toContainText(
    'Applied: the textbook plan, not measured on this network',
  );
  await expect(features).not.toHaveValue(cut);
});

test('your own layers model: dropped files load through the same path; bad files get named errors', async ({
  page,
}) => {
  await openStudio(page);
  const files = page.getByLabel('Choose model files');
  const dir = mkdtempSync(join(tmpdir(), 'thaw-model-'));
  const write = (name: string, content: string | Buffer) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const modelJson = readFileSync('public/models/teaching-cnn/model.json', 'utf8');
  const weights = readFileSync('public/models/teaching-cnn/weights.bin');
  await page.getByText('Use your own layers model…').click();

  await files.setInputFiles([write('model.json', modelJson)]);
  await expect(page.getByRole('alert')).toContainText(
    'Weight file "weights.bin" listed in model.json is missing',
  );
  await files.setInputFiles([write('broken.json', modelJson.slice(0, 200))]);
  await expect(page.getByRole('alert')).toContainText('broken.json is not valid JSON');
  await files.setInputFiles([
    write(
      'graph.json',
      JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }),
    ),
  ]);
  await expect(page.getByRole('alert')).toContainText('graph model');
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('mobilenet-v2-035');

  await files.setInputFiles([write('model.json', modelJson), write('weights.bin', weights)]);
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(/custom-/);
  await expect(page.getByRole('listitem', { name: 'conv5' })).toBeVisible();
  // The final dense layer is dropped by default: features from its input.
  await expect(page.getByRole('combobox', { name: 'Take features from' })).toHaveValue('fc');
  await page.getByRole('button', { name: 'Load sample: Digits' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  // The dense fc layer is specific to the source task; the pooled conv features transfer better.
  await page.getByRole('combobox', { name: 'Take features from' }).selectOption('global_pool');
  await page.getByRole('spinbutton', { name: 'Epochs' }).fill('10');
  await startTraining(page);
  expect(await finalAccuracy(page)).toBeGreaterThan(ABOVE_CHANCE_5);
});

test('your own model by URL', async ({ page }) => {
  await openStudio(page);
  await page.getByText('Use your own layers model…').click();
  await page.getByRole('textbox', { name: 'Model URL' }).fill('/models/teaching-cnn/model.json');
  await page.getByRole('button', { name: 'Load URL' }).click();
  await expect(page.getByRole('listitem', { name: 'conv1', exact: true })).toBeVisible();
  await expect(
    page.getByText(/Your model, from http:\/\/127\.0\.0\.1:\d+\/models\/teaching-cnn\/model\.json/),
  ).toBeVisible();
});
