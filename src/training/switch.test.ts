import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { CPU_HEAD_MAX_FEATURES, onBackend, trainBackendOf } from './switch';

describe('where a run trains', () => {
  const software = { features: 'wasm', head: 'cpu', fineTune: 'wasm' } as const;
  const gpu = { features: 'webgpu', head: 'webgpu', fineTune: 'webgpu' } as const;

  it('keeps a narrow head on the head job’s backend', () => {
    expect(trainBackendOf(software, true, 64)).toBe('cpu');
    expect(trainBackendOf(software, true, CPU_HEAD_MAX_FEATURES)).toBe('cpu');
  });

  it('trains a wide head (conv features) where the network trains, not on cpu', () => {
    expect(trainBackendOf(software, true, CPU_HEAD_MAX_FEATURES + 1)).toBe('wasm');
    expect(trainBackendOf(software, true, 6272)).toBe('wasm');
  });

  it('fine-tunes on the fine-tuning job’s backend, and leaves a GPU table alone', () => {
    expect(trainBackendOf(software, false, 64)).toBe('wasm');
    expect(trainBackendOf(gpu, true, 6272)).toBe('webgpu');
    expect(trainBackendOf(gpu, false, 6272)).toBe('webgpu');
  });
});

describe('a job on another backend', () => {
  it('runs there, on tensors made on the first one, and comes back', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor1d([1, 2, 3]);
    const seen = await onBackend('wasm', async () => {
      const y = x.square();
      const out = { backend: tf.getBackend(), values: Array.from(await y.data()) };
      y.dispose();
      return out;
    });
    expect(seen).toEqual({ backend: 'wasm', values: [1, 4, 9] });
    expect(tf.getBackend()).toBe('cpu');
    // A backend that does not start: the job runs where it is.
    expect(await onBackend('webgpu', async () => tf.getBackend())).toBe('cpu');
    await expect(
      onBackend('wasm', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(tf.getBackend()).toBe('cpu');
    x.dispose();
  });
});
