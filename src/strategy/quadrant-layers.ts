/**
 * What the quadrant rules need of a network: its layers as the plan editor lists them,
 * the hyper-parameters a plan carries, and where on the network a cut or a freeze line
 * at a given depth falls (block boundaries, never inside a residual block).
 */
import type { PlanLayer } from '../domain';
import { nearestCutPoint } from './layer-plan';

/** A layer of the loaded network as the plan rules see it (a local type: strategy/ stays pure). */
export interface StrategyLayer extends PlanLayer {
  className: string;
}

/** The hyper-parameters a quadrant implies; the rest of a run keeps its defaults. */
export interface PlanParams {
  /** New head (and re-initialised layers). */
  learningRate: number;
  /** Fine-tuned pretrained layers. */
  fineTuneLearningRate: number;
  epochs: number;
  /** L2-SP λ: λ/2·Σ‖w − w₀‖² over the fine-tuned pretrained weights. */
  conservation: number;
  head: 'softmax' | 'svm';
}

/**
 * Cut points next to a layer that is not one: the joins and entries of residual blocks
 * (MobileNetV2's `block_N_add`, `block_N_project_BN`). They are where one block's output is
 * complete, so they make better feature layers than a cut point in the middle of a plain
 * block. A network without skip connections (every layer a cut point) has none.
 */
export function blockBoundaries(layers: readonly PlanLayer[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) {
    const l = layers[i]!;
    const opensOrCloses = layers[i - 1]?.cutPoint === false || layers[i + 1]?.cutPoint === false;
    if (l.cutPoint && opensOrCloses) out.push(i);
  }
  return out;
}

/** The index in `candidates` closest to `target`, the earlier on a tie. */
export function closest(candidates: readonly number[], target: number): number | null {
  let best: number | null = null;
  for (const c of candidates)
    if (best === null || Math.abs(c - target) < Math.abs(best - target)) best = c;
  return best;
}

/** Index of the default feature layer, moved to the nearest cut point when it is none. */
export function featureIndex(layers: readonly PlanLayer[], name: string): number {
  const at = layers.findIndex((l) => l.name === name);
  if (at < 0) throw new Error(`There is no layer "${name}" to take features from.`);
  if (layers[at]!.cutPoint) return at;
  const nearest = nearestCutPoint(layers, name);
  return nearest === null ? at : layers.findIndex((l) => l.name === nearest);
}

/** Indices of the weighted layers up to `end`. */
export function weightedUpTo(layers: readonly PlanLayer[], end: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= end; i++) if (layers[i]!.params > 0) out.push(i);
  return out;
}

/** Cut points strictly inside the weighted part before `end` (where a cut leaves weights below it). */
export function innerCutPoints(layers: readonly PlanLayer[], end: number): number[] {
  const first = weightedUpTo(layers, end)[0];
  if (first === undefined) return [];
  const out: number[] = [];
  for (let i = first; i < end; i++) if (layers[i]!.cutPoint) out.push(i);
  return out;
}

/**
 * The block boundary (any inner cut point when the network has no residual blocks) nearest
 * `fraction` of the weighted depth below `end`; null when there is no cut point below `end`.
 */
export function blockBoundaryNear(
  layers: readonly PlanLayer[],
  end: number,
  fraction: number,
): number | null {
  const weighted = weightedUpTo(layers, end);
  if (weighted.length === 0) return null;
  const target = weighted[Math.max(0, Math.round(fraction * weighted.length) - 1)]!;
  const inside = innerCutPoints(layers, end);
  const boundaries = blockBoundaries(layers, weighted[0]!, end - 1);
  return closest(boundaries.length > 0 ? boundaries : inside, target);
}
