import { useId } from 'react';
import { augments, CACHE_BUDGET_BYTES, IMAGE_BUDGET_MB } from '../domain';
import { useStudio } from '../state/store';
import { imagesInStorage, memoryEstimate } from '../strategy/memory';

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(2)} GB`;
  if (bytes >= 2 ** 20) {
    const mb = bytes / 2 ** 20;
    return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
  }
  return `${Math.max(1, Math.round(bytes / 2 ** 10))} KB`;
}

/** Smallest and largest memory budget for decoded images the user can set, in MB. */
const BUDGET_MB = IMAGE_BUDGET_MB;

/** The worker's memory for this dataset and plan, in numbers, and what falls back to recomputation or storage. */
export function MemoryNote() {
  const model = useStudio((s) => s.model);
  const plan = useStudio((s) => s.plan);
  const classes = useStudio((s) => s.classes);
  // Not the whole read progress: only whether images are being read, and how many.
  const reading = useStudio((s) => s.decoding !== null);
  const readingTotal = useStudio((s) => s.decoding?.total ?? 0);
  const augment = useStudio((s) => s.params.augment);
  const where = useStudio((s) => s.imagesWhere);
  const budgetBytes = useStudio((s) => s.imageBudgetBytes);
  const setBudget = useStudio((s) => s.setImageBudget);
  const fieldId = useId();
  const images = readingTotal || classes.reduce((n, c) => n + c.count, 0);
  if (!model || images === 0) return null;
  const side = model.resolution;
  const m = memoryEstimate(model.layers, plan, images, side, augments(augment));
  const budget = formatBytes(CACHE_BUDGET_BYTES);
  const stored = imagesInStorage(m.imageBytes, budgetBytes, reading, where);
  const pixels = `${formatBytes(m.imageBytes)} (${images.toLocaleString('en')} × ${side}×${side} RGB)`;
  return (
    <>
      <p
        role="status"
        aria-label="Memory"
        className="small muted"
        data-image-bytes={m.imageBytes}
        data-images-where={stored ? 'storage' : 'memory'}
        data-cache-bytes={m.cache?.bytes ?? 0}
        data-cache-fits={m.cache ? String(m.cache.fits) : ''}
      >
        {stored
          ? `Images: ${pixels}, more than the ${formatBytes(budgetBytes)} kept in memory, so they are kept in this browser's storage and read one batch at a time.`
          : `Memory in the worker: images ${pixels}.`}{' '}
        {m.augmenting
          ? `Augmentation is on, so nothing is cached: the frozen layers run on every step${stored ? ', on images read from storage' : ''}.`
          : !m.cache
            ? `Nothing frozen at a cut point, so nothing is cached: every step runs the whole network${stored ? ' on images read from storage' : ''}.`
            : m.cache.fits
              ? `Frozen-prefix cache: ${formatBytes(m.cache.bytes)} of the ${budget} budget (${m.cache.layer}, ${m.cache.shape} per image); epochs start from it.`
              : `Frozen-prefix cache: would be ${formatBytes(m.cache.bytes)} (${m.cache.layer}, ${m.cache.shape} per image), over the ${budget} budget, so the frozen layers are recomputed on every step instead: slower, no more memory.`}
      </p>
      <p className="small muted">
        <label htmlFor={fieldId}>Images in memory up to (MB)</label>{' '}
        <input
          id={fieldId}
          type="number"
          className="narrow"
          min={BUDGET_MB.min}
          max={BUDGET_MB.max}
          step={16}
          defaultValue={Math.round(budgetBytes / 2 ** 20)}
          onChange={(e) => {
            const mb = e.target.valueAsNumber;
            if (Number.isFinite(mb) && mb >= BUDGET_MB.min && mb <= BUDGET_MB.max)
              setBudget(Math.round(mb) * 2 ** 20);
          }}
        />{' '}
        — past it, images are read from browser storage per batch (applies to the next folder read).
      </p>
    </>
  );
}
