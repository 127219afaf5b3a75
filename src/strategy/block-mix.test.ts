import { describe, expect, it } from 'vitest';
import { allFrozen } from '../domain';
import { groupBlocks, type BlockLayer, type NetworkBlock } from './blocks';
import { blockDrift, blockMix, setBlockMode } from './block-mix';
import { setMode, takeFeaturesFrom } from './layer-plan';
import mobileNet035 from './fixtures/mobilenet-v2-035-layers.json';

const m035 = mobileNet035 as BlockLayer[];

const index = (blocks: readonly NetworkBlock[], name: string) =>
  blocks.findIndex((b) => b.name === name);

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
