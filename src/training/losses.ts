/**
 * Loss terms for the custom training loop (DESIGN.md §1, §5): the two heads (softmax and
 * linear SVM), plain L2, the two forms of conservation training (L2-SP on parameters,
 * feature distillation on outputs) and the drift readout. Every function returns a new
 * tensor (or a number) and frees its temporaries; callers own the result.
 */
import * as tf from '@tensorflow/tfjs';

/** Mean softmax cross-entropy over the batch; the softmax head's loss. */
export function softmaxCrossEntropy(labelsOneHot: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  // Default reduction SUM_BY_NONZERO_WEIGHTS without weights = mean over the batch.
  return tf.losses.softmaxCrossEntropy(labelsOneHot, logits) as tf.Scalar;
}

/**
 * Multi-class hinge loss for a linear SVM head, averaged over the batch:
 * Σ_{j≠y} max(0, s_j − s_y + Δ). Weston & Watkins 1999 form, as in CS231n "Linear
 * classification"; sums every violating class rather than only the worst (Crammer–Singer),
 * so each wrong class gets its own gradient.
 */
export function multiclassHinge(
  labelsOneHot: tf.Tensor2D,
  scores: tf.Tensor2D,
  margin = 1,
): tf.Scalar {
  return tf.tidy(() => {
    const y = labelsOneHot.toFloat();
    const correct = scores.mul(y).sum(1, true);
    // The true class would contribute max(0, Δ) = Δ; mask it out.
    const violations = tf.relu(scores.sub(correct).add(margin)).mul(tf.onesLike(y).sub(y));
    return violations.sum(1).mean() as tf.Scalar;
  });
}

/** Σ‖t‖² over a list of tensors, as a scalar (0 for an empty list). */
function sumOfSquares(tensors: readonly tf.Tensor[]): tf.Scalar {
  if (tensors.length === 0) return tf.scalar(0);
  return tf.addN(tensors.map((t) => t.square().sum())) as tf.Scalar;
}

/** λ/2 · Σ‖w‖²: plain weight decay toward zero (the SVM head's regulariser). */
export function l2Penalty(vars: readonly tf.Tensor[], lambda: number): tf.Scalar {
  return tf.tidy(() => sumOfSquares(vars).mul(lambda / 2) as tf.Scalar);
}

/**
 * L2-SP: λ/2 · Σ‖w − w₀‖², pulling transferred weights toward their pretrained values w₀
 * rather than toward zero (Li, Grandvalet & Davoine 2018, "Explicit inductive bias for
 * transfer learning with convolutional networks"). Its gradient is λ(w − w₀).
 */
export function l2sp(
  vars: readonly tf.Tensor[],
  anchors: readonly tf.Tensor[],
  lambda: number,
): tf.Scalar {
  if (vars.length !== anchors.length) {
    throw new Error(
      `L2-SP needs one anchor per weight (${vars.length} weights, ${anchors.length} anchors).`,
    );
  }
  vars.forEach((v, i) => {
    const a = anchors[i] as tf.Tensor;
    if (!tf.util.arraysEqual(v.shape, a.shape)) {
      throw new Error(
        `L2-SP anchor ${i} has shape [${a.shape.join(', ')}], its weight [${v.shape.join(', ')}].`,
      );
    }
  });
  return tf.tidy(
    () =>
      sumOfSquares(vars.map((v, i) => v.sub(anchors[i] as tf.Tensor))).mul(lambda / 2) as tf.Scalar,
  );
}

/** Output-level conservation terms; one for now, a union so more can be added and checked. */
export type DistillationKind = 'features-l2';

/**
 * Output-level conservation (LwF-style; Li & Hoiem 2016, "Learning without Forgetting"):
 * how far the new model's features moved from the original model's on the same inputs.
 * 'features-l2' is the plain mean of (f − f₀)² over batch *and* feature dims, i.e. the
 * per-sample squared distance divided by the width: the user can cut features at layers
 * of very different width, and one λ should mean the same at each.
 */
export function distillation(
  current: tf.Tensor,
  original: tf.Tensor,
  kind: DistillationKind,
): tf.Scalar {
  if (!tf.util.arraysEqual(current.shape, original.shape)) {
    throw new Error(
      `Distillation needs equal shapes ([${current.shape.join(', ')}] vs [${original.shape.join(', ')}]).`,
    );
  }
  switch (kind) {
    case 'features-l2':
      return tf.tidy(() => tf.squaredDifference(current, original).mean() as tf.Scalar);
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown distillation kind: ${String(unknown)}`);
    }
  }
}

/** Weights as a tensor or their values already read back. */
export type WeightValues = Float32Array | tf.Tensor;

/**
 * Relative drift ‖w − w₀‖ / ‖w₀‖: how much fine-tuning moved a layer, comparable across
 * layers of different size. 0 when both are zero; Infinity when only w₀ is zero. Reads
 * tensors back synchronously, so call it between steps, not inside a gradient function.
 */
export function relativeDrift(current: WeightValues, original: WeightValues): number {
  const w = current instanceof Float32Array ? current : current.dataSync();
  const w0 = original instanceof Float32Array ? original : original.dataSync();
  if (w.length !== w0.length) {
    throw new Error(`Drift needs weights of equal size (${w.length} vs ${w0.length}).`);
  }
  let diff = 0;
  let base = 0;
  for (let i = 0; i < w.length; i++) {
    const a = w[i] as number;
    const b = w0[i] as number;
    diff += (a - b) * (a - b);
    base += b * b;
  }
  if (base === 0) return diff === 0 ? 0 : Infinity;
  return Math.sqrt(diff / base);
}
