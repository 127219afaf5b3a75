import * as tf from '@tensorflow/tfjs';
import type { BackendName, JobBackends } from '../domain';

/**
 * The widest head (features per image) that trains on `cpu` when the job table says so.
 * A dense head on 1,280 pooled features trained fastest on cpu in the browser (DESIGN.md
 * §2); past that, cpu's plain-JS matrix products grow with the width while wasm's do not:
 * a softmax or SVM head on 6,272 conv features took 22.6 against 2.7 ms a step (Node,
 * batch 16) and a 300-epoch run 60–66 against 5.6–6.4 s.
 */
export const CPU_HEAD_MAX_FEATURES = 1280;

/** The backend a run trains on: the head's or the fine-tuning job's, and a wide head as fine-tuning. */
export function trainBackendOf(
  jobs: JobBackends,
  headOnly: boolean,
  features: number,
): BackendName {
  if (!headOnly) return jobs.fineTune;
  return jobs.head === 'cpu' && features > CPU_HEAD_MAX_FEATURES ? jobs.fineTune : jobs.head;
}

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

/**
 * Runs `job` on backend `name` and comes back to the backend that was active (where the
 * caller's tensors are); on the active one when `name` does not start.
 */
export async function onBackend<T>(name: BackendName, job: () => Promise<T>): Promise<T> {
  const before = tf.getBackend() as BackendName;
  if (before === name || !(await switchTo(name))) return job();
  try {
    return await job();
  } finally {
    await switchTo(before);
  }
}

/** Tensors alive on the active backend (a job reports them before and after, to prove it freed its own). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
