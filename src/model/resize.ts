/**
 * Rebuilds a fully convolutional network for another input size, reusing its weights:
 * convolution weights do not depend on the image size, only the input shape and the
 * fixed-size final pooling do. For the bundled MobileNetV2 that pooling is
 * `average_pooling2d_1` (7×7 at 224 px); it becomes (R/32)×(R/32), which keeps the
 * following `Flatten` valid (swapping in global pooling would break it).
 */
import type * as tf from '@tensorflow/tfjs';

interface KerasLayerJson {
  class_name: string;
  config: Record<string, unknown> & { name?: string };
}

function layersOf(topology: unknown): KerasLayerJson[] {
  const t = topology as {
    model_config?: { config?: { layers?: KerasLayerJson[] } };
    config?: { layers?: KerasLayerJson[] };
  };
  const layers = t.model_config?.config?.layers ?? t.config?.layers;
  if (!layers) throw new Error('The model topology has no layer list.');
  return layers;
}

/** Returns artifacts whose topology takes `size`×`size` inputs; the weights are shared, not copied. */
export function resizeArtifacts(
  artifacts: tf.io.ModelArtifacts,
  size: number,
): tf.io.ModelArtifacts {
  if (size % 32 !== 0) throw new Error(`Input size ${size} is not a multiple of 32.`);
  const topology = structuredClone(artifacts.modelTopology) as object;
  const layers = layersOf(topology);
  let resizedInput = false;
  for (const layer of layers) {
    const cfg = layer.config;
    if (layer.class_name === 'InputLayer' && Array.isArray(cfg.batch_input_shape)) {
      const shape = cfg.batch_input_shape as (number | null)[];
      cfg.batch_input_shape = [shape[0] ?? null, size, size, shape[3] ?? 3];
      resizedInput = true;
    }
    // A pooling layer that covers the whole final feature map (7×7 at 224 px).
    if (
      (layer.class_name === 'AveragePooling2D' || layer.class_name === 'MaxPooling2D') &&
      Array.isArray(cfg.pool_size)
    ) {
      const [ph, pw] = cfg.pool_size as number[];
      if (ph === 7 && pw === 7) {
        cfg.pool_size = [size / 32, size / 32];
        cfg.strides = [size / 32, size / 32];
      }
    }
  }
  if (!resizedInput) throw new Error('The model has no input layer with a fixed shape to resize.');
  return { ...artifacts, modelTopology: topology };
}
