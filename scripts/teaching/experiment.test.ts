import { describe, expect, it } from 'vitest';
import { configs, paired, standardize, withSection } from './experiment';

describe('experiment helpers', () => {
  it('sweeps freeze depths with fc fine-tuned and re-initialised, scratch first', () => {
    const list = configs();
    expect(list[0]?.id).toBe('scratch');
    const sweep = list.filter((c) => c.id.startsWith('freeze-'));
    expect(sweep.map((c) => c.id)).toEqual(
      [0, 1, 2, 4, 5].flatMap((d) => [`freeze-${d}-fc-ft`, `freeze-${d}-fc-reinit`]),
    );
    const deep = list.find((c) => c.id === 'freeze-4-fc-reinit')!;
    expect(deep.modes).toEqual({
      conv1: 'frozen',
      conv2: 'frozen',
      conv3: 'frozen',
      conv4: 'frozen',
      conv5: 'finetune',
      fc: 'reinit',
    });
    expect(list.filter((c) => c.optional).map((c) => c.id)).toEqual([
      'freeze-1-fc-ft',
      'freeze-1-fc-reinit',
      'ft-all-pool',
      'ft-upper-pool',
      'head-on-conv3',
      'ft-all-gentle',
    ]);
    // The rows that match the studio's teaching-CNN plans: the new head sits on global_pool or conv3.
    expect(list.find((c) => c.id === 'ft-upper-pool')).toMatchObject({ dropFc: true });
    expect(list.find((c) => c.id === 'head-on-conv3')).toMatchObject({ featuresAt: 'conv3' });
  });

  it('calls a paired difference significant only when it is large against its spread', () => {
    expect(paired([0.9, 0.91, 0.92], [0.8, 0.81, 0.82]).significant).toBe(true);
    const noisy = paired([0.9, 0.8, 0.85], [0.85, 0.86, 0.8]);
    expect(noisy.mean).toBeCloseTo(0.0133, 3);
    expect(noisy.significant).toBe(false);
    expect(paired([0.5], [0.4]).significant).toBe(false);
  });

  it('z-scores features with the training statistics only', () => {
    const train = {
      x: Float32Array.from([1, 10, 3, 10]),
      shape: [2],
      labels: Int32Array.from([0, 1]),
      numClasses: 2,
    };
    const test = { ...train, x: Float32Array.from([2, 12]) };
    const [a, b] = standardize(train, test);
    expect(Array.from(a.x)).toEqual([-1, 0, 1, 0]);
    // Feature 0: mean 2, std 1; feature 1 is constant in training, so it is only centred.
    expect(Array.from(b.x)).toEqual([0, 2]);
  });

  it('writes a section between its markers, replacing it on the next run', () => {
    const once = withSection('# Doc\n\ntext\n', 'k10', '## A\n\nold');
    expect(once).toBe(
      '# Doc\n\ntext\n\n<!-- section:k10 -->\n## A\n\nold\n<!-- /section:k10 -->\n',
    );
    const twice = withSection(once + '\nafter\n', 'k10', '## A\n\nnew');
    expect(twice).toContain('## A\n\nnew');
    expect(twice).not.toContain('old');
    expect(twice.endsWith('\nafter\n')).toBe(true);
  });
});
