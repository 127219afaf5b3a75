/**
 * Where a plan's network ends and how much of it is computed only once: the index of the
 * feature layer, and the longest all-Frozen prefix that ends at a cut point — the part the
 * engine runs once per image and caches, the cost estimate leaves out of each epoch and the
 * memory note sizes. One rule for all three.
 */
import { modeOf, type LayerPlan, type PlanLayer } from './layers';
import type { TrainParams } from './params';

/**
 * Index of the layer features are taken from. A plan that names no layer of this network
 * uses every layer: the last index (−1 for an empty list).
 */
export function featureIndex(layers: readonly { name: string }[], featureLayer: string): number {
  const at = layers.findIndex((l) => l.name === featureLayer);
  return at < 0 ? layers.length - 1 : at;
}

/** Why features cannot be taken from `featureLayer` of this network, or null when they can. */
export function featureLayerProblem(
  layers: readonly Pick<PlanLayer, 'name' | 'cutPoint'>[],
  featureLayer: string,
): string | null {
  const layer = layers.find((l) => l.name === featureLayer);
  if (!layer) return `The network has no layer "${featureLayer}" to take features from.`;
  if (!layer.cutPoint)
    return `Features cannot be taken from "${featureLayer}": a skip connection crosses it. Choose a block boundary.`;
  return null;
}

/**
 * Index of the last layer of the longest all-Frozen prefix that ends at a cut point, no
 * further than the feature layer; 0 when there is none (the first layer alone is not worth
 * caching). A layer without weights is always Frozen (`modeOf`).
 */
export function frozenPrefixEnd(layers: readonly PlanLayer[], plan: LayerPlan): number {
  const end = featureIndex(layers, plan.featureLayer);
  let k = 0;
  for (let i = 0; i <= end; i++) {
    if (modeOf(plan.modes, layers[i]!) !== 'frozen') break;
    if (layers[i]!.cutPoint) k = i;
  }
  return k;
}

/**
 * Whether training changes the input images (flip, crop, brightness): then every step sees
 * new inputs, and no frozen prefix can be computed once and cached.
 */
export function augments(augment: TrainParams['augment']): boolean {
  return augment.flip || augment.crop || augment.brightness;
}
