/**
 * What the worker keeps in memory for a dataset and a plan: the decoded pixels, and the
 * activations of the frozen prefix (domain/frozen-prefix.ts) cached per image, which fit in
 * `CACHE_BUDGET_BYTES` or are recomputed every step.
 */
import {
  CACHE_BUDGET_BYTES,
  frozenPrefixEnd,
  shapeValues,
  type LayerInfo,
  type LayerPlan,
} from '../domain';

export interface MemoryEstimate {
  /** Pixels held in the worker: images × side × side × 3 bytes. */
  imageBytes: number;
  /** The frozen prefix cached per image, or null when nothing is frozen or augmentation is on. */
  cache: { layer: string; shape: string; bytes: number; fits: boolean } | null;
  augmenting: boolean;
}

/** Memory for `images` images at `side` px under `plan` (float32 activations, RGB bytes). */
export function memoryEstimate(
  layers: readonly LayerInfo[],
  plan: LayerPlan,
  images: number,
  side: number,
  augmenting: boolean,
): MemoryEstimate {
  const imageBytes = images * side * side * 3;
  if (augmenting) return { imageBytes, cache: null, augmenting };
  const k = frozenPrefixEnd(layers, plan);
  const cut = layers[k];
  if (k === 0 || !cut) return { imageBytes, cache: null, augmenting };
  const bytes = images * shapeValues(cut.outputShape) * 4;
  return {
    imageBytes,
    cache: { layer: cut.name, shape: cut.outputShape, bytes, fits: bytes <= CACHE_BUDGET_BYTES },
    augmenting,
  };
}

/**
 * Whether the dataset's images are kept in browser storage rather than memory: while they
 * are being read, where the budget sends them (more bytes than the budget); once read,
 * where they went.
 */
export function imagesInStorage(
  imageBytes: number,
  budgetBytes: number,
  reading: boolean,
  where: 'memory' | 'storage' | null,
): boolean {
  return reading ? imageBytes > budgetBytes : where === 'storage';
}
