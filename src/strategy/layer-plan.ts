/**
 * Rules for a layer plan — which layers are Frozen, Fine-tune or Re-initialize, and where
 * features are taken from — as pure functions: quick actions, parameter totals, and the
 * warnings that make "don't remove or reshape inner layers casually" visible.
 */

import { featureIndex, modeOf, type LayerMode, type LayerPlan, type PlanLayer } from '../domain';

function indexOf(layers: readonly PlanLayer[], name: string): number {
  return layers.findIndex((l) => l.name === name);
}

/** Freeze every layer up to and including `name`; fine-tune the rest up to the feature layer. */
export function freezeUpTo(layers: readonly PlanLayer[], plan: LayerPlan, name: string): LayerPlan {
  const upTo = indexOf(layers, name);
  const modes: Record<string, LayerMode> = {};
  layers.forEach((l, i) => {
    if (l.params > 0) modes[l.name] = i <= upTo ? 'frozen' : 'fine-tune';
  });
  return { ...plan, modes };
}

/** Take features from `name`: the layers after it are cut away; modes are kept. */
export function takeFeaturesFrom(plan: LayerPlan, name: string): LayerPlan {
  return { ...plan, featureLayer: name };
}

export function setMode(plan: LayerPlan, name: string, mode: LayerMode): LayerPlan {
  return { ...plan, modes: { ...plan.modes, [name]: mode } };
}

/** The cut point closest to `name` (the earlier one on a tie), or null when there is none. */
export function nearestCutPoint(layers: readonly PlanLayer[], name: string): string | null {
  const at = indexOf(layers, name);
  if (at < 0) return null;
  for (let d = 0; d < layers.length; d++) {
    const before = layers[at - d];
    if (before?.cutPoint) return before.name;
    const after = layers[at + d];
    if (after?.cutPoint) return after.name;
  }
  return null;
}

/** Whether two plans train the same network: same feature layer, same mode for every layer in use. */
export function samePlan(layers: readonly PlanLayer[], a: LayerPlan, b: LayerPlan): boolean {
  if (a.featureLayer !== b.featureLayer) return false;
  const end = featureIndex(layers, a.featureLayer);
  return layers.slice(0, end + 1).every((l) => modeOf(a.modes, l) === modeOf(b.modes, l));
}

/** Parameters of the new head: one weight per feature and a bias, per class (softmax and linear SVM alike). */
export function newHeadParams(featureDim: number, classes: number): number {
  return (featureDim + 1) * classes;
}

export interface PlanTotals {
  frozen: number;
  fineTune: number;
  reinit: number;
  /** Parameters of the layers after the feature layer (not used). */
  cutAway: number;
}

export function planTotals(layers: readonly PlanLayer[], plan: LayerPlan): PlanTotals {
  const end = featureIndex(layers, plan.featureLayer);
  const totals: PlanTotals = { frozen: 0, fineTune: 0, reinit: 0, cutAway: 0 };
  layers.forEach((l, i) => {
    if (i > end) totals.cutAway += l.params;
    else {
      const mode = modeOf(plan.modes, l);
      if (mode === 'frozen') totals.frozen += l.params;
      else if (mode === 'fine-tune') totals.fineTune += l.params;
      else totals.reinit += l.params;
    }
  });
  return totals;
}

export interface PlanWarning {
  message: string;
  /** A plan that resolves it, with a label for the button. */
  fix?: { label: string; plan: LayerPlan };
}

/** What in a plan breaks the network's structure or wastes its pretrained weights. */
export function planWarnings(layers: readonly PlanLayer[], plan: LayerPlan): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  const end = indexOf(layers, plan.featureLayer);
  const feature = layers[end];
  if (!feature)
    return [{ message: `There is no layer "${plan.featureLayer}" to take features from.` }];
  if (!feature.cutPoint) {
    const nearest = nearestCutPoint(layers, plan.featureLayer);
    warnings.push({
      message: `Taking features from ${plan.featureLayer} cuts through a residual block: a skip connection carries activations past this layer, so the layers before it do not produce a complete representation here.`,
      fix: nearest
        ? { label: `Use the block boundary ${nearest}`, plan: takeFeaturesFrom(plan, nearest) }
        : undefined,
    });
  }
  const used = layers.slice(0, end + 1);
  // The first trainable layer must sit right after a block boundary, or the frozen part is cut mid-block.
  const firstTrainable = used.findIndex((l) => modeOf(plan.modes, l) !== 'frozen');
  if (firstTrainable > 0) {
    if (!used[firstTrainable - 1]!.cutPoint) {
      const nearest = nearestCutPoint(layers, used[firstTrainable - 1]!.name);
      warnings.push({
        message: `Training starts inside a residual block (at ${used[firstTrainable]!.name}). It works, but the frozen part can only be cached up to the previous block boundary, and the block is half old, half new.`,
        fix: nearest
          ? {
              label: `Freeze up to the block boundary ${nearest}`,
              plan: freezeUpTo(layers, plan, nearest),
            }
          : undefined,
      });
    }
  }
  const reinitIdx = used.findIndex((l) => modeOf(plan.modes, l) === 'reinit');
  if (
    reinitIdx >= 0 &&
    used.slice(reinitIdx + 1).some((l) => l.params > 0 && modeOf(plan.modes, l) === 'frozen')
  ) {
    warnings.push({
      message: `${used[reinitIdx]!.name} is re-initialized but layers after it are Frozen: they expect the pretrained activations and will first see random ones. That is layer transfer in reverse (keep the last layers, re-train the first) — fine when intended, e.g. for speech.`,
    });
  }
  if (
    used.every((l) => l.params === 0 || modeOf(plan.modes, l) === 'reinit') &&
    used.some((l) => l.params > 0)
  ) {
    warnings.push({
      message:
        'Every layer is re-initialized: this trains the architecture from scratch; nothing is transferred.',
    });
  }
  return warnings;
}
