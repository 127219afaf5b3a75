/**
 * Job: the starting network as tfjs layers files, and reference outputs for a few dataset
 * images, for the PyTorch runner to check its rebuilt network against before it trains.
 */
import * as tf from '@tensorflow/tfjs';
import { layerGraph, runSteps } from '../../model/graph';
import { buildModel } from '../../model/load';
import { toModelInput } from '../../model/preprocess';
import { inputSpecOf, onInferenceBackend, type WorkerContext } from '../context';
import type { ExportJobRequest } from '../protocol';

/** Images whose outputs go into the job: enough to catch a wrong mapping, small enough for JSON. */
export const REFERENCE_IMAGES = 2;

const flat = async (t: tf.Tensor) => Array.from(await t.data());

export function exportJob(ctx: WorkerContext, req: ExportJobRequest): Promise<void> {
  return onInferenceBackend(ctx, () => exportJobHere(ctx, req));
}

async function exportJobHere(ctx: WorkerContext, req: ExportJobRequest): Promise<void> {
  const { model, dataset } = ctx;
  if (!model) throw new Error('No model is loaded yet.');
  if (!dataset || dataset.images.length === 0)
    throw new Error(
      'Load a dataset first: the job carries reference outputs for a few of its images.',
    );
  const a = model.artifacts;
  const weights =
    a.weightData instanceof ArrayBuffer
      ? a.weightData.slice(0)
      : tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer[]);
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: a.convertedBy ?? null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  });
  const net = await buildModel(a);
  try {
    const graph = layerGraph(net);
    const end = graph.steps.findIndex((s) => s.layer.name === req.featureLayer);
    if (end < 0) throw new Error(`The network has no layer "${req.featureLayer}".`);
    const images = await dataset.images.read(
      Array.from({ length: Math.min(REFERENCE_IMAGES, dataset.images.length) }, (_, i) => i),
    );
    const [x, y] = tf.tidy(() => {
      const input = toModelInput(images, inputSpecOf(model));
      return [input, runSteps(graph, input, 0, end, () => false)];
    });
    const reference = {
      layer: req.featureLayer,
      inputs: { shape: x!.shape, data: await flat(x!) },
      outputs: { shape: y!.shape, data: await flat(y!) },
    };
    tf.dispose([x!, y!]);
    ctx.post(
      {
        type: 'exported-job',
        runId: req.runId,
        modelJson,
        weights,
        reference: JSON.stringify(reference),
      },
      [weights],
    );
  } finally {
    net.dispose();
  }
}
