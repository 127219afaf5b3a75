/**
 * What each lesson demonstrates still happens on its own data: every lesson's arms trained
 * by the studio's engine in Node on the lesson's bundled sample, seed 1, exactly as the
 * Lessons panel sends them (the conservation lesson runs end to end in e2e/lessons.spec.ts).
 * One seed keeps CI short, so these are margins a broken lesson misses, not the lesson's
 * multi-seed verdict: every arm must learn (at least 50% on 100 test images; chance is 20%,
 * 4 pp sd), and where the lesson's claim held beyond seed noise at its defaults
 * (bench/2026-12-06-lessons.md) its comparison must come out the same way by a margin.
 */
import { describe, expect, it } from 'vitest';
import { MINUTES, checkedLesson as run } from './outcomes';

describe('each lesson on its own data (seed 1), part 1', () => {
  it(
    'feature extraction, fine-tuning and scratch all learn the Fashion target',
    async () => {
      await run('extract-tune-scratch');
    },
    3 * MINUTES,
  );

  it(
    'every freeze depth learns the inverted digits',
    async () => {
      await run('freeze-depth');
    },
    3 * MINUTES,
  );

  it(
    'frozen features do worse on the different data, and scratch beats them there',
    async () => {
      const a = await run('similar-different');
      // Seed 1: 81 vs 67 and 90 vs 67.
      expect(a['frozen-similar']! - a['frozen-different']!).toBeGreaterThanOrEqual(0.05);
      expect(a['scratch-different']! - a['frozen-different']!).toBeGreaterThanOrEqual(0.1);
    },
    3 * MINUTES,
  );
});
