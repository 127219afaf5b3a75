/** Job: one training run with the user's plan, its evaluation, and the forgetting measurement. */
import { stratifiedSplit } from '../../data/split';
import { CACHE_BUDGET_BYTES, type Evaluation, type RunTimings } from '../../domain';
import { trainWithPlan } from '../../training/engine';
import { pristineSourceAccuracy, sourceAccuracy } from '../../training/forgetting';
import { liveTensors, onBackend, switchTo } from '../../training/switch';
import { inputSpecOf, prefixHelpersOf, type JobHandler } from '../context';
import { evaluationOf } from './evaluate';

/** The job's id is the run's id. */
export const train: JobHandler<'train'> = async (ctx, req, reply) => {
  const { id: runId, params, plan } = req;
  const { model, dataset: data, report } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  if (!data || data.images.length === 0) throw new Error('No dataset is loaded yet.');
  if (!report) throw new Error('The worker has no backend yet.');
  if (data.size !== model.resolution)
    throw new Error('The images are still being prepared for this model; try again in a moment.');
  const before = liveTensors();
  const split = stratifiedSplit(
    data.labels,
    params.validationFraction,
    params.splitSeed ?? params.seed,
    params.testFraction,
  );
  const spec = inputSpecOf(model);
  const test =
    ctx.sourceTest?.modelVersion === model.version && ctx.sourceTest.images.length > 0
      ? ctx.sourceTest
      : null;
  let forgetting: Evaluation['forgetting'] = null;
  try {
    const result = await trainWithPlan({
      artifacts: model.artifacts,
      spec,
      plan,
      params,
      images: data.images,
      labels: data.labels,
      numClasses: data.classNames.length,
      split,
      cacheKey: `${model.version}@${data.version}`,
      cache: ctx.prefixCache,
      cacheBudgetBytes: CACHE_BUDGET_BYTES,
      prefixHelpers: () => prefixHelpersOf(ctx),
      backends: report.jobs,
      shouldStop: () => ctx.stops.has(runId),
      onPrefixProgress: (done, total, cached) =>
        reply({ type: 'features-progress', done, total, cached }),
      onBatches: (points) => reply({ type: 'batches', points }),
      onEpoch: (metrics) => reply({ type: 'epoch', metrics }),
      onDrift: (drift) => reply({ type: 'drift', drift }),
      // The source test runs the whole network over its images: on the inference backend
      // (wasm on a CPU), not on the head's (cpu, where it took seconds per run).
      onTrained: test
        ? (trained) =>
            onBackend(report.jobs.features, async () => {
              test.before ??= await pristineSourceAccuracy(model.artifacts, spec, test);
              forgetting = {
                before: test.before,
                after: await sourceAccuracy(trained, spec, test),
                images: test.images.length,
              };
            })
        : undefined,
    });
    ctx.prefixCache = result.cache;
    if (result.epochsRun > 0) {
      const projection = {
        before: result.projection.before,
        after: result.projection.after,
        labels: result.projection.rows.map((i) => data.labels[i]!),
        featuresTrained: result.trainableParams > 0,
      };
      reply({
        type: 'evaluation',
        evaluation: { ...evaluationOf(data, split, result.predictions), forgetting, projection },
      });
    }
    if (result.epochsRun > 0) {
      const weights = { runId, ...result.weights };
      reply({ type: 'weights', weights }, [
        ...weights.layers.map((l) => l.values.buffer),
        weights.head.kernel.buffer,
        weights.head.bias.buffer,
      ]);
    }
    const timings: RunTimings = {
      images: data.images.length,
      featuresMs: result.prefixMs,
      featuresBackend: result.prefixBackend,
      featuresWorkers: result.prefixWorkers,
      headMs: result.trainMs,
      headBackend: result.trainBackend,
      frozenPrefixLayers: result.frozenPrefixLayers,
      trainableParams: result.trainableParams,
    };
    reply({
      type: 'done',
      stopped: result.stopped,
      valAccuracy: result.history[result.bestEpoch - 1]?.valAccuracy ?? 0,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      timings,
      numTensors: liveTensors(),
      numTensorsBefore: before,
    });
  } finally {
    ctx.stops.delete(runId);
    await switchTo(report.active);
  }
};
