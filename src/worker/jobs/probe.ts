/**
 * Job: the layer probe — raw pixels, layers and top features of the pretrained network,
 * nearest-centroid accuracy over seeded half/half splits — on every loaded image up to
 * `perClass` of each class (a seeded draw when a class has more).
 */
import { mulberry32, shuffleInPlace } from '../../data/split';
import { probe } from '../../training/probe';
import { liveTensors } from '../../training/switch';
import { switchTo } from '../../training/switch';
import { PROBE_PROGRESS_STEPS } from '../../domain';
import { inputSpecOf, type WorkerContext } from '../context';
import type { ProbeRequest } from '../protocol';

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

export async function runProbe(ctx: WorkerContext, req: ProbeRequest): Promise<void> {
  const { model, dataset: data, report } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  if (!data || data.images.length === 0) throw new Error('Load a dataset first.');
  if (!report) throw new Error('The worker has no backend yet.');
  const before = liveTensors();
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
        ctx.post({
          type: 'probe-progress',
          runId: req.runId,
          done: Math.round((done / total) * PROBE_PROGRESS_STEPS),
          total: PROBE_PROGRESS_STEPS,
        }),
      shouldStop: () => ctx.stops.has(req.runId),
    });
    if (points) ctx.post({ type: 'probe-result', runId: req.runId, points });
    else
      ctx.post({
        type: 'done',
        runId: req.runId,
        stopped: true,
        valAccuracy: 0,
        epochsRun: 0,
        bestEpoch: 0,
        stoppedEarly: false,
        timings: null,
        numTensors: liveTensors(),
        numTensorsBefore: before,
      });
  } finally {
    ctx.stops.delete(req.runId);
    await switchTo(report.active);
  }
}
