/** What a plan does to each block: its parameters by mode, one mode for a whole block, its drift. */
import { featureIndex, modeOf, type LayerMode, type LayerPlan, type PlanLayer } from '../domain';
import type { NetworkBlock } from './blocks';

/** Parameters of a block's layers by mode under a plan; layers after the feature layer are cut away. */
export interface BlockMix {
  frozen: number;
  fineTune: number;
  reinit: number;
  cutAway: number;
  /** Weighted layers in use, by mode. */
  layers: Record<LayerMode, number>;
}

export function blockMix(
  block: NetworkBlock,
  layers: readonly PlanLayer[],
  plan: LayerPlan,
): BlockMix {
  const end = featureIndex(layers, plan.featureLayer);
  const mix: BlockMix = {
    frozen: 0,
    fineTune: 0,
    reinit: 0,
    cutAway: 0,
    layers: { frozen: 0, 'fine-tune': 0, reinit: 0 },
  };
  for (let i = block.first; i <= block.last; i++) {
    const l = layers[i]!;
    if (i > end) {
      mix.cutAway += l.params;
      continue;
    }
    if (l.params === 0) continue;
    const mode = modeOf(plan.modes, l);
    mix.layers[mode]++;
    if (mode === 'frozen') mix.frozen += l.params;
    else if (mode === 'fine-tune') mix.fineTune += l.params;
    else mix.reinit += l.params;
  }
  return mix;
}

/** Every weighted layer of a block in one mode (Re-initialize a block by one click). */
export function setBlockMode(
  block: NetworkBlock,
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  mode: LayerMode,
): LayerPlan {
  const modes = { ...plan.modes };
  for (let i = block.first; i <= block.last; i++) {
    const l = layers[i]!;
    if (l.params > 0) modes[l.name] = mode;
  }
  return { ...plan, modes };
}

/**
 * A block's drift: the parameter-weighted root mean square of its layers' ‖w − w₀‖/‖w₀‖ —
 * exact when each layer's ‖w₀‖² grows with its parameter count. Null when no layer moved.
 */
export function blockDrift(
  block: NetworkBlock,
  layers: readonly PlanLayer[],
  drift: Readonly<Record<string, number>>,
): number | null {
  let sum = 0;
  let weight = 0;
  for (let i = block.first; i <= block.last; i++) {
    const l = layers[i]!;
    const d = drift[l.name];
    if (d === undefined || l.params === 0) continue;
    sum += d * d * l.params;
    weight += l.params;
  }
  return weight > 0 ? Math.sqrt(sum / weight) : null;
}
