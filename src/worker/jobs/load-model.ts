/**
 * Job: load a network, read its layers and cut points, and rebuild it for the requested
 * input size. When a dataset is loaded at another size it is decoded again, and the
 * studio is told so (progress under this job, then `dataset-resized`).
 */
import type { ModelCard } from '../../domain';
import { layerGraph } from '../../model/graph';
import { describeLayers } from '../../model/inspect';
import { buildModel } from '../../model/load';
import { resizeArtifacts } from '../../model/resize';
import { completeCard, resolveSource } from '../../model/sources';
import { nextVersion, type WorkerContext } from '../context';
import type { LoadModelRequest } from '../protocol';
import { redecodeDataset } from './load-dataset';

export async function loadModel(ctx: WorkerContext, req: LoadModelRequest): Promise<void> {
  // Nested models arrive opened into their inner layers; metadata.json is read beside them.
  const { card: partial, artifacts: base, hints } = await resolveSource(req.source, req.valueRange);
  // Inspect once at the native size; this also proves the weights load.
  const native = await buildModel(base);
  let card: ModelCard;
  try {
    card = completeCard(partial, native, hints);
  } finally {
    native.dispose();
  }
  const wanted = req.resolution;
  const size = wanted && card.resolutions.includes(wanted) ? wanted : card.inputSize;
  const artifacts = size === card.inputSize ? base : resizeArtifacts(base, size);
  const built = await buildModel(artifacts);
  try {
    const graph = layerGraph(built);
    const layers = describeLayers(built).map((l, i) => ({ ...l, cutPoint: graph.cut[i] ?? false }));
    ctx.model = { card, artifacts, resolution: size, version: nextVersion(ctx) };
    ctx.prefixCache = null;
    ctx.post({
      type: 'model',
      runId: req.runId,
      info: { card, resolution: size, totalParams: built.countParams(), layers },
    });
  } finally {
    built.dispose();
  }
  if (ctx.dataset && ctx.dataset.size !== size) await redecodeDataset(ctx, req.runId);
}
