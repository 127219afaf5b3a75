import { describe, expect, it } from 'vitest';
import { allFrozen, type PlanLayer } from '../domain';
import {
  freezeUpTo,
  nearestCutPoint,
  newHeadParams,
  planTotals,
  planWarnings,
  samePlan,
  setMode,
  takeFeaturesFrom,
} from './layer-plan';

// A stem, one residual block (expand → dw → project, added to the block input), a head.
const layers: PlanLayer[] = [
  { name: 'input', params: 0, cutPoint: true },
  { name: 'stem_conv', params: 100, cutPoint: true },
  { name: 'b1_expand', params: 200, cutPoint: false },
  { name: 'b1_dw', params: 50, cutPoint: false },
  { name: 'b1_project', params: 200, cutPoint: false },
  { name: 'b1_add', params: 0, cutPoint: true },
  { name: 'top_conv', params: 400, cutPoint: true },
  { name: 'pool', params: 0, cutPoint: true },
  { name: 'old_head', params: 1000, cutPoint: true },
];

describe('layer plan rules', () => {
  it('starts all frozen and totals parameters, counting the cut-away head apart', () => {
    const plan = allFrozen('pool');
    expect(planTotals(layers, plan)).toEqual({
      frozen: 950,
      fineTune: 0,
      reinit: 0,
      cutAway: 1000,
    });
    expect(planWarnings(layers, plan)).toEqual([]);
  });

  it('freezes up to a layer and fine-tunes the rest', () => {
    const plan = freezeUpTo(layers, allFrozen('pool'), 'b1_add');
    expect(plan.modes).toMatchObject({
      stem_conv: 'frozen',
      b1_project: 'frozen',
      top_conv: 'fine-tune',
    });
    expect(planTotals(layers, plan)).toEqual({
      frozen: 550,
      fineTune: 400,
      reinit: 0,
      cutAway: 1000,
    });
    expect(planWarnings(layers, plan)).toEqual([]);
  });

  it('warns when features are taken inside a residual block and offers the nearest boundary', () => {
    const plan = takeFeaturesFrom(allFrozen('pool'), 'b1_dw');
    const [warning] = planWarnings(layers, plan);
    expect(warning?.message).toMatch(/cuts through a residual block/);
    // b1_dw is two layers from either boundary: the earlier one wins.
    expect(warning?.fix?.plan.featureLayer).toBe('stem_conv');
    expect(planWarnings(layers, warning!.fix!.plan)).toEqual([]);
  });

  it('warns when training starts mid-block and offers to freeze up to a boundary', () => {
    const plan = freezeUpTo(layers, allFrozen('pool'), 'b1_expand');
    const warnings = planWarnings(layers, plan);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/starts inside a residual block/);
    const fixed = warnings[0]!.fix!.plan;
    expect(fixed.modes).toMatchObject({ stem_conv: 'frozen', b1_expand: 'fine-tune' });
    expect(planWarnings(layers, fixed)).toEqual([]);
  });

  it('explains reverse layer transfer and training from scratch', () => {
    const reverse = setMode(allFrozen('pool'), 'stem_conv', 'reinit');
    expect(planWarnings(layers, reverse)[0]?.message).toMatch(
      /keep the last layers, re-train the first/,
    );
    let scratch = allFrozen('pool');
    for (const l of layers.slice(0, 8))
      if (l.params > 0) scratch = setMode(scratch, l.name, 'reinit');
    expect(
      planWarnings(layers, scratch)
        .map((w) => w.message)
        .join(' '),
    ).toMatch(/from scratch/);
  });

  it('finds the nearest cut point, the earlier on a tie', () => {
    expect(nearestCutPoint(layers, 'b1_dw')).toBe('stem_conv');
    expect(nearestCutPoint(layers, 'b1_project')).toBe('b1_add');
    expect(nearestCutPoint(layers, 'top_conv')).toBe('top_conv');
  });
});

describe('samePlan', () => {
  it('compares modes of the layers in use and the feature layer, not how the plan spells them', () => {
    const plan = allFrozen('pool');
    // Frozen spelled out, and a mode for the cut-away head, change nothing.
    const explicit = {
      ...plan,
      modes: { stem_conv: 'frozen' as const, old_head: 'fine-tune' as const },
    };
    expect(samePlan(layers, plan, explicit)).toBe(true);
    expect(samePlan(layers, plan, freezeUpTo(layers, plan, 'b1_add'))).toBe(false);
    expect(samePlan(layers, plan, allFrozen('top_conv'))).toBe(false);
  });
});

describe('newHeadParams', () => {
  it('counts a weight per feature and a bias, per class', () => {
    expect(newHeadParams(1280, 3)).toBe(1281 * 3);
    expect(newHeadParams(64, 0)).toBe(0);
  });
});
