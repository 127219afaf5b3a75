/**
 * Picks the backend for the teaching scripts. The wasm backend trains this CNN tens of
 * times faster than `cpu` in Node (DESIGN.md §3), once the conv gradient kernels it
 * lacks are registered (src/training/wasm-grads.ts); `cpu` is the slow fallback.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerBatchNormGradient } from '../../src/training/batchnorm-grad';
import { registerWasmConvGradients } from '../../src/training/wasm-grads';

export type TeachingBackend = 'wasm' | 'cpu';

/** Activates `preferred` (default wasm) and returns the backend tfjs really reports. */
export async function useBackend(preferred: TeachingBackend = 'wasm'): Promise<TeachingBackend> {
  if (preferred === 'wasm') registerWasmConvGradients();
  registerBatchNormGradient();
  for (const name of preferred === 'wasm' ? (['wasm', 'cpu'] as const) : (['cpu'] as const)) {
    try {
      if ((await tf.setBackend(name)) && tf.getBackend() === name) {
        await tf.ready();
        if (name !== preferred)
          console.warn(`backend ${preferred} is unavailable; training on ${name} (much slower)`);
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error('no tfjs backend could be activated');
}
