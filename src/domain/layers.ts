/**
 * Layers and plans: what happens to each layer's pretrained weights (DESIGN.md §1), and
 * the one rule that says which mode a layer is in.
 */

/** Frozen (copied, not trained), Fine-tune (copied, trained), Re-initialize (shape kept, weights reset, trained). */
export type LayerMode = 'frozen' | 'fine-tune' | 'reinit';

export const MODE_LABEL: Record<LayerMode, string> = {
  frozen: 'Frozen',
  'fine-tune': 'Fine-tune',
  reinit: 'Re-initialize',
};

/** One layer of a network, as the studio shows it. */
export interface LayerInfo {
  name: string;
  className: string;
  /** e.g. "112×112×32"; several outputs are joined with " | ". */
  outputShape: string;
  params: number;
  /** True when exactly one tensor flows on after this layer (no skip connection crosses). */
  cutPoint: boolean;
}

/** What plan rules need of a layer. */
export type PlanLayer = Pick<LayerInfo, 'name' | 'params' | 'cutPoint'>;

/** What to train: a mode per layer (absent = Frozen) and the layer features are taken from. */
export interface LayerPlan {
  modes: Record<string, LayerMode>;
  featureLayer: string;
}

/** The plan a network starts with: every layer Frozen, features from the given layer. */
export function allFrozen(featureLayer: string): LayerPlan {
  return { modes: {}, featureLayer };
}

/**
 * The mode of a layer under a plan. Layers without weights (activations, pooling, add)
 * have nothing to train or reset, so they are always Frozen; any other layer absent from
 * the plan is Frozen too.
 */
export function modeOf(
  modes: Readonly<Record<string, LayerMode>>,
  layer: { name: string; params: number },
): LayerMode {
  return layer.params === 0 ? 'frozen' : (modes[layer.name] ?? 'frozen');
}

/** Weighted layers up to and including the feature layer (all of them when it is not found). */
export function layersInUse<L extends { name: string; params: number }>(
  layers: readonly L[],
  featureLayer: string,
): L[] {
  const end = layers.findIndex((l) => l.name === featureLayer);
  return layers.filter((l, i) => l.params > 0 && (end < 0 || i <= end));
}

/** How many weighted layers in use are in each mode. */
export function countModes(
  layers: readonly { name: string; params: number }[],
  plan: LayerPlan,
): Record<LayerMode, number> & { weighted: number } {
  const used = layersInUse(layers, plan.featureLayer);
  const counts = { frozen: 0, 'fine-tune': 0, reinit: 0, weighted: used.length };
  for (const l of used) counts[modeOf(plan.modes, l)]++;
  return counts;
}
