import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  distillation,
  l2Penalty,
  l2sp,
  multiclassHinge,
  relativeDrift,
  softmaxCrossEntropy,
} from './losses';

let baseline = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(() => {
  baseline = tf.memory().numTensors;
});

afterEach(() => {
  // Every test disposes what it made; the functions must not leave anything behind.
  expect(tf.memory().numTensors).toBe(baseline);
});

/** Reads a scalar and frees it together with the given inputs. */
function valueOf(result: tf.Scalar, ...inputs: tf.Tensor[]): number {
  const v = result.dataSync()[0] as number;
  tf.dispose([result, ...inputs]);
  return v;
}

function valuesOf(t: tf.Tensor, ...inputs: tf.Tensor[]): number[] {
  const v = Array.from(t.dataSync());
  tf.dispose([t, ...inputs]);
  return v;
}

describe('softmaxCrossEntropy', () => {
  it('is the mean of −log p(true class) over the batch', () => {
    // Row 0: logits [0, ln 3] → softmax [1/4, 3/4]; true class 1 → −ln(3/4) = 0.287682.
    // Row 1: logits [0, 0] → softmax [1/2, 1/2]; true class 0 → ln 2 = 0.693147.
    // Mean = (0.287682 + 0.693147) / 2 = 0.490415.
    const y = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const z = tf.tensor2d([
      [0, Math.log(3)],
      [0, 0],
    ]);
    expect(valueOf(softmaxCrossEntropy(y, z), y, z)).toBeCloseTo(0.490415, 5);
  });
});

describe('multiclassHinge (Weston–Watkins)', () => {
  // Row 0: s = [1, 2, 0.5], y = 0, Δ = 1: max(0, 2−1+1) + max(0, 0.5−1+1) = 2 + 0.5 = 2.5.
  // Row 1: s = [3, 0, 1],   y = 0, Δ = 1: max(0, 0−3+1) + max(0, 1−3+1) = 0 + 0 = 0.
  // Mean = 1.25.
  const labels = () =>
    tf.tensor2d([
      [1, 0, 0],
      [1, 0, 0],
    ]);
  const scores = () =>
    tf.tensor2d([
      [1, 2, 0.5],
      [3, 0, 1],
    ]);

  it('sums margin violations per sample and averages over the batch', () => {
    const y = labels();
    const s = scores();
    expect(valueOf(multiclassHinge(y, s), y, s)).toBeCloseTo(1.25, 6);
  });

  it('uses the given margin', () => {
    // Δ = 0: row 0 → max(0, 1) + max(0, −0.5) = 1; row 1 → 0. Mean = 0.5.
    const y = labels();
    const s = scores();
    expect(valueOf(multiclassHinge(y, s, 0), y, s)).toBeCloseTo(0.5, 6);
  });

  it('is zero when the true class wins by at least the margin', () => {
    const y = tf.tensor2d([[0, 1]]);
    const s = tf.tensor2d([[0, 1]]);
    expect(valueOf(multiclassHinge(y, s), y, s)).toBe(0);
  });

  it('has the hand-derived gradient with respect to the scores', () => {
    // Each active term max(0, s_j − s_y + Δ) adds +1 to ∂/∂s_j and −1 to ∂/∂s_y; the batch
    // mean divides by 2. Row 0: both wrong classes active → [−2, 1, 1] / 2 = [−1, 0.5, 0.5].
    // Row 1: nothing active → [0, 0, 0].
    const y = labels();
    const s = scores();
    const g = tf.grad((x: tf.Tensor) => multiclassHinge(y, x as tf.Tensor2D))(s);
    const got = valuesOf(g, y, s);
    [-1, 0.5, 0.5, 0, 0, 0].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 6));
  });
});

describe('l2Penalty', () => {
  it('is λ/2 · Σ‖w‖² over all tensors', () => {
    // ‖[1, 2]‖² + ‖[[3]]‖² = 1 + 4 + 9 = 14; λ = 0.1 → 0.05 · 14 = 0.7.
    const a = tf.tensor1d([1, 2]);
    const b = tf.tensor2d([[3]]);
    expect(valueOf(l2Penalty([a, b], 0.1), a, b)).toBeCloseTo(0.7, 6);
  });

  it('accepts variables and is zero for an empty list', () => {
    const v = tf.tidy(() => tf.variable(tf.tensor1d([2])));
    // λ = 1: ½ · 4 = 2.
    expect(valueOf(l2Penalty([v], 1), v)).toBeCloseTo(2, 6);
    expect(valueOf(l2Penalty([], 1))).toBe(0);
  });
});

describe('l2sp', () => {
  it('is λ/2 · Σ‖w − w₀‖², not the distance to zero', () => {
    // w = [1, 2, 3], w₀ = [1, 0, 5] → w − w₀ = [0, 2, −2], squared sum 8.
    // w = [[4]], w₀ = [[1]] → 9. Total 17; λ = 0.5 → 0.25 · 17 = 4.25.
    const w = [tf.tensor1d([1, 2, 3]), tf.tensor2d([[4]])];
    const w0 = [tf.tensor1d([1, 0, 5]), tf.tensor2d([[1]])];
    expect(valueOf(l2sp(w, w0, 0.5), ...w, ...w0)).toBeCloseTo(4.25, 6);
  });

  it('is zero at the anchor', () => {
    const w = tf.tensor1d([0.3, -7]);
    expect(valueOf(l2sp([w], [w], 10), w)).toBe(0);
  });

  it('has gradient λ(w − w₀)', () => {
    // λ = 0.5, w − w₀ = [0, 2, −2] → [0, 1, −1].
    const w = tf.tensor1d([1, 2, 3]);
    const w0 = tf.tensor1d([1, 0, 5]);
    const g = tf.grad((x: tf.Tensor) => l2sp([x], [w0], 0.5))(w);
    expect(valuesOf(g, w, w0)).toEqual([0, 1, -1]);
  });

  it('reaches variables through tf.variableGrads', () => {
    const v = tf.tidy(() => tf.variable(tf.tensor1d([3, -1])));
    const anchor = tf.tensor1d([1, 1]);
    // λ = 2: value = 1 · (4 + 4) = 8; gradient 2 · [2, −2] = [4, −4].
    const { value, grads } = tf.variableGrads(() => l2sp([v], [anchor], 2), [v]);
    const g = grads[v.name] as tf.Tensor;
    expect(valuesOf(g)).toEqual([4, -4]);
    expect(valueOf(value, v, anchor)).toBeCloseTo(8, 6);
  });

  it('rejects a missing or misshapen anchor', () => {
    const w = tf.tensor1d([1, 2]);
    const bad = tf.tensor1d([1, 2, 3]);
    expect(() => l2sp([w], [], 1)).toThrow(/one anchor per weight/);
    expect(() => l2sp([w], [bad], 1)).toThrow(/shape/);
    tf.dispose([w, bad]);
  });
});

describe('distillation (features-l2)', () => {
  it('is the plain mean of squared feature differences', () => {
    // f − f₀ = [[0, 2], [3, 0]] → squares 0, 4, 9, 0 → sum 13 over 2 samples × 2 dims = 3.25.
    const f = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const f0 = tf.tensor2d([
      [1, 0],
      [0, 4],
    ]);
    expect(valueOf(distillation(f, f0, 'features-l2'), f, f0)).toBeCloseTo(3.25, 6);
  });

  it('pulls the new features toward the original ones', () => {
    // ∂/∂f of mean((f − f₀)²) over 4 elements = 2(f − f₀)/4 = [[0, 1], [1.5, 0]].
    const f = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const f0 = tf.tensor2d([
      [1, 0],
      [0, 4],
    ]);
    const g = tf.grad((x: tf.Tensor) => distillation(x, f0, 'features-l2'))(f);
    expect(valuesOf(g, f, f0)).toEqual([0, 1, 1.5, 0]);
  });

  it('rejects features of different shapes', () => {
    const f = tf.zeros([2, 3]);
    const f0 = tf.zeros([2, 4]);
    expect(() => distillation(f, f0, 'features-l2')).toThrow(/equal shapes/);
    tf.dispose([f, f0]);
  });
});

describe('relativeDrift', () => {
  it('is ‖w − w₀‖ / ‖w₀‖ for arrays', () => {
    // w₀ = [3, 4] (norm 5). w = [4, 4] → ‖[1, 0]‖ / 5 = 0.2; w = [6, 8] → 5 / 5 = 1.
    const w0 = new Float32Array([3, 4]);
    expect(relativeDrift(new Float32Array([4, 4]), w0)).toBeCloseTo(0.2, 6);
    expect(relativeDrift(new Float32Array([6, 8]), w0)).toBeCloseTo(1, 6);
    expect(relativeDrift(w0, w0)).toBe(0);
  });

  it('reads tensors without leaving any behind', () => {
    const w = tf.tensor2d([[4, 4]]);
    const w0 = tf.tensor2d([[3, 4]]);
    expect(relativeDrift(w, w0)).toBeCloseTo(0.2, 6);
    expect(relativeDrift(w, new Float32Array([3, 4]))).toBeCloseTo(0.2, 6);
    tf.dispose([w, w0]);
  });

  it('is 0 when both are zero and Infinity when only the anchor is', () => {
    const zero = new Float32Array(3);
    expect(relativeDrift(zero, zero)).toBe(0);
    expect(relativeDrift(new Float32Array([0, 1, 0]), zero)).toBe(Infinity);
  });

  it('rejects weights of different sizes', () => {
    expect(() => relativeDrift(new Float32Array(2), new Float32Array(3))).toThrow(/equal size/);
  });
});
