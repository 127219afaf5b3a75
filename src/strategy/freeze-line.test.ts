import { describe, expect, it } from 'vitest';
import { allFrozen } from '../domain';
import { groupBlocks, type BlockLayer, type NetworkBlock } from './blocks';
import {
  featureCut,
  freezeBoundary,
  freezeLine,
  nearestPosition,
  planAtCut,
  planAtFreezeLine,
  snapFreezeValue,
} from './freeze-line';
import { freezeUpTo, planWarnings, setMode, takeFeaturesFrom } from './layer-plan';
import mobileNet035 from './fixtures/mobilenet-v2-035-layers.json';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

const m035 = mobileNet035 as BlockLayer[];
const cnn = teachingCnn as BlockLayer[];

const index = (blocks: readonly NetworkBlock[], name: string) =>
  blocks.findIndex((b) => b.name === name);

const SEVENTEEN = Array.from({ length: 17 }, (_, n) => `Block ${n}`);

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
