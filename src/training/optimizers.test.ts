import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../domain';
import { createOptimizers } from './optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** One step with gradient 1 on a fast and a slow variable; returns how far each moved. */
async function oneStep(optimizer: 'sgd' | 'adam', schedule: 'constant' | 'cosine') {
  const fast = tf.tidy(() => tf.variable(tf.scalar(0), true, 'fast'));
  const slow = tf.tidy(() => tf.variable(tf.scalar(0), true, 'slow'));
  const opts = createOptimizers(
    { ...DEFAULT_PARAMS, learningRate: 0.1, fineTuneLearningRate: 0.001, optimizer, schedule },
    [fast],
    [slow],
  );
  opts.schedule(0, 10);
  const rates = opts.rates();
  tf.tidy(() => opts.apply({ fast: tf.scalar(1), slow: tf.scalar(1) }));
  const moved = { fast: (await fast.data())[0]!, slow: (await slow.data())[0]! };
  opts.dispose();
  tf.dispose([fast, slow]);
  return { moved, rates };
}

describe('createOptimizers', () => {
  it('moves each group by its own learning rate (SGD: first step is −lr·g)', async () => {
    const { moved } = await oneStep('sgd', 'constant');
    expect(moved.fast).toBeCloseTo(-0.1, 6);
    expect(moved.slow).toBeCloseTo(-0.001, 6);
  });

  it('moves each group by its own learning rate (Adam: first step is −lr·sign(g))', async () => {
    const { moved } = await oneStep('adam', 'constant');
    expect(moved.fast).toBeCloseTo(-0.1, 4);
    expect(moved.slow).toBeCloseTo(-0.001, 4);
  });

  it('anneals both groups on the cosine schedule, with Adam and with SGD', async () => {
    for (const optimizer of ['adam', 'sgd'] as const) {
      const fast = tf.tidy(() => tf.variable(tf.scalar(0), true, `f-${optimizer}`));
      const slow = tf.tidy(() => tf.variable(tf.scalar(0), true, `s-${optimizer}`));
      const opts = createOptimizers(
        {
          ...DEFAULT_PARAMS,
          learningRate: 0.1,
          fineTuneLearningRate: 0.01,
          optimizer,
          schedule: 'cosine',
        },
        [fast],
        [slow],
      );
      opts.schedule(5, 10); // half-way: ½ of base
      expect(opts.rates().fast).toBeCloseTo(0.05, 9);
      expect(opts.rates().slow).toBeCloseTo(0.005, 9);
      opts.dispose();
      tf.dispose([fast, slow]);
    }
  });

  it('frees every tensor it made', async () => {
    const before = tf.memory().numTensors;
    await oneStep('sgd', 'cosine');
    await oneStep('adam', 'cosine');
    expect(tf.memory().numTensors).toBe(before);
  });
});
