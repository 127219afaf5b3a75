/**
 * Job: the starting network as tfjs layers files, and reference outputs for a few dataset
 * images, for the PyTorch runner to check its rebuilt network against before it trains.
 */
import { layersModelFiles, referenceOutputs } from '../../model/probes';
import { forInference, inputSpecOf } from '../context';

/** Images whose outputs go into the job: enough to catch a wrong mapping, small enough for JSON. */
export const REFERENCE_IMAGES = 2;

export const exportJob = forInference<'export-job'>(async (ctx, req, reply) => {
  const { model, dataset } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  if (!dataset || dataset.images.length === 0)
    throw new Error(
      'Load a dataset first: the job carries reference outputs for a few of its images.',
    );
  const { modelJson, weights } = layersModelFiles(model.artifacts);
  const images = await dataset.images.read(
    Array.from({ length: Math.min(REFERENCE_IMAGES, dataset.images.length) }, (_, i) => i),
  );
  const reference = await referenceOutputs(
    model.artifacts,
    inputSpecOf(model),
    images,
    req.featureLayer,
  );
  reply({ type: 'exported-job', modelJson, weights, reference: JSON.stringify(reference) }, [
    weights,
  ]);
});
