import { describe, expect, it } from 'vitest';
import { CPU_HEAD_MAX_FEATURES, trainBackendOf } from './switch';

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
