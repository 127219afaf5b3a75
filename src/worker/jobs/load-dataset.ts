/** Job: sort dropped files into classes and decode them to uint8 at the model's input size. */
import { classifyFolder, type ClassifiedFile } from '../../data/folder-rules';
import {
  EXAMPLES_PER_CLASS,
  PROGRESS_REPORT_MS,
  type ClassSummary,
  type SkippedFile,
} from '../../domain';
import { throttle } from '../../training/throttle';
import { nextVersion, type Dataset, type WorkerContext } from '../context';
import type { LoadDatasetRequest } from '../protocol';

/** Side the images are decoded at before any model is loaded. */
const DEFAULT_SIDE = 224;

export async function loadDataset(ctx: WorkerContext, req: LoadDatasetRequest): Promise<void> {
  const { files: usable, classNames, skipped } = classifyFolder(req.files);
  const dataset = await decodeFiles(ctx, req.runId, usable, classNames, [
    ...req.skipped,
    ...skipped,
  ]);
  const classes: ClassSummary[] = dataset.classNames.map((name, c) => ({
    name,
    count: dataset.labels.filter((l) => l === c).length,
  }));
  ctx.post({
    type: 'dataset',
    runId: req.runId,
    classes,
    skipped: dataset.skipped,
    inputSize: dataset.size,
    examples: examplePaths(dataset, EXAMPLES_PER_CLASS),
  });
}

/** Decodes the same files again at the current model's input size (after a model change). */
export async function redecodeDataset(ctx: WorkerContext, runId: string): Promise<void> {
  const old = ctx.dataset;
  if (!old) return;
  await decodeFiles(
    ctx,
    runId,
    old.files,
    old.classNames,
    old.skipped.filter((s) => !s.decodeFailure),
  );
  ctx.post({ type: 'dataset-resized', runId, inputSize: ctx.dataset!.size });
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

async function decodeFiles(
  ctx: WorkerContext,
  runId: string,
  usable: ClassifiedFile[],
  classNames: string[],
  skippedBefore: SkippedFile[],
): Promise<Dataset> {
  const size = ctx.model?.resolution ?? DEFAULT_SIDE;
  const skipped = [...skippedBefore];
  const decoder = ctx.makeDecoder(size);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  const kept: ClassifiedFile[] = [];
  const report = throttle(PROGRESS_REPORT_MS);
  for (let i = 0; i < usable.length; i++) {
    const f = usable[i]!;
    const result = await decoder.decode(f.file);
    if (result.ok) {
      images.push(result.pixels);
      labels.push(classNames.indexOf(f.className));
      kept.push(f);
    } else {
      skipped.push({ path: f.path, reason: result.reason, decodeFailure: true });
    }
    if (report.due() || i === usable.length - 1)
      ctx.post({ type: 'decode-progress', runId, done: i + 1, total: usable.length });
  }
  // A class whose every file failed to decode is not a class.
  const present = classNames.filter((_, c) => labels.includes(c));
  const remap = classNames.map((c) => present.indexOf(c));
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
  return ctx.dataset;
}
