/**
 * Forward passes of the pretrained network that the worker's jobs answer with: a layer's
 * activations for one image ("See inside"), and the network as files plus reference
 * outputs for the PyTorch runner. Each builds its own copy and disposes it.
 */
import * as tf from '@tensorflow/tfjs';
import { layerGraph, runSteps } from './graph';
import { buildModel } from './load';
import { toModelInput, type InputSpec } from './preprocess';

/** Activations [height, width, channels] of `layer` for one image, as a flat array. */
export async function layerActivations(
  artifacts: tf.io.ModelArtifacts,
  spec: InputSpec,
  pixels: Uint8Array,
  layer: string,
): Promise<{ height: number; width: number; channels: number; values: Float32Array }> {
  const net = await buildModel(artifacts);
  try {
    const graph = layerGraph(net);
    const end = graph.steps.findIndex((s) => s.layer.name === layer);
    if (end < 0) throw new Error(`No layer "${layer}".`);
    const out = tf.tidy(() => {
      const y = runSteps(graph, toModelInput([pixels], spec), 0, end, () => false);
      if (y.rank !== 4)
        throw new Error(
          `${layer} has no spatial output (shape ${y.shape.join('×')}); choose a convolution layer.`,
        );
      return y.squeeze([0]) as tf.Tensor3D;
    });
    const [height, width, channels] = out.shape;
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return { height, width, channels, values };
  } finally {
    net.dispose();
  }
}

/** The network as a tfjs layers `model.json` (one shard, `weights.bin`) and that shard. */
export function layersModelFiles(a: tf.io.ModelArtifacts): {
  modelJson: string;
  weights: ArrayBuffer;
} {
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
  return { modelJson, weights };
}

/** The network's inputs and its outputs at `layer` for these images, as shapes and flat numbers. */
export async function referenceOutputs(
  artifacts: tf.io.ModelArtifacts,
  spec: InputSpec,
  images: readonly Uint8Array[],
  layer: string,
): Promise<{
  layer: string;
  inputs: { shape: number[]; data: number[] };
  outputs: { shape: number[]; data: number[] };
}> {
  const net = await buildModel(artifacts);
  try {
    const graph = layerGraph(net);
    const end = graph.steps.findIndex((s) => s.layer.name === layer);
    if (end < 0) throw new Error(`The network has no layer "${layer}".`);
    const [x, y] = tf.tidy(() => {
      const input = toModelInput(images, spec);
      return [input, runSteps(graph, input, 0, end, () => false)];
    });
    try {
      return {
        layer,
        inputs: { shape: x!.shape, data: Array.from(await x!.data()) },
        outputs: { shape: y!.shape, data: Array.from(await y!.data()) },
      };
    } finally {
      tf.dispose([x!, y!]);
    }
  } finally {
    net.dispose();
  }
}
