/**
 * Job: the layer probe — raw pixels, layers and top features of the pretrained network,
 * nearest-centroid accuracy over seeded half/half splits — on every loaded image up to
 * `perClass` of each class (a seeded draw when a class has more).
 */
import { mulberry32, shuffleInPlace } from '../../data/split';
import { probe } from '../../training/probe';
import { switchTo } from '../../training/switch';
import { PROBE_PROGRESS_STEPS } from '../../domain';
import { inputSpecOf, type JobHandler } from '../context';

/** Indices of at most `perClass` images of each class, drawn with `seed`. */
export function probeSample(
  labels: readonly number[],
  numClasses: number,
  perClass: number,
  seed: number,
): number[] {
  const random = mulberry32(seed);
  const chosen: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const members = labels.flatMap((l, i) => (l === c ? [i] : []));
    chosen.push(...shuffleInPlace(members, random).slice(0, perClass));
  }
  return chosen;
}

/** Ends with the probe's points, or `probe-stopped` when a `stop` came first. */
export const runProbe: JobHandler<'probe'> = async (ctx, req, reply) => {
  const { model, dataset: data, report } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  if (!data || data.images.length === 0) throw new Error('Load a dataset first.');
  if (!report) throw new Error('The worker has no backend yet.');
  const chosen = probeSample(data.labels, data.classNames.length, req.perClass, req.seed);
  await switchTo(report.jobs.features);
  try {
    const points = await probe({
      artifacts: model.artifacts,
      spec: inputSpecOf(model),
      featureLayer: model.card.featureLayer,
      images: await data.images.read(chosen),
      labels: chosen.map((i) => data.labels[i]!),
      numClasses: data.classNames.length,
      seed: req.seed,
      onProgress: (done, total) =>
        reply({
          type: 'probe-progress',
          done: Math.round((done / total) * PROBE_PROGRESS_STEPS),
        }),
      shouldStop: () => ctx.stops.has(req.id),
    });
    reply(points ? { type: 'probe-result', points } : { type: 'probe-stopped' });
  } finally {
    ctx.stops.delete(req.id);
    await switchTo(report.active);
  }
};
