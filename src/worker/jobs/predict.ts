/**
 * Jobs that use a trained classifier: build it on the loaded network (kept until another
 * one is asked for), classify files or a camera frame, and export it as files.
 */
import { classifyFolder } from '../../data/folder-rules';
import { PROGRESS_REPORT_MS, type Prediction, type SkippedFile } from '../../domain';
import { buildClassifier, classifyImages, saveClassifier } from '../../model/classifier';
import { throttle } from '../../training/throttle';
import { inputSpecOf, onInferenceBackend, type WorkerContext } from '../context';
import type {
  ExportModelRequest,
  PredictFrameRequest,
  PredictRequest,
  UseClassifierRequest,
} from '../protocol';

export function useClassifier(ctx: WorkerContext, req: UseClassifierRequest): Promise<void> {
  return onInferenceBackend(ctx, () => useClassifierHere(ctx, req));
}

async function useClassifierHere(ctx: WorkerContext, req: UseClassifierRequest): Promise<void> {
  const { model } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  const spec = req.classifier;
  const built = await buildClassifier({
    artifacts: model.artifacts,
    spec: inputSpecOf(model),
    featureLayer: spec.featureLayer,
    weights: spec.weights,
  });
  ctx.classifier?.model.dispose();
  ctx.classifier = {
    key: spec.key,
    model: built,
    classNames: spec.classNames,
    size: model.resolution,
  };
  ctx.post({
    type: 'classifier-ready',
    runId: req.runId,
    key: spec.key,
    classNames: spec.classNames,
    imageSize: model.resolution,
  });
}

function classifierFor(ctx: WorkerContext, key: string) {
  const c = ctx.classifier;
  if (!c || c.key !== key)
    throw new Error('Choose the run to predict with again: its classifier is not loaded.');
  return c;
}

/** Probabilities → classes sorted by probability. */
export function topClasses(
  probabilities: ArrayLike<number>,
  classNames: readonly string[],
): Prediction['top'] {
  return Array.from(probabilities, (p, i) => ({
    className: classNames[i] ?? String(i),
    probability: p,
  })).sort((a, b) => b.probability - a.probability);
}

export function predict(ctx: WorkerContext, req: PredictRequest): Promise<void> {
  return onInferenceBackend(ctx, () => predictHere(ctx, req));
}

async function predictHere(ctx: WorkerContext, req: PredictRequest): Promise<void> {
  const c = classifierFor(ctx, req.key);
  // Class sub-folders, when there are any, say the true class; loose files have none.
  const { files, skipped } = classifyFolder(req.files);
  const loose = skipped.filter((s) => s.reason === 'not inside a class folder');
  const usable = [
    ...files.map((f) => ({ path: f.path, file: f.file, truth: f.className as string | null })),
    ...req.files
      .filter((f) => loose.some((l) => l.path === f.path))
      .map((f) => ({ ...f, truth: null })),
  ];
  const refused: SkippedFile[] = skipped.filter((s) => s.reason !== 'not inside a class folder');
  const decoder = ctx.makeDecoder(c.size);
  const images: Uint8Array[] = [];
  const kept: typeof usable = [];
  const report = throttle(PROGRESS_REPORT_MS);
  for (let i = 0; i < usable.length; i++) {
    const result = await decoder.decode(usable[i]!.file);
    if (result.ok) {
      images.push(result.pixels);
      kept.push(usable[i]!);
    } else refused.push({ path: usable[i]!.path, reason: result.reason, decodeFailure: true });
    if (report.due() || i === usable.length - 1)
      ctx.post({ type: 'decode-progress', runId: req.runId, done: i + 1, total: usable.length });
  }
  const probs = await classifyImages(c.model, images, c.size);
  const known = new Set(c.classNames);
  ctx.post({
    type: 'predictions',
    runId: req.runId,
    results: kept.map((f, i) => ({
      path: f.path,
      top: topClasses(probs[i]!, c.classNames),
      truth: f.truth !== null && known.has(f.truth) ? f.truth : null,
    })),
    skipped: refused,
  });
}

export function predictFrame(ctx: WorkerContext, req: PredictFrameRequest): Promise<void> {
  return onInferenceBackend(ctx, () => predictFrameHere(ctx, req));
}

async function predictFrameHere(ctx: WorkerContext, req: PredictFrameRequest): Promise<void> {
  const c = classifierFor(ctx, req.key);
  const canvas = new OffscreenCanvas(c.size, c.size);
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  // Centre square, as Teachable Machine crops the camera.
  const side = Math.min(req.frame.width, req.frame.height);
  g.drawImage(
    req.frame,
    (req.frame.width - side) / 2,
    (req.frame.height - side) / 2,
    side,
    side,
    0,
    0,
    c.size,
    c.size,
  );
  req.frame.close();
  const rgba = g.getImageData(0, 0, c.size, c.size).data;
  const rgb = new Uint8Array(c.size * c.size * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  const [probs] = await classifyImages(c.model, [rgb], c.size);
  ctx.post({ type: 'frame-prediction', runId: req.runId, top: topClasses(probs!, c.classNames) });
}

export function exportModel(ctx: WorkerContext, req: ExportModelRequest): Promise<void> {
  return onInferenceBackend(ctx, () => exportModelHere(ctx, req));
}

async function exportModelHere(ctx: WorkerContext, req: ExportModelRequest): Promise<void> {
  const c = classifierFor(ctx, req.key);
  const { modelJson, weights } = await saveClassifier(c.model);
  ctx.post(
    {
      type: 'exported-model',
      runId: req.runId,
      modelJson,
      weights,
      imageSize: c.size,
      classNames: c.classNames,
    },
    [weights],
  );
}
