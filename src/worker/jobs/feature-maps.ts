/** Job: the pretrained network's activations at one layer for one image, 16 channels at most, each stretched to 0..255. */
import { FEATURE_MAP_CHANNELS } from '../../domain';
import { layerActivations } from '../../model/probes';
import { inputSpecOf, type JobHandler } from '../context';

/** One channel of an [h, w, c] map, min-max stretched to 0..255 (all zero when flat). */
export function stretchChannel(
  values: Float32Array,
  pixels: number,
  channels: number,
  c: number,
): Uint8Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < pixels; i++) {
    const v = values[i * channels + c]!;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return Uint8Array.from({ length: pixels }, (_, i) =>
    hi > lo ? Math.round(((values[i * channels + c]! - lo) / (hi - lo)) * 255) : 0,
  );
}

export const featureMaps: JobHandler<'feature-maps'> = async (ctx, req, reply) => {
  const { model, dataset } = ctx;
  const { path, layer } = req;
  if (!model || !dataset) throw new Error('Load a model and a dataset first.');
  const index = dataset.files.findIndex((f) => f.path === path);
  if (index < 0) throw new Error(`No image "${path}" in the dataset.`);
  const [pixels] = await dataset.images.read([index]);
  const {
    height,
    width,
    channels: total,
    values,
  } = await layerActivations(model.artifacts, inputSpecOf(model), pixels!, layer);
  const channels = Array.from({ length: Math.min(FEATURE_MAP_CHANNELS, total) }, (_, c) =>
    stretchChannel(values, height * width, total, c),
  );
  reply(
    { type: 'feature-maps', maps: { layer, path, width, height, channels, totalChannels: total } },
    channels.map((c) => c.buffer),
  );
};
