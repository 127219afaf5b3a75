/**
 * The new classifier head: a dense layer on the (centred, scaled) features, trained as a
 * softmax (cross-entropy) or a linear SVM (multi-class hinge + L2 on its weights).
 */
import * as tf from '@tensorflow/tfjs';
import { SVM_L2, type TrainParams } from '../domain';
import { l2Penalty, multiclassHinge, softmaxCrossEntropy } from './losses';

/** Constant affine map of the features before the head: (f − mean) / std (foldable into the head). */
export interface FeatureScale {
  mean: Float32Array;
  std: Float32Array;
}

export interface Head {
  kernel: tf.Variable;
  bias: tf.Variable;
  /** Class scores (logits) for a batch of features. */
  scores: (features: tf.Tensor2D) => tf.Tensor2D;
  /** The head's data loss (with the SVM's weight penalty), for one-hot labels and scores. */
  loss: (labels: tf.Tensor2D, scores: tf.Tensor2D) => tf.Scalar;
  dispose: () => void;
}

export function createHead(
  featureDim: number,
  numClasses: number,
  kind: TrainParams['head'],
  seed: number,
  scale?: FeatureScale,
): Head {
  // Glorot-uniform kernel, zero bias: the Keras defaults for a Dense layer.
  // tidy() frees the initial values; the variables keep their own copy.
  const limit = Math.sqrt(6 / (featureDim + numClasses));
  const kernel = tf.tidy(() =>
    tf.variable(tf.randomUniform([featureDim, numClasses], -limit, limit, 'float32', seed), true),
  );
  const bias = tf.tidy(() => tf.variable(tf.zeros([numClasses]), true));
  const shift = scale ? tf.keep(tf.tensor1d(scale.mean)) : null;
  const divisor = scale ? tf.keep(tf.tensor1d(scale.std)) : null;
  return {
    kernel,
    bias,
    scores: (features) => {
      const f = shift && divisor ? features.sub(shift).div(divisor) : features;
      return f.matMul(kernel).add(bias) as tf.Tensor2D;
    },
    loss: (labels, scores) =>
      kind === 'svm'
        ? multiclassHinge(labels, scores).add(l2Penalty([kernel], SVM_L2))
        : softmaxCrossEntropy(labels, scores),
    dispose: () => tf.dispose([kernel, bias, ...(shift && divisor ? [shift, divisor] : [])]),
  };
}
