import { CACHE_BUDGET_BYTES, modeOf, type LayerInfo, type LayerPlan } from '../domain';
import { useStudio } from '../state/store';

/**
 * Above this much pixel data the studio warns as soon as a folder is picked: the worker
 * holds every image as uint8 RGB at the input size. 10,000 images at 224 px (1.4 GB)
 * trained without trouble in the benchmark (bench/2026-11-29-scale-10000.md); past 2 GB
 * a tab is at the mercy of the machine's memory.
 */
export const IMAGE_MEMORY_WARNING_BYTES = 2 * 2 ** 30;

export interface MemoryEstimate {
  /** Pixels held in the worker: images × side × side × 3 bytes. */
  imageBytes: number;
  /** The frozen prefix cached per image, or null when nothing is frozen or augmentation is on. */
  cache: { layer: string; shape: string; bytes: number; fits: boolean } | null;
  augmenting: boolean;
}

const product = (shape: string) =>
  shape
    .split('×')
    .map(Number)
    .reduce((a, b) => a * (Number.isFinite(b) ? b : 1), 1);

/**
 * What the worker keeps for `images` images at `side` px with this plan: the pixels, and
 * the activations of the longest all-Frozen prefix that ends at a cut point (the engine's
 * rule), which fit in `CACHE_BUDGET_BYTES` or are recomputed every step.
 */
export function memoryEstimate(
  layers: readonly LayerInfo[],
  plan: LayerPlan,
  images: number,
  side: number,
  augmenting: boolean,
): MemoryEstimate {
  const imageBytes = images * side * side * 3;
  if (augmenting) return { imageBytes, cache: null, augmenting };
  const end = layers.findIndex((l) => l.name === plan.featureLayer);
  let cut: LayerInfo | null = null;
  for (const [i, layer] of layers.entries()) {
    if (end >= 0 && i > end) break;
    if (modeOf(plan.modes, layer) !== 'frozen') break;
    if (layer.cutPoint) cut = layer;
  }
  if (!cut || cut === layers[0]) return { imageBytes, cache: null, augmenting };
  const bytes = images * product(cut.outputShape) * 4;
  return {
    imageBytes,
    cache: { layer: cut.name, shape: cut.outputShape, bytes, fits: bytes <= CACHE_BUDGET_BYTES },
    augmenting,
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GB`;
  if (bytes >= 2 ** 20) {
    const mb = bytes / 2 ** 20;
    return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 2 ** 10))} KB`;
}

/** The worker's memory for this dataset and plan, in numbers, and what falls back to recomputation. */
export function MemoryNote() {
  const model = useStudio((s) => s.model);
  const plan = useStudio((s) => s.plan);
  const classes = useStudio((s) => s.classes);
  const decoding = useStudio((s) => s.decoding);
  const augment = useStudio((s) => s.params.augment);
  const images = decoding?.total || classes.reduce((n, c) => n + c.count, 0);
  if (!model || images === 0) return null;
  const side = model.resolution;
  const m = memoryEstimate(
    model.layers,
    plan,
    images,
    side,
    augment.flip || augment.crop || augment.brightness,
  );
  const budget = formatBytes(CACHE_BUDGET_BYTES);
  return (
    <>
      <p
        role="status"
        aria-label="Memory"
        className="small muted"
        data-image-bytes={m.imageBytes}
        data-cache-bytes={m.cache?.bytes ?? 0}
        data-cache-fits={m.cache ? String(m.cache.fits) : ''}
      >
        Memory in the worker: images {formatBytes(m.imageBytes)} ({images.toLocaleString('en')} ×{' '}
        {side}×{side} RGB).{' '}
        {m.augmenting
          ? 'Augmentation is on, so nothing is cached: the frozen layers run on every step.'
          : !m.cache
            ? 'Nothing frozen at a cut point, so nothing is cached: every step runs the whole network.'
            : m.cache.fits
              ? `Frozen-prefix cache: ${formatBytes(m.cache.bytes)} of the ${budget} budget (${m.cache.layer}, ${m.cache.shape} per image); epochs start from it.`
              : `Frozen-prefix cache: would be ${formatBytes(m.cache.bytes)} (${m.cache.layer}, ${m.cache.shape} per image), over the ${budget} budget, so the frozen layers are recomputed on every step instead: slower, no more memory.`}
      </p>
      {m.imageBytes > IMAGE_MEMORY_WARNING_BYTES && (
        <p role="alert" className="warning small">
          {images.toLocaleString('en')} images at {side} px hold {formatBytes(m.imageBytes)} of
          pixels in the worker, more than a browser tab can be relied on to keep. Choose a smaller
          input size (at 128 px: {formatBytes(images * 128 * 128 * 3)}) or fewer images per class.
        </p>
      )}
    </>
  );
}
