/**
 * The bundled teaching CNN: five small 3×3 conv layers, global average pooling, one
 * dense layer and a softmax head. No BatchNormalization, so Keras `trainable = false`
 * really freezes a layer inside `fit` / `trainOnBatch` (DESIGN.md §2, BatchNorm).
 * Conv features + global average pooling are the transferable part (DESIGN.md §3); the
 * dense `fc` layer sits on a 64-d pooled vector, so re-initialising it is cheap.
 */
import * as tf from '@tensorflow/tfjs';

export const IMAGE_SIDE = 28;

/** Conv layer names in order; the prefix that can be frozen. */
export const CONV_LAYERS = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5'] as const;
/** Every weighted layer, in order. */
export const WEIGHTED_LAYERS = [...CONV_LAYERS, 'fc', 'head'] as const;
export type WeightedLayer = (typeof WEIGHTED_LAYERS)[number];

/** The layer whose output is the transferable feature vector. */
export const FEATURE_LAYER = 'global_pool';

export interface TeachingCnnOptions {
  numClasses: number;
  /** Seed for every initializer; the k-th initialised layer gets `seed · 100 + k`, so layers differ. */
  seed: number;
}

/** Builds the architecture with seeded initializers. */
export function buildTeachingCnn({ numClasses, seed }: TeachingCnnOptions): tf.LayersModel {
  let k = 0;
  const nextSeed = () => seed * 100 + k++;
  // He initialisation for the ReLU layers (He et al. 2015), Glorot for the softmax head.
  const he = () => tf.initializers.heNormal({ seed: nextSeed() });
  const conv = (name: string, filters: number) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: he(),
    });
  const input = tf.input({ shape: [IMAGE_SIDE, IMAGE_SIDE, 1], name: 'image' });
  let x = conv('conv1', 16).apply(input) as tf.SymbolicTensor;
  x = conv('conv2', 16).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = conv('conv3', 32).apply(x) as tf.SymbolicTensor;
  x = conv('conv4', 32).apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = conv('conv5', 64).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: FEATURE_LAYER }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: 'fc', units: 64, activation: 'relu', kernelInitializer: he() })
    .apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({
      name: 'head',
      units: numClasses,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed() }),
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'teaching_cnn' });
}
