import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../domain';

/** Switches tfjs to `name`; true only when tfjs really reports that backend afterwards. */
export async function switchTo(name: BackendName): Promise<boolean> {
  if (tf.getBackend() === name) return true;
  try {
    await tf.setBackend(name);
  } catch {
    return false;
  }
  await tf.ready();
  return tf.getBackend() === name;
}

/** Tensors alive on the active backend (a job reports them before and after, to prove it freed its own). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
