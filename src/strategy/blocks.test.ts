import { describe, expect, it } from 'vitest';
import { allFrozen } from '../domain';
import { groupBlocks, type BlockLayer, type NetworkBlock } from './blocks';
import { freezeLine, planAtFreezeLine } from './freeze-line';
import mobileNet035 from './fixtures/mobilenet-v2-035-layers.json';
import mobileNet10 from './fixtures/mobilenet-v2-layers.json';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

const m035 = mobileNet035 as BlockLayer[];
const m10 = mobileNet10 as BlockLayer[];
const cnn = teachingCnn as BlockLayer[];

const names = (blocks: readonly NetworkBlock[]) => blocks.map((b) => b.name);
const index = (blocks: readonly NetworkBlock[], name: string) =>
  blocks.findIndex((b) => b.name === name);
const layerNames = (layers: readonly BlockLayer[], b: NetworkBlock) =>
  layers.slice(b.first, b.last + 1).map((l) => l.name);

/** Every layer in exactly one block, in order. */
function expectPartition(layers: readonly BlockLayer[], blocks: readonly NetworkBlock[]) {
  expect(blocks[0]!.first).toBe(0);
  blocks.forEach((b, i) => {
    expect(b.last).toBeGreaterThanOrEqual(b.first);
    if (i > 0) expect(b.first).toBe(blocks[i - 1]!.last + 1);
  });
  expect(blocks[blocks.length - 1]!.last).toBe(layers.length - 1);
  expect(blocks.reduce((n, b) => n + b.params, 0)).toBe(layers.reduce((n, l) => n + l.params, 0));
}

const SEVENTEEN = Array.from({ length: 17 }, (_, n) => `Block ${n}`);
/** Inverted-residual blocks with a skip connection (stride 1, same width in and out). */
const RESIDUAL = [2, 4, 5, 7, 8, 9, 11, 12, 14, 15].map((n) => `Block ${n}`);

describe('groupBlocks', () => {
  it('draws MobileNetV2 α=0.35 as stem, 17 inverted-residual blocks, top conv and pooling', () => {
    const blocks = groupBlocks(m035);
    expect(names(blocks)).toEqual(['Input', 'Stem', ...SEVENTEEN, 'Top conv', 'Pooling']);
    expectPartition(m035, blocks);
    expect(blocks.filter((b) => b.residual).map((b) => b.name)).toEqual(RESIDUAL);
    const stem = blocks[index(blocks, 'Stem')]!;
    expect(layerNames(m035, stem)).toEqual(['Conv1_pad', 'Conv1', 'bn_Conv1', 'Conv1_relu']);
    expect(stem).toMatchObject({ size: '112×112', channels: 16, params: 496 });
    expect(layerNames(m035, blocks[index(blocks, 'Block 0')]!)[0]).toBe('expanded_conv_depthwise');
    const b5 = blocks[index(blocks, 'Block 5')]!;
    expect(layerNames(m035, b5).at(-1)).toBe('block_5_add');
    expect(b5).toMatchObject({ kind: 'block', size: '28×28', channels: 16 });
    expect(blocks[index(blocks, 'Top conv')]).toMatchObject({ size: '7×7', channels: 1280 });
    expect(blocks[index(blocks, 'Pooling')]).toMatchObject({ size: '', channels: 1280 });
  });

  it('draws MobileNetV2 1.0 with its source head after pooling', () => {
    const blocks = groupBlocks(m10);
    expect(names(blocks)).toEqual([
      'Input',
      'Stem',
      ...SEVENTEEN,
      'Top conv',
      'Pooling',
      'Source head',
    ]);
    expectPartition(m10, blocks);
    expect(layerNames(m10, blocks[index(blocks, 'Pooling')]!)).toEqual([
      'average_pooling2d_1',
      'flatten_1',
    ]);
    expect(layerNames(m10, blocks[index(blocks, 'Source head')]!)[0]).toBe('dense_1');
    expect(blocks.filter((b) => b.residual).map((b) => b.name)).toEqual(RESIDUAL);
  });

  it('draws the teaching CNN layer by layer', () => {
    const blocks = groupBlocks(cnn);
    expect(names(blocks)).toEqual(cnn.map((l) => l.name));
    expect(blocks.map((b) => b.kind)).toEqual([
      'input',
      ...Array<string>(7).fill('layer'),
      'pooling',
      'layer',
      'layer',
    ]);
    expect(blocks.some((b) => b.residual)).toBe(false);
  });

  it('draws a nested Teachable-Machine-style model as its nested parts', () => {
    const tm: BlockLayer[] = [
      {
        name: 'sequential_1',
        className: 'Functional',
        outputShape: '1280',
        params: 410208,
        cutPoint: true,
      },
      {
        name: 'sequential_3',
        className: 'Sequential',
        outputShape: '3',
        params: 128_403,
        cutPoint: true,
      },
    ];
    const blocks = groupBlocks(tm);
    expect(names(blocks)).toEqual(['sequential_1', 'sequential_3']);
    expect(blocks.map((b) => b.kind)).toEqual(['nested', 'nested']);
    expect(blocks[0]).toMatchObject({ channels: 1280, size: '', params: 410208 });
    // The freeze line works on it like on any network.
    const plan = allFrozen('sequential_1');
    expect(freezeLine(blocks, tm, plan)).toMatchObject({ stops: [0], value: 1 });
    expect(planAtFreezeLine(blocks, tm, plan, 0).modes).toEqual({
      sequential_1: 'fine-tune',
      sequential_3: 'fine-tune',
    });
  });

  it('falls back to cut points for any other network: residual runs, conv + BN + ReLU, padding with its conv', () => {
    const conv = (name: string, shape: string, params: number, cutPoint = true): BlockLayer[] => [
      { name, className: 'Conv2D', outputShape: shape, params, cutPoint },
      {
        name: `${name}_bn`,
        className: 'BatchNormalization',
        outputShape: shape,
        params: 4,
        cutPoint,
      },
      { name: `${name}_relu`, className: 'ReLU', outputShape: shape, params: 0, cutPoint },
    ];
    const residual = (name: string): BlockLayer[] => [
      ...conv(`${name}_1`, '8×8×4', 16, false),
      ...conv(`${name}_2`, '8×8×4', 16, false),
      { name: `${name}_add`, className: 'Add', outputShape: '8×8×4', params: 0, cutPoint: true },
      { name: `${name}_out`, className: 'ReLU', outputShape: '8×8×4', params: 0, cutPoint: true },
    ];
    const layers: BlockLayer[] = [
      { name: 'in', className: 'InputLayer', outputShape: '32×32×3', params: 0, cutPoint: true },
      {
        name: 'pad',
        className: 'ZeroPadding2D',
        outputShape: '34×34×3',
        params: 0,
        cutPoint: true,
      },
      ...conv('stem', '16×16×4', 108),
      ...residual('stage1_unit1'),
      ...residual('stage1_unit2'),
      ...conv('down', '8×8×4', 144),
      ...residual('stage2_unit1'),
      {
        name: 'gap',
        className: 'GlobalAveragePooling2D',
        outputShape: '4',
        params: 0,
        cutPoint: true,
      },
      { name: 'drop', className: 'Dropout', outputShape: '4', params: 0, cutPoint: true },
      { name: 'logits', className: 'Dense', outputShape: '10', params: 50, cutPoint: true },
    ];
    const blocks = groupBlocks(layers);
    expectPartition(layers, blocks);
    expect(names(blocks)).toEqual([
      'in',
      'stem',
      'stage1_unit1',
      'stage1_unit2',
      'down',
      'stage2_unit1',
      'gap',
      'logits',
    ]);
    expect(layerNames(layers, blocks[1]!)).toEqual(['pad', 'stem', 'stem_bn', 'stem_relu']);
    expect(layerNames(layers, blocks[2]!).slice(-2)).toEqual([
      'stage1_unit1_add',
      'stage1_unit1_out',
    ]);
    expect(blocks.map((b) => b.residual)).toEqual([
      false,
      false,
      true,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(blocks[6]).toMatchObject({ kind: 'pooling', channels: 4 });
    // Block boundaries are cut points: the line and the cut never split a residual block.
    for (const b of blocks) expect(layers[b.last]!.cutPoint).toBe(true);
  });
});
