import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { paired, withSection } from './experiment';
import { configs, planLetters } from './plans';
import { frozenSignature, seedData, teachingLayers, toRgbBytes } from './studio-run';
import type { ClassSplit } from './data';

describe('the rows as studio layer plans', () => {
  let layers: ReturnType<typeof teachingLayers> = [];
  let list: ReturnType<typeof configs> = [];
  const row = (id: string) => list.find((c) => c.id === id)!;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    layers = teachingLayers();
    list = configs(layers);
  });

  it('sweeps freeze depths with fc fine-tuned and re-initialised, scratch first', () => {
    expect(list[0]?.id).toBe('scratch');
    expect(list.filter((c) => c.id.startsWith('freeze-')).map((c) => c.id)).toEqual(
      [0, 1, 2, 4, 5].flatMap((d) => [`freeze-${d}-fc-ft`, `freeze-${d}-fc-reinit`]),
    );
    expect(list.filter((c) => c.optional).map((c) => c.id)).toEqual([
      'freeze-1-fc-ft',
      'freeze-1-fc-reinit',
      'ft-all-pool',
      'ft-upper-pool',
      'head-on-conv3',
      'ft-all-gentle',
    ]);
  });

  it("speaks the studio's modes: Frozen, Fine-tune, Re-initialize, and a feature layer", () => {
    expect(row('freeze-4-fc-reinit').plan).toEqual({
      featureLayer: 'fc',
      modes: {
        conv1: 'frozen',
        conv2: 'frozen',
        conv3: 'frozen',
        conv4: 'frozen',
        conv5: 'fine-tune',
        fc: 'reinit',
      },
    });
    expect(row('scratch').plan.modes).toEqual(
      Object.fromEntries(
        ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc'].map((n) => [n, 'reinit']),
      ),
    );
    // The rows that match the studio's teaching-CNN plans: the new head sits on global_pool or conv3.
    expect(row('ft-upper-pool').plan.featureLayer).toBe('global_pool');
    expect(row('ft-upper-pool').plan.modes).not.toHaveProperty('fc');
    expect(row('head-on-conv3').plan).toEqual({
      featureLayer: 'conv3',
      modes: { conv1: 'frozen', conv2: 'frozen', conv3: 'frozen' },
    });
    for (const c of list)
      for (const mode of Object.values(c.plan.modes))
        expect(['frozen', 'fine-tune', 'reinit']).toContain(mode);
  });

  it('writes each plan as letters, with – for layers after the feature layer', () => {
    expect(planLetters(row('scratch').plan)).toBe('RRRRR · R');
    expect(planLetters(row('ft-upper-pool').plan)).toBe('FFTTT · –');
    expect(planLetters(row('head-on-conv3').plan)).toBe('FFF–– · –');
    expect(planLetters(row('head-on-fc').plan)).toBe('FFFFF · F');
  });

  it('keys the prefix cache by the leading Frozen layers up to the feature layer', () => {
    expect(frozenSignature(layers, row('head-on-pool').plan)).toBe('conv1,conv2,conv3,conv4,conv5');
    expect(frozenSignature(layers, row('freeze-5-fc-reinit').plan)).toBe(
      'conv1,conv2,conv3,conv4,conv5',
    );
    expect(frozenSignature(layers, row('head-on-conv3').plan)).toBe('conv1,conv2,conv3');
    expect(frozenSignature(layers, row('scratch').plan)).toBe('none');
  });
});

describe('one seed’s data', () => {
  const image = (v: number) => new Float32Array(784).fill(v);
  const classes: ClassSplit[] = [0, 1].map((c) => ({
    name: `c${c}`,
    pool: Array.from({ length: 30 }, (_, i) => image((c * 30 + i) / 255)),
    test: Array.from({ length: 5 }, (_, i) => image((100 + c * 5 + i) / 255)),
  }));

  it('draws disjoint training and validation images and the same test images for every seed', () => {
    const a = seedData(classes, 4, 3, 5, 1);
    const b = seedData(classes, 4, 3, 5, 2);
    expect(a.split.train).toHaveLength(8);
    expect(a.split.validation).toHaveLength(6);
    expect(a.split.test).toHaveLength(10);
    const first = (d: typeof a, rows: number[]) => rows.map((r) => d.images[r]![0]);
    const train = new Set(first(a, a.split.train));
    expect(first(a, a.split.validation).some((v) => train.has(v))).toBe(false);
    expect(first(a, a.split.test)).toEqual(first(b, b.split.test));
    expect(first(a, a.split.train)).not.toEqual(first(b, b.split.train));
    expect(a.split.train.map((r) => a.labels[r])).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('refuses to draw more test images than a class has', () => {
    expect(() => seedData(classes, 4, 3, 6, 1)).toThrow(/5 test images, 6 asked/);
  });

  it('stores grey values as 8-bit RGB with R = G = B', () => {
    expect(Array.from(toRgbBytes(Float32Array.from([0, 0.5, 1])))).toEqual([
      0, 0, 0, 128, 128, 128, 255, 255, 255,
    ]);
  });
});

describe('experiment helpers', () => {
  it('no longer ships a second trainer beside the engine', () => {
    expect(existsSync(new URL('./train.ts', import.meta.url))).toBe(false);
  });

  it('calls a paired difference significant only when it is large against its spread', () => {
    expect(paired([0.9, 0.91, 0.92], [0.8, 0.81, 0.82]).significant).toBe(true);
    const noisy = paired([0.9, 0.8, 0.85], [0.85, 0.86, 0.8]);
    expect(noisy.mean).toBeCloseTo(0.0133, 3);
    expect(noisy.significant).toBe(false);
    expect(paired([0.5], [0.4]).significant).toBe(false);
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
