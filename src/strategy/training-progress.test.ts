import { describe, expect, it } from 'vitest';
import { FEATURES_SHARE, trainingProgress } from './training-progress';

const features = (done: number, total: number, cached = false) => ({ done, total, cached });

describe('trainingProgress', () => {
  it('gives the frozen-part pass its share of the bar, then the epochs', () => {
    expect(trainingProgress({ phase: 'features', features: null, lastX: 0, epochs: 10 })).toBe(0);
    expect(
      trainingProgress({ phase: 'features', features: features(50, 100), lastX: 0, epochs: 10 }),
    ).toBeCloseTo(FEATURES_SHARE / 2);
    expect(
      trainingProgress({ phase: 'training', features: features(100, 100), lastX: 5, epochs: 10 }),
    ).toBeCloseTo(FEATURES_SHARE + (1 - FEATURES_SHARE) / 2);
  });

  it('gives the epochs the whole bar when the frozen part comes from the cache', () => {
    expect(
      trainingProgress({
        phase: 'training',
        features: features(1, 1, true),
        lastX: 2.5,
        epochs: 10,
      }),
    ).toBeCloseTo(0.25);
  });

  it('is full when done, kept when stopped, empty before a run and after a failure', () => {
    const mid = { features: features(10, 10), lastX: 3, epochs: 10 };
    expect(trainingProgress({ phase: 'done', ...mid })).toBe(1);
    expect(trainingProgress({ phase: 'stopped', ...mid })).toBeCloseTo(0.4 + 0.6 * 0.3);
    expect(trainingProgress({ phase: 'idle', ...mid })).toBe(0);
    expect(trainingProgress({ phase: 'error', ...mid })).toBe(0);
    // Never past the end, whatever the last point says.
    expect(trainingProgress({ phase: 'training', ...mid, lastX: 12 })).toBeCloseTo(1);
  });
});
