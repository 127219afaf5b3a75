/**
 * The one place where layer modes become trainable variables. Frozen layers are copied
 * and not trained; Fine-tune layers are copied and trained; Re-initialize layers keep
 * their shape, get fresh weights from their own initializers, and are trained.
 */
import * as tf from '@tensorflow/tfjs';
import { modeOf, type LayerMode } from '../domain';

export interface VariableGroups {
  /** Pretrained weights being fine-tuned (small learning rate). */
  fineTune: tf.Variable[];
  /** Re-initialised weights (trained from scratch, like a new head). */
  reinit: tf.Variable[];
}

/** Names of a layer's initializer fields, by the weight's own name (Keras conventions). */
const INITIALIZER_FIELD: Record<string, string> = {
  kernel: 'kernelInitializer',
  bias: 'biasInitializer',
  depthwise_kernel: 'depthwiseInitializer',
  pointwise_kernel: 'pointwiseInitializer',
  gamma: 'gammaInitializer',
  beta: 'betaInitializer',
  moving_mean: 'movingMeanInitializer',
  moving_variance: 'movingVarianceInitializer',
  embeddings: 'embeddingsInitializer',
  recurrent_kernel: 'recurrentInitializer',
};

function weightShortName(v: tf.LayerVariable): string {
  const parts = v.originalName.split('/');
  return (parts[parts.length - 1] ?? '').replace(/_\d+$/, '');
}

/** Gives a layer fresh weights from its own initializers (Keras `layer.<name>_initializer`). */
export function reinitializeLayer(layer: tf.layers.Layer): void {
  const fields = layer as unknown as Record<
    string,
    { apply: (shape: number[], dtype?: tf.DataType) => tf.Tensor } | undefined
  >;
  for (const v of layer.weights) {
    const short = weightShortName(v);
    const field = INITIALIZER_FIELD[short];
    const init = field ? fields[field] : undefined;
    const fresh = tf.tidy(() => {
      const shape = v.shape as number[];
      if (init) return init.apply(shape, v.dtype);
      // Unknown weight: zeros for biases/offsets, Glorot for anything matrix-like.
      return shape.length > 1
        ? tf.initializers.glorotUniform({}).apply(shape, v.dtype)
        : tf.zeros(shape, v.dtype);
    });
    v.write(fresh);
    fresh.dispose();
  }
}

/** The mode of a built layer under a plan (the one rule, `domain/modeOf`). */
export function modeOfLayer(
  modes: Readonly<Record<string, LayerMode>>,
  layer: tf.layers.Layer,
): LayerMode {
  return modeOf(modes, { name: layer.name, params: layer.countParams() });
}

/**
 * Applies a plan to a freshly built model: re-initialises the Re-initialize layers, sets
 * every layer's `trainable` flag to match, and returns the trainable variables by group.
 * Non-trainable weights (BatchNorm moving statistics) are never returned.
 */
export function applyPlan(
  layers: readonly tf.layers.Layer[],
  plan: Readonly<Record<string, LayerMode>>,
): VariableGroups {
  const groups: VariableGroups = { fineTune: [], reinit: [] };
  for (const layer of layers) {
    const mode = modeOfLayer(plan, layer);
    if (mode === 'reinit') reinitializeLayer(layer);
    layer.trainable = mode !== 'frozen';
    if (mode === 'frozen') continue;
    const vars = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    groups[mode === 'reinit' ? 'reinit' : 'fineTune'].push(...vars);
  }
  return groups;
}
