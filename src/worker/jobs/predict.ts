/**
 * Jobs that use a trained classifier: build it on the loaded network (kept until another
 * one is asked for), classify files or a camera frame, and export it as files.
 */
import { classifyFolder } from '../../data/folder-rules';
import type { Prediction, SkippedFile } from '../../domain';
import { buildClassifier, classifyImages, saveClassifier } from '../../model/classifier';
import { forInference, inputSpecOf, type JobHandler, type WorkerContext } from '../context';

export const useClassifier: JobHandler<'use-classifier'> = forInference(async (ctx, req, reply) => {
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
  reply({ type: 'classifier-ready', classNames: spec.classNames, imageSize: model.resolution });
});

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

export const predict: JobHandler<'predict'> = forInference(async (ctx, req, reply) => {
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
  for (const f of usable) {
    const result = await decoder.decode(f.file);
    if (result.ok) {
      images.push(result.pixels);
      kept.push(f);
    } else refused.push({ path: f.path, reason: result.reason, decodeFailure: true });
  }
  const probs = await classifyImages(c.model, images, c.size, req.flip);
  const known = new Set(c.classNames);
  reply({
    type: 'predictions',
    results: kept.map((f, i) => ({
      path: f.path,
      top: topClasses(probs[i]!, c.classNames),
      truth: f.truth !== null && known.has(f.truth) ? f.truth : null,
    })),
    skipped: refused,
  });
});

export const predictFrame: JobHandler<'predict-frame'> = forInference(async (ctx, req, reply) => {
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
  const [probs] = await classifyImages(c.model, [rgb], c.size, req.flip);
  reply({ type: 'frame-prediction', top: topClasses(probs!, c.classNames) });
});

export const exportModel: JobHandler<'export-model'> = forInference(async (ctx, req, reply) => {
  const c = classifierFor(ctx, req.key);
  const { modelJson, weights } = await saveClassifier(c.model);
  reply(
    { type: 'exported-model', modelJson, weights, imageSize: c.size, classNames: c.classNames },
    [weights],
  );
});
