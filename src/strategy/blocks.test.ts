import { describe, expect, it } from 'vitest';
import { allFrozen, type LayerPlan } from '../domain';
import {
  blockDrift,
  blockMix,
  epochCost,
  featureCut,
  freezeBoundary,
  freezeLine,
  groupBlocks,
  nearestPosition,
  planAtCut,
  planAtFreezeLine,
  samePlan,
  setBlockMode,
  snapFreezeValue,
  type BlockLayer,
  type NetworkBlock,
} from './blocks';
import { freezeUpTo, planWarnings, setMode, takeFeaturesFrom } from './layer-plan';
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

describe('the freeze line', () => {
  const blocks = groupBlocks(m035);
  const start = allFrozen('global_average_pooling2d');

  it('has one stop per weighted block in use: stem, 17 blocks, top conv', () => {
    const line = freezeLine(blocks, m035, start);
    expect(line.stops.map((i) => blocks[i]!.name)).toEqual(['Stem', ...SEVENTEEN, 'Top conv']);
    expect(line).toMatchObject({ value: 19, exact: true }); // all frozen = End
  });

  it('maps every value to a plan and back (value ↔ plan)', () => {
    for (let v = 0; v <= 19; v++) {
      const plan = planAtFreezeLine(blocks, m035, start, v);
      expect(freezeLine(blocks, m035, plan)).toMatchObject({ value: v, exact: true });
      expect(plan.featureLayer).toBe('global_average_pooling2d');
      // A line on a block boundary never starts training inside a residual block.
      expect(planWarnings(m035, plan)).toEqual([]);
    }
  });

  it('freezes everything below the line and fine-tunes everything above it', () => {
    const plan = planAtFreezeLine(blocks, m035, start, 6); // stem + blocks 0–4
    expect(freezeBoundary(blocks, m035, freezeLine(blocks, m035, plan), 6)).toBe('block_4_add');
    expect(plan.modes['block_4_project_BN']).toBe('frozen');
    expect(plan.modes['block_5_expand']).toBe('fine-tune');
    expect(plan.modes['Conv_1']).toBe('fine-tune');
    const none = planAtFreezeLine(blocks, m035, start, 0);
    expect(Object.values(none.modes).every((m) => m === 'fine-tune')).toBe(true);
    expect(freezeBoundary(blocks, m035, freezeLine(blocks, m035, none), 0)).toBeNull();
    expect(planAtFreezeLine(blocks, m035, start, 99)).toEqual(
      planAtFreezeLine(blocks, m035, start, 19),
    );
  });

  it('reads a plan made elsewhere: a mid-block freeze sits at the last whole block, and is not exact', () => {
    const plan = freezeUpTo(m035, start, 'block_5_expand_BN');
    const line = freezeLine(blocks, m035, plan);
    expect(freezeBoundary(blocks, m035, line, line.value)).toBe('block_4_add');
    expect(line.exact).toBe(false);
    const reinit = setMode(planAtFreezeLine(blocks, m035, start, 3), 'block_9_expand', 'reinit');
    expect(freezeLine(blocks, m035, reinit)).toMatchObject({ value: 3, exact: false });
  });

  it('snaps a boundary chosen at any layer to the nearest block boundary', () => {
    const line = freezeLine(blocks, m035, start);
    const at = (name: string) => m035.findIndex((l) => l.name === name);
    const boundary = (layer: string) =>
      freezeBoundary(blocks, m035, line, snapFreezeValue(blocks, line, at(layer)));
    expect(boundary('block_5_expand')).toBe('block_4_add');
    expect(boundary('block_5_project_BN')).toBe('block_5_add');
    expect(boundary('Conv1_pad')).toBeNull();
    expect(boundary('global_average_pooling2d')).toBe('out_relu');
    expect(nearestPosition([300, 260, 220, 180], 245)).toBe(1);
    expect(nearestPosition([300, 260, 220, 180], 0)).toBe(3);
  });

  it('ends at the cut: blocks after the feature layer are no stops', () => {
    const plan = allFrozen('block_12_add');
    const line = freezeLine(blocks, m035, plan);
    expect(blocks[line.stops.at(-1)!]!.name).toBe('Block 12');
    const thawed = planAtFreezeLine(blocks, m035, plan, 10);
    expect(thawed.featureLayer).toBe('block_12_add');
    expect(freezeLine(blocks, m035, thawed).value).toBe(10);
  });

  it('works on the teaching CNN, one stop per weighted layer', () => {
    const cnnBlocks = groupBlocks(cnn);
    const plan = allFrozen('global_pool');
    const line = freezeLine(cnnBlocks, cnn, plan);
    expect(line.stops.map((i) => cnnBlocks[i]!.name)).toEqual([
      'conv1',
      'conv2',
      'conv3',
      'conv4',
      'conv5',
    ]);
    const two = planAtFreezeLine(cnnBlocks, cnn, plan, 2);
    expect(two.modes).toMatchObject({ conv1: 'frozen', conv2: 'frozen', conv3: 'fine-tune' });
    expect(freezeBoundary(cnnBlocks, cnn, line, 2)).toBe('conv2');
    expect(
      snapFreezeValue(
        cnnBlocks,
        line,
        cnn.findIndex((l) => l.name === 'pool1'),
      ),
    ).toBe(2);
  });
});

describe('the feature cut', () => {
  const blocks = groupBlocks(m035);

  it('sits on the block that holds the feature layer and moves by whole blocks', () => {
    const cut = featureCut(blocks, m035, allFrozen('global_average_pooling2d'));
    expect(blocks[cut.value]!.name).toBe('Pooling');
    expect(cut.inside).toBe(false);
    expect(cut.stops).not.toContain(index(blocks, 'Input'));
    const moved = planAtCut(
      blocks,
      m035,
      allFrozen('global_average_pooling2d'),
      index(blocks, 'Block 12'),
    );
    expect(moved.featureLayer).toBe('block_12_add');
  });

  it('flags a cut inside a residual block, and the warning fix lands on a block boundary', () => {
    const plan = takeFeaturesFrom(allFrozen('global_average_pooling2d'), 'block_15_project_BN');
    const cut = featureCut(blocks, m035, plan);
    expect(blocks[cut.value]!.name).toBe('Block 15');
    expect(cut.inside).toBe(true);
    const fix = planWarnings(m035, plan).find((w) => w.fix)!.fix!;
    expect(featureCut(blocks, m035, fix.plan)).toMatchObject({ value: cut.value, inside: false });
    // The freeze line ends at the feature layer, not at the block's end.
    const line = freezeLine(blocks, m035, plan);
    expect(freezeBoundary(blocks, m035, line, line.value)).toBe('block_15_project_BN');
  });
});

describe('blocks under a plan', () => {
  const blocks = groupBlocks(m035);
  const b3 = blocks[index(blocks, 'Block 3')]!;
  const start = allFrozen('global_average_pooling2d');

  it('mixes modes by parameters and counts cut-away layers apart', () => {
    const plan = setMode(start, 'block_3_project', 'fine-tune');
    const mix = blockMix(b3, m035, plan);
    expect(mix.fineTune).toBe(m035.find((l) => l.name === 'block_3_project')!.params);
    expect(mix.frozen + mix.fineTune).toBe(b3.params);
    expect(mix.layers).toEqual({ frozen: 5, 'fine-tune': 1, reinit: 0 });
    const cut = blockMix(b3, m035, takeFeaturesFrom(start, 'block_3_depthwise_relu'));
    expect(cut.cutAway).toBeGreaterThan(0);
  });

  it('sets a whole block to one mode, leaving the other blocks alone', () => {
    const plan = setBlockMode(b3, m035, start, 'reinit');
    expect(blockMix(b3, m035, plan).reinit).toBe(b3.params);
    expect(Object.keys(plan.modes).every((n) => n.startsWith('block_3_'))).toBe(true);
  });

  it('summarises drift per block, weighted by parameters', () => {
    const drift = { block_3_expand: 0.02, block_3_project: 0.02 };
    expect(blockDrift(b3, m035, drift)).toBeCloseTo(0.02);
    expect(blockDrift(blocks[index(blocks, 'Block 4')]!, m035, drift)).toBeNull();
  });
});

describe('epochCost', () => {
  const blocks = groupBlocks(m035);
  const start = allFrozen('global_average_pooling2d');
  const at = (v: number): LayerPlan => planAtFreezeLine(blocks, m035, start, v);

  it('costs nothing beyond the head when all is frozen, and more the lower the line', () => {
    expect(epochCost(m035, start).work).toBe(0);
    const works = [19, 15, 10, 5, 0].map((v) => epochCost(m035, at(v)).work);
    for (let i = 1; i < works.length; i++) expect(works[i]!).toBeGreaterThan(works[i - 1]!);
    const all = epochCost(m035, at(0));
    expect(all.work).toBe(all.fullWork);
    expect(all.ms).toBeNull();
  });

  it('scales a measured run to another plan', () => {
    // Fine-tuned from block 12 up, features from cache: 2 s per epoch over 5 epochs.
    const measured = {
      timings: { images: 100, featuresMs: 0, headMs: 10_000, frozenPrefixLayers: 100 },
      epochs: 5,
      plan: at(14),
    };
    expect(epochCost(m035, at(14), measured).ms).toBeCloseTo(2000);
    const deeper = epochCost(m035, at(8), measured).ms!;
    expect(deeper).toBeGreaterThan(2000);
    // Its own plan comes out as measured even when a prefix pass was timed too.
    const withPrefix = { ...measured, timings: { ...measured.timings, featuresMs: 300 } };
    expect(epochCost(m035, at(14), withPrefix).ms).toBeCloseTo(2000);
    // It says nothing about a head alone.
    expect(epochCost(m035, start, measured).ms).toBeNull();
    // A head-only run with a measured prefix pass: its rate scales, its per-epoch time is the head.
    const headOnly = {
      timings: { images: 100, featuresMs: 5000, headMs: 500, frozenPrefixLayers: m035.length },
      epochs: 50,
      plan: start,
    };
    expect(epochCost(m035, start, headOnly).ms).toBeCloseTo(10);
    const thawed = epochCost(m035, at(14), headOnly);
    expect(thawed.ms!).toBeGreaterThan(10);
    expect(thawed.onceMs!).toBeGreaterThan(0);
    expect(thawed.onceMs!).toBeLessThan(5000);
  });
});

describe('samePlan', () => {
  it('compares modes of the layers in use and the feature layer, not how the plan spells them', () => {
    const blocks = groupBlocks(cnn);
    const plan = allFrozen('global_pool');
    const explicit = { ...plan, modes: { conv1: 'frozen' as const, fc: 'fine-tune' as const } };
    expect(samePlan(cnn, plan, explicit)).toBe(true);
    expect(samePlan(cnn, plan, planAtFreezeLine(blocks, cnn, plan, 4))).toBe(false);
    expect(samePlan(cnn, plan, allFrozen('conv5'))).toBe(false);
  });
});
