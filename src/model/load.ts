/**
 * One loader path for every model: fetch a tfjs layers `model.json` (+ weight shards)
 * into memory, then build a `LayersModel` from those artifacts on the current backend.
 * Keeping the artifacts lets the same model be rebuilt on another backend without a
 * second download.
 */
import * as tf from '@tensorflow/tfjs';

/** Fetches a layers model's files. Fails with a message that names the problem. */
export async function fetchModelArtifacts(url: string): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts;
  try {
    const handler = tf.io.http(url);
    if (!handler.load) throw new Error('this URL cannot be read');
    artifacts = await handler.load();
  } catch (err) {
    throw new Error(`Could not load the model from ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!artifacts.modelTopology) throw new Error(`${url} has no model topology.`);
  if (artifacts.format === 'graph-model' || !('model_config' in artifacts.modelTopology || 'class_name' in artifacts.modelTopology)) {
    throw new Error(`${url} is a graph model; only layers models can be trained.`);
  }
  return artifacts;
}

/** Builds a model from artifacts on the active backend. */
export function buildModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

/**
 * The network cut at `featureLayer`: same layers and weights, output = that layer's
 * output. Layers after it (the source model's head) are not part of the result.
 */
export function featureExtractor(model: tf.LayersModel, featureLayer: string): tf.LayersModel {
  const layer = model.getLayer(featureLayer);
  return tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor, name: `${model.name}_features` });
}
