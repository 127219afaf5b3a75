/** Part 2 of the lesson outcome checks (see outcomes.test.ts); a file of its own so both run in parallel. */
import { describe, expect, it } from 'vitest';
import { MINUTES, checkedLesson as run } from './outcomes';

describe('each lesson on its own data (seed 1), part 2', () => {
  it(
    'fine-tuning at 1e-3 beats 1e-2 on the new task',
    async () => {
      const a = await run('learning-rate');
      // Seed 1: 79 vs 73.
      expect(a['lr-mid']! - a['lr-large']!).toBeGreaterThanOrEqual(0.03);
    },
    3 * MINUTES,
  );

  it(
    'copying the first or the last layers both learn',
    async () => {
      await run('copy-first-or-last');
    },
    3 * MINUTES,
  );

  it(
    'the network with a reset inner layer still learns, intact or adapted',
    async () => {
      await run('inner-layer');
    },
    3 * MINUTES,
  );
});
