/** Job: the learning-rate range test on the loaded network and dataset, with the user's plan. */
import { stratifiedSplit } from '../../data/split';
import { BATCH_REPORT_MS, CACHE_BUDGET_BYTES } from '../../domain';
import { findLearningRate } from '../../training/lr-find';
import { liveTensors, switchTo } from '../../training/switch';
import { throttle } from '../../training/throttle';
import { inputSpecOf, type JobHandler } from '../context';

export const lrFind: JobHandler<'lr-find'> = async (ctx, req, reply) => {
  const { id, params, plan } = req;
  const { model, dataset: data, report } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  if (!data || data.images.length === 0) throw new Error('No dataset is loaded yet.');
  if (!report) throw new Error('The worker has no backend yet.');
  if (data.size !== model.resolution)
    throw new Error('The images are still being prepared for this model; try again in a moment.');
  const before = liveTensors();
  // The same split a training run with these parameters uses: the sweep sees its training images only.
  const split = stratifiedSplit(
    data.labels,
    params.validationFraction,
    params.splitSeed ?? params.seed,
    params.testFraction,
  );
  const due = throttle(BATCH_REPORT_MS);
  try {
    const out = await findLearningRate({
      artifacts: model.artifacts,
      spec: inputSpecOf(model),
      plan,
      params,
      images: data.images,
      labels: data.labels,
      numClasses: data.classNames.length,
      split,
      cacheKey: `${model.version}@${data.version}`,
      cache: ctx.prefixCache,
      cacheBudgetBytes: CACHE_BUDGET_BYTES,
      backends: report.jobs,
      shouldStop: () => ctx.stops.has(id),
      onPrefixProgress: (done, total) =>
        (done === total || due.due()) &&
        reply({ type: 'lr-find-progress', phase: 'features', done, total }),
      onStep: (phase, done, total) =>
        due.due() && reply({ type: 'lr-find-progress', phase, done, total }),
    });
    ctx.prefixCache = out.cache;
    reply({
      type: 'lr-find-result',
      result: {
        head: out.head,
        fineTune: out.fineTune,
        stopped: out.stopped,
        numTensors: liveTensors(),
        numTensorsBefore: before,
      },
    });
  } finally {
    ctx.stops.delete(id);
    await switchTo(report.active);
  }
};
