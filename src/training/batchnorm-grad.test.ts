import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerBatchNormGradient } from './batchnorm-grad';

const library = tf.getGradient(tf.FusedBatchNorm);

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(await tf.setBackend('cpu')).toBe(true);
});

afterAll(() => {
  tf.registerGradient(library);
});

/** The five gradients of batch normalisation with respect to everything, for a fixed input. */
function gradients(backend: 'cpu' | 'wasm'): Float32Array[] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomUniform([3, 5, 4, 6], -2, 2, 'float32', 1);
    const mean = tf.randomUniform([6], -0.5, 0.5, 'float32', 2);
    const variance = tf.randomUniform([6], 0.2, 2, 'float32', 3);
    const scale = tf.randomUniform([6], 0.5, 1.5, 'float32', 4);
    const offset = tf.randomUniform([6], -1, 1, 'float32', 5);
    const weights = tf.randomUniform([3, 5, 4, 6], -1, 1, 'float32', 6);
    const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(a, m, v, o, s, 1e-3), weights));
    const g = tf.grads(f)([x, mean, variance, scale, offset]);
    return g.map((t) => t.dataSync() as Float32Array);
  });
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(scale, label).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `${label}[${i}]`).toBeLessThanOrEqual(
      1e-5 * (scale + Math.abs(expected[i]!)),
    );
}

describe('batch-normalisation gradient without tile', () => {
  it('gives the library’s gradients for x, mean, variance, scale and offset, on cpu and wasm', () => {
    tf.registerGradient(library);
    const expected = gradients('cpu');
    registerBatchNormGradient();
    registerBatchNormGradient(); // idempotent
    expect(tf.getGradient(tf.FusedBatchNorm)).not.toBe(library);
    const names = ['x', 'mean', 'variance', 'scale', 'offset'];
    for (const backend of ['cpu', 'wasm'] as const) {
      const actual = gradients(backend);
      names.forEach((n, i) => expectClose(actual[i]!, expected[i]!, `${backend} d${n}`));
    }
    tf.setBackend('cpu');
  });

  it('leaves no tensors behind and runs no Tile', async () => {
    registerBatchNormGradient();
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => {
      gradients('wasm');
    });
    expect(profile.kernels.map((k) => k.name)).not.toContain('Tile');
    expect(profile.kernels.map((k) => k.name)).toContain('FusedBatchNorm');
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
  });
});
