/**
 * Job: load a network, read its layers and cut points, and rebuild it for the requested
 * input size. When a dataset is loaded at another size it is decoded again, and the
 * studio is told so (`resize-progress`, then `model-ready` says the images were resized).
 */
import type { ModelCard } from '../../domain';
import { layerGraph } from '../../model/graph';
import { describeLayers } from '../../model/inspect';
import { buildModel } from '../../model/load';
import { resizeArtifacts } from '../../model/resize';
import { completeCard, resolveSource } from '../../model/sources';
import { nextVersion, prefixHelpersOf, type JobHandler } from '../context';
import { redecodeDataset } from './load-dataset';

export const loadModel: JobHandler<'load-model'> = async (ctx, req, reply) => {
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
    reply({
      type: 'model',
      info: { card, resolution: size, totalParams: built.countParams(), layers },
    });
  } finally {
    built.dispose();
  }
  const resize = ctx.dataset !== null && ctx.dataset.size !== size;
  if (resize)
    await redecodeDataset(ctx, req.id, (done, total) =>
      reply({ type: 'resize-progress', done, total }),
    );
  // The prefix helpers build their copies now, so the first run finds them ready.
  prefixHelpersOf(ctx);
  reply({ type: 'model-ready', imagesResized: resize });
};
