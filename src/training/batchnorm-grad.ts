/**
 * The gradient of inference-mode batch normalisation without `tile`.
 *
 * tfjs-core 4.22's `FusedBatchNorm` gradient (gradients/FusedBatchNorm_grad.ts) builds
 * dx as `dy · tile(1/√(var+ε), [N, H, W, 1]) · scale`: it materialises a tensor the size
 * of the activation only to multiply by a per-channel vector. On the wasm backend that
 * `Tile` was half of a MobileNetV2 fine-tuning step (857 of 1701 ms, 64 px, batch 64,
 * `tf.profile`). Here dx is `dy · (scale/√(var+ε))` with the per-channel factor
 * broadcast, which every backend does without a copy; the other four gradients are the
 * library's formulas unchanged.
 */
import * as tf from '@tensorflow/tfjs';

function reductionAxes(rank: number): number[] {
  return Array.from({ length: rank - 1 }, (_, i) => i);
}

/** Per-channel statistics are rank 1 in every model the studio loads; anything else keeps its full shape. */
function reduceTo(t: tf.Tensor, target: tf.Tensor): tf.Tensor {
  return target.rank === 1 ? tf.sum(t, reductionAxes(t.rank)) : t;
}

const batchNormGrad: tf.GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor?];
    const d = dy as tf.Tensor;
    const scaleValue = scale ?? tf.scalar(1);
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const xMinusMean = () => tf.sub(x, mean);
    return {
      x: () => tf.reshape(tf.mul(d, tf.mul(invStd, scaleValue)), x.shape),
      mean: () =>
        tf.reshape(reduceTo(tf.mul(d, tf.neg(tf.mul(invStd, scaleValue))), mean), mean.shape),
      variance: () => {
        const minusHalfRCube = tf.mul(tf.pow(invStd, tf.scalar(3)), tf.scalar(-0.5));
        const dv = tf.mul(tf.mul(minusHalfRCube, xMinusMean()), tf.mul(d, scaleValue));
        return tf.reshape(reduceTo(dv, mean), mean.shape);
      },
      scale: () => tf.reshape(reduceTo(tf.mul(d, tf.mul(xMinusMean(), invStd)), mean), mean.shape),
      offset: () => tf.reshape(reduceTo(d, mean), mean.shape),
    };
  },
};

/** Replaces tfjs-core's `FusedBatchNorm` gradient for every backend. Safe to call more than once. */
export function registerBatchNormGradient(): void {
  tf.registerGradient(batchNormGrad);
}
