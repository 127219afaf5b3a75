/**
 * The two lines drawn across the network's blocks, each as a value ↔ plan mapping: the freeze
 * line (frozen below, fine-tuned above, snapped to block boundaries) and the feature cut.
 */
import { featureIndex, modeOf, type LayerPlan, type PlanLayer } from '../domain';
import { blockOfLayer, type NetworkBlock } from './blocks';
import { freezeUpTo, takeFeaturesFrom } from './layer-plan';

/**
 * The freeze line's positions: `stops` are the weighted blocks in use (up to the block that
 * holds the feature layer), input first. Value v freezes the first v of them and fine-tunes
 * the rest: 0 = nothing frozen, stops.length = everything frozen.
 */
export interface FreezeLine {
  stops: number[];
  /** Where the plan puts the line: the number of leading stops whose weighted layers are all Frozen. */
  value: number;
  /** True when the plan is exactly "frozen below the line, Fine-tune above" (no Re-initialize, no mix). */
  exact: boolean;
  /** Index of the feature layer: the line never freezes past it. */
  end: number;
}

/** Where the freeze line is under a plan (plan → value). */
export function freezeLine(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
): FreezeLine {
  const end = featureIndex(layers, plan.featureLayer);
  const stops: number[] = [];
  blocks.forEach((b, i) => {
    if (b.first > end) return;
    if (layers.slice(b.first, Math.min(b.last, end) + 1).some((l) => l.params > 0)) stops.push(i);
  });
  const modesOf = (b: NetworkBlock) =>
    layers
      .slice(b.first, Math.min(b.last, end) + 1)
      .filter((l) => l.params > 0)
      .map((l) => modeOf(plan.modes, l));
  let value = 0;
  while (value < stops.length && modesOf(blocks[stops[value]!]!).every((m) => m === 'frozen'))
    value++;
  const exact = stops
    .slice(value)
    .every((s) => modesOf(blocks[s]!).every((m) => m === 'fine-tune'));
  return { stops, value, exact, end };
}

/**
 * The last layer frozen at value v (the boundary the line sits on), or null at 0: the last
 * layer of the v-th stop block, or the feature layer when the cut falls inside that block.
 */
export function freezeBoundary(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  line: FreezeLine,
  value: number,
): string | null {
  if (value <= 0) return null;
  const block = blocks[line.stops[Math.min(value, line.stops.length) - 1]!]!;
  return layers[Math.min(block.last, line.end)]?.name ?? null;
}

/**
 * The plan with the freeze line at `value` (value → plan): every weighted layer below the line
 * Frozen, every one above it Fine-tune (`freezeUpTo`); the feature layer is kept.
 */
export function planAtFreezeLine(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  value: number,
): LayerPlan {
  const line = freezeLine(blocks, layers, plan);
  const v = Math.max(0, Math.min(line.stops.length, Math.round(value)));
  const boundary = freezeBoundary(blocks, layers, line, v);
  if (boundary !== null) return freezeUpTo(layers, plan, boundary);
  // Nothing frozen: freeze up to the layer before the first weighted block (none: −1).
  const first = line.stops[0] === undefined ? 0 : blocks[line.stops[0]]!.first;
  return freezeUpTo(layers, plan, layers[first - 1]?.name ?? '');
}

/**
 * Snaps a freeze boundary chosen at any layer to the nearest block boundary: the value whose
 * boundary layer is closest to `layerIndex` (the lower one on a tie).
 */
export function snapFreezeValue(
  blocks: readonly NetworkBlock[],
  line: FreezeLine,
  layerIndex: number,
): number {
  const at = (v: number) =>
    v === 0 ? (blocks[line.stops[0]!]?.first ?? 0) - 1 : blocks[line.stops[v - 1]!]!.last;
  let best = 0;
  for (let v = 1; v <= line.stops.length; v++)
    if (Math.abs(at(v) - layerIndex) < Math.abs(at(best) - layerIndex)) best = v;
  return best;
}

/** The index of the position nearest `x` (the first on a tie): pointer → slider stop. */
export function nearestPosition(positions: readonly number[], x: number): number {
  let best = 0;
  positions.forEach((p, i) => {
    if (Math.abs(p - x) < Math.abs(positions[best]! - x)) best = i;
  });
  return best;
}

/**
 * Where features may be taken, as blocks: every block after the input (the cut goes after
 * the block's last layer). `value` is the block holding the feature layer; `inside` is true
 * when the feature layer is not that block's last layer.
 */
export interface FeatureCut {
  stops: number[];
  value: number;
  inside: boolean;
}

export function featureCut(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
): FeatureCut {
  const stops = blocks.flatMap((b, i) => (b.kind === 'input' ? [] : [i]));
  const end = featureIndex(layers, plan.featureLayer);
  const value = blockOfLayer(blocks, end);
  return { stops, value, inside: blocks[value]?.last !== end };
}

/** Take features after block `index` (its last layer); the modes are kept. */
export function planAtCut(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  index: number,
): LayerPlan {
  const block = blocks[index];
  const name = block ? layers[block.last]?.name : undefined;
  return name ? takeFeaturesFrom(plan, name) : plan;
}
