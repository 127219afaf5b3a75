/**
 * Job: sort dropped files into classes and decode them to uint8 at the model's input size,
 * into memory or — past the memory budget — into IndexedDB. Cancellable; a cancelled or
 * failed read leaves the dataset loaded before untouched.
 */
import { classifyFolder, type ClassifiedFile } from '../../data/folder-rules';
import { bytesPerImage, memorySink, type ImageSink } from '../../data/image-set';
import {
  EXAMPLES_PER_CLASS,
  PIXEL_STORAGE_SHARE,
  PROGRESS_REPORT_MS,
  type ClassSummary,
  type SkippedFile,
} from '../../domain';
import { throttle } from '../../training/throttle';
import {
  nextVersion,
  prefixHelpersOf,
  type Dataset,
  type JobHandler,
  type WorkerContext,
} from '../context';
import type { DatasetSummary } from '../protocol';

/** Side the images are decoded at before any model is loaded. */
const DEFAULT_SIDE = 224;

/** Reports `done` of `total` images decoded. */
type OnDecoded = (done: number, total: number) => void;

export const loadDataset: JobHandler<'load-dataset'> = async (ctx, req, reply) => {
  const ahead = req.chunked ? (ctx.pendingFiles.get(req.id) ?? []) : [];
  // Files sent ahead for older reads (superseded, or cut off by a restart) are dropped too.
  ctx.pendingFiles.clear();
  ctx.budgetBytes = req.memoryBudgetBytes ?? ctx.budgetBytes;
  const backToBefore = (reason?: string) =>
    reply({
      type: 'dataset-cancelled',
      previous: ctx.dataset ? summaryOf(ctx.dataset) : null,
      ...(reason ? { reason } : {}),
    });
  try {
    // Cancelled while its files were being handed over: nothing to sort or read.
    if (ctx.stops.has(req.id)) return backToBefore();
    const { files, classNames, skipped } = classifyFolder(
      ahead.length > 0 ? [...ahead, ...req.files] : req.files,
    );
    const dataset = await decodeFiles(
      ctx,
      req.id,
      files,
      classNames,
      [...req.skipped, ...skipped],
      (done, total) => reply({ type: 'decode-progress', done, total }),
    );
    if (dataset) {
      prefixHelpersOf(ctx); // start them while the user sets up the run
      reply({ type: 'dataset', ...summaryOf(dataset) });
    } else backToBefore();
  } catch (err) {
    // No room, storage full: what was loaded before stays, and the user reads why.
    backToBefore(err instanceof Error ? err.message : String(err));
  } finally {
    ctx.stops.delete(req.id);
  }
};

function summaryOf(dataset: Dataset): DatasetSummary {
  const classes: ClassSummary[] = dataset.classNames.map((name, c) => ({
    name,
    count: dataset.labels.filter((l) => l === c).length,
  }));
  return {
    classes,
    skipped: dataset.skipped,
    examples: examplePaths(dataset, EXAMPLES_PER_CLASS),
    where: dataset.images.where,
  };
}

/**
 * Decodes the same files again at the current model's input size (after a model change),
 * under the job `jobId` (a stop for it cancels).
 */
export async function redecodeDataset(
  ctx: WorkerContext,
  jobId: string,
  onDecoded: OnDecoded,
): Promise<void> {
  const old = ctx.dataset;
  if (!old) return;
  await decodeFiles(
    ctx,
    jobId,
    old.files,
    old.classNames,
    old.skipped.filter((s) => !s.decodeFailure),
    onDecoded,
  );
}

/** The first `perClass` image paths of each class. */
export function examplePaths(dataset: Dataset, perClass: number): string[] {
  return dataset.classNames.flatMap((_, c) =>
    dataset.files
      .filter((_f, i) => dataset.labels[i] === c)
      .slice(0, perClass)
      .map((f) => f.path),
  );
}

const GB = 2 ** 30;
const gb = (bytes: number) => `${(bytes / GB).toFixed(1)} GB`;

/**
 * Where `count` images of this side go: memory within the budget, else IndexedDB — if the
 * browser has room for them; if not, a message before anything is read.
 */
async function sinkFor(ctx: WorkerContext, count: number, side: number): Promise<ImageSink> {
  const bytes = count * bytesPerImage(side);
  if (bytes <= ctx.budgetBytes) return memorySink(side);
  const estimate = await globalThis.navigator?.storage?.estimate?.();
  if (estimate?.quota !== undefined) {
    const free = (estimate.quota - (estimate.usage ?? 0)) * PIXEL_STORAGE_SHARE;
    if (bytes > free)
      throw new Error(
        `${count.toLocaleString('en')} images at ${side}×${side} px need ${gb(bytes)} of browser storage, and this browser can give the studio about ${gb(free)}. Nothing was read. Choose a smaller input size (at 96 px: ${gb(count * bytesPerImage(96))}), fewer images, or free disk space.`,
      );
  }
  return ctx.pixels().sink(side);
}

/** Decodes every usable file; null when the job `jobId` was stopped (the dataset loaded before stays). */
async function decodeFiles(
  ctx: WorkerContext,
  jobId: string,
  usable: ClassifiedFile[],
  classNames: string[],
  skippedBefore: SkippedFile[],
  onDecoded: OnDecoded,
): Promise<Dataset | null> {
  const size = ctx.model?.resolution ?? DEFAULT_SIDE;
  const skipped = [...skippedBefore];
  const decoder = ctx.makeDecoder(size);
  const sink = await sinkFor(ctx, usable.length, size);
  const labels: number[] = [];
  const kept: ClassifiedFile[] = [];
  const report = throttle(PROGRESS_REPORT_MS);
  try {
    for (let i = 0; i < usable.length; i++) {
      if (ctx.stops.has(jobId)) {
        await sink.abort();
        return null;
      }
      const f = usable[i]!;
      const result = await decoder.decode(f.file);
      if (result.ok) {
        await sink.add(result.pixels);
        labels.push(classNames.indexOf(f.className));
        kept.push(f);
      } else {
        skipped.push({ path: f.path, reason: result.reason, decodeFailure: true });
      }
      if (report.due() || i === usable.length - 1) onDecoded(i + 1, usable.length);
    }
  } catch (err) {
    await sink.abort().catch(() => {});
    throw err;
  }
  const images = await sink.finish();
  // A class whose every file failed to decode is not a class.
  const present = classNames.filter((_, c) => labels.includes(c));
  const remap = classNames.map((c) => present.indexOf(c));
  const old = ctx.dataset;
  ctx.dataset = {
    version: nextVersion(ctx),
    files: kept,
    classNames: present,
    images,
    labels: labels.map((l) => remap[l]!),
    size,
    skipped,
  };
  ctx.prefixCache = null;
  await old?.images.clear();
  return ctx.dataset;
}
