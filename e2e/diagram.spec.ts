import { expect, test, type Page } from '@playwright/test';
import { openStudio, useModel } from './helpers';

const diagram = (page: Page) => page.getByRole('region', { name: 'Network diagram' });
const freezeLine = (page: Page) => diagram(page).getByRole('slider', { name: 'Freeze line' });
const featureCut = (page: Page) => diagram(page).getByRole('slider', { name: 'Feature cut' });
const block = (page: Page, name: string) =>
  diagram(page).getByRole('button', { name, exact: true });
const mode = (page: Page, layer: string) =>
  page.getByRole('combobox', { name: `Mode for ${layer}`, exact: true });

test('the freeze line, dragged with the keyboard and the pointer, sets each layer in the list', async ({
  page,
}) => {
  await openStudio(page);
  // MobileNetV2: input, stem, 17 inverted-residual blocks, top conv, pooling.
  for (const name of ['Input', 'Stem', 'Block 0', 'Block 9', 'Block 16', 'Top conv', 'Pooling'])
    await expect(block(page, name)).toBeVisible();
  const line = freezeLine(page);
  await expect(line).toHaveAttribute('aria-valuetext', /^Everything frozen, up to out_relu/);

  await line.focus();
  await page.keyboard.press('Home');
  await expect(line).toHaveAttribute('aria-valuenow', '0');
  await expect(line).toHaveAttribute('aria-valuetext', /^Nothing frozen/);
  for (const l of ['Conv1', 'block_4_project_BN', 'block_16_project', 'Conv_1'])
    await expect(mode(page, l)).toHaveValue('fine-tune');

  // Stem + blocks 0–4 below the line.
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowUp');
  await expect(line).toHaveAttribute('aria-valuetext', /Frozen up to block_4_add \(Block 4\)/);
  for (const l of ['Conv1', 'expanded_conv_project', 'block_4_project_BN'])
    await expect(mode(page, l)).toHaveValue('frozen');
  for (const l of ['block_5_expand', 'block_12_depthwise', 'Conv_1_bn'])
    await expect(mode(page, l)).toHaveValue('fine-tune');

  await page.keyboard.press('End');
  await expect(mode(page, 'Conv_1_bn')).toHaveValue('frozen');

  // Pointer: from the bottom, take the line's handle and drop it on block 2 (frozen up to it).
  await page.keyboard.press('Home');
  await line.scrollIntoViewIfNeeded();
  const handle = await line.boundingBox();
  const target = await block(page, 'Block 2').boundingBox();
  if (!handle || !target) throw new Error('The diagram is not laid out.');
  await page.mouse.move(handle.x + 10, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + 10, target.y + target.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(line).toHaveAttribute('aria-valuetext', /Frozen up to block_2_add \(Block 2\)/);
  await expect(mode(page, 'block_2_project')).toHaveValue('frozen');
  await expect(mode(page, 'block_3_expand')).toHaveValue('fine-tune');
});

test('a layer set in the list shows in the diagram, and a block set in the diagram shows in the list', async ({
  page,
}) => {
  await openStudio(page);
  const line = freezeLine(page);
  await expect(line).toHaveAttribute('aria-valuetext', /^Everything frozen/);

  // Thawing one layer of block 3 moves the line below block 3 and colours the block as mixed.
  await mode(page, 'block_3_project').selectOption('fine-tune');
  await expect(line).toHaveAttribute('aria-valuetext', /Frozen up to block_2_add \(Block 2\)/);
  await expect(block(page, 'Block 3')).toHaveAccessibleDescription(/5 Frozen, 1 Fine-tune/);

  // Open block 9: its layers with their modes; Re-initialize the whole block by one click.
  await block(page, 'Block 9').click();
  await expect(block(page, 'Block 9')).toHaveAttribute('aria-expanded', 'true');
  await expect(diagram(page).getByRole('combobox', { name: 'block_9_expand mode' })).toHaveValue(
    'frozen',
  );
  await diagram(page).getByRole('button', { name: 'Re-initialize Block 9' }).click();
  for (const l of ['block_9_expand', 'block_9_depthwise_BN', 'block_9_project'])
    await expect(mode(page, l)).toHaveValue('reinit');
  await expect(block(page, 'Block 9')).toHaveAccessibleDescription(/6 Re-initialize/);

  // One layer back to Frozen from inside the block: the list follows.
  await diagram(page)
    .getByRole('combobox', { name: 'block_9_project mode' })
    .selectOption('frozen');
  await expect(mode(page, 'block_9_project')).toHaveValue('frozen');
});

test('the feature cut moves by blocks and flags a cut inside a residual block, with its fix', async ({
  page,
}) => {
  await openStudio(page);
  const cut = featureCut(page);
  const features = page.getByRole('combobox', { name: 'Take features from' });
  await expect(cut).toHaveAttribute('aria-valuetext', 'Features from global_average_pooling2d');

  await features.selectOption('block_15_project_BN');
  await expect(cut).toHaveAttribute(
    'aria-valuetext',
    'Features from block_15_project_BN, inside Block 15',
  );
  await expect(diagram(page)).toContainText('cuts through a residual block');
  await diagram(page).getByRole('button', { name: 'Move the cut to block_15_add' }).click();
  await expect(features).toHaveValue('block_15_add');

  await cut.focus();
  await page.keyboard.press('ArrowDown');
  await expect(features).toHaveValue('block_14_add');
  await expect(block(page, 'Block 16')).toHaveAccessibleDescription(/cut away/);
});

test('the quadrant picker moves the line to where its plan puts it, with the reason', async ({
  page,
}) => {
  await openStudio(page);
  await useModel(page, 'Teaching CNN · 28 px grey (bundled)', 'conv5');
  await page.getByRole('button', { name: 'Load sample: Fashion target' }).click();
  await expect(page.getByRole('table', { name: 'Classes' }).getByRole('row')).toHaveCount(6);
  const line = freezeLine(page);
  // The textbook plans (where a quadrant table chose another plan, one click away): their lines are fixed.
  const quadrant = (name: string) => ({
    check: async () => {
      await page.getByRole('radiogroup', { name: 'Quadrant' }).getByRole('radio', { name }).check();
      const textbook = page.getByRole('button', { name: 'Apply textbook plan' });
      if ((await textbook.count()) > 0) await textbook.click();
    },
  });

  await quadrant('Large dataset, similar domain').check();
  await expect(line).toHaveAttribute('aria-valuenow', '0');
  await expect(diagram(page)).toContainText('Large dataset, similar domain puts the line here');

  await quadrant('Small dataset, similar domain').check();
  await expect(line).toHaveAttribute('aria-valuetext', 'Everything frozen, up to conv5');
  await expect(diagram(page)).toContainText('Small dataset, similar domain puts the line here');

  await quadrant('Small dataset, different domain').check();
  await expect(featureCut(page)).toHaveAttribute('aria-valuetext', 'Features from conv3');
  await expect(line).toHaveAttribute('aria-valuetext', 'Everything frozen, up to conv3');
  await expect(block(page, 'conv5')).toHaveAccessibleDescription(/cut away/);

  // Moving the line by hand is still possible; the reason then no longer claims the line.
  await line.focus();
  await page.keyboard.press('Home');
  await expect(mode(page, 'conv1')).toHaveValue('fine-tune');
  await expect(diagram(page)).not.toContainText('puts the line here');

  // Resting the pointer on a block shows its feature maps for the first image.
  await block(page, 'conv2').hover();
  await expect(diagram(page).getByRole('img', { name: 'Feature maps of conv2' })).toBeVisible({
    timeout: 60_000,
  });
});
