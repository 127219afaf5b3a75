import { describe, expect, it } from 'vitest';
import {
  CONSERVATION_LESSON,
  LAYER_TRANSFER_LESSON,
  LEARNING_RATE_LESSON,
  MODE_LESSONS,
  YOSINSKI_2014,
} from './lesson';

describe('Yosinski et al. 2014 reference numbers', () => {
  it('holds the baseline and the frozen curve for n = 1..7', () => {
    expect(YOSINSKI_2014.baseline).toBe(62.5);
    expect(YOSINSKI_2014.frozen.map((p) => p.n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(YOSINSKI_2014.frozen.map((p) => p.top1)).toEqual([
      62.8, 62.4, 61.9, 60.0, 57.8, 58.1, 54.3,
    ]);
  });

  it('has fine-tuned transfer above the baseline and a ~3× larger drop on the dissimilar split', () => {
    expect(YOSINSKI_2014.fineTuned).toEqual({ min: 63.6, max: 64.7 });
    expect(YOSINSKI_2014.fineTuned.min).toBeGreaterThan(YOSINSKI_2014.baseline);
    expect(YOSINSKI_2014.dissimilarDropFactor).toBe(3);
    expect(YOSINSKI_2014.takeaways.join(' ')).toMatch(/54\.3%/);
  });
});

describe('explanations', () => {
  it('covers the three layer modes with their UI labels', () => {
    expect(MODE_LESSONS.map((m) => [m.mode, m.label])).toEqual([
      ['frozen', 'Frozen'],
      ['fine-tune', 'Fine-tune'],
      ['reinit', 'Re-initialize'],
    ]);
  });

  it('gives the learning rates of DESIGN §1', () => {
    expect(LEARNING_RATE_LESSON).toMatchObject({ fineTune: 1e-5, fromScratch: 1e-3 });
  });

  it('contrasts L2-SP with plain L2 and names the output form', () => {
    expect(CONSERVATION_LESSON.l2sp).toContain('w₀');
    expect(CONSERVATION_LESSON.l2).not.toContain('w₀');
    expect(CONSERVATION_LESSON.text).toMatch(/toward zero/);
    expect(CONSERVATION_LESSON.outputForm).toMatch(/Learning without Forgetting/);
  });

  it('copies the first layers for images and the last for speech', () => {
    expect(LAYER_TRANSFER_LESSON.images).toMatch(/copy the first layers/);
    expect(LAYER_TRANSFER_LESSON.speech).toMatch(/Copy the last layers/);
  });
});
