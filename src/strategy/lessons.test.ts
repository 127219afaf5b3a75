import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { PlanLayer } from '../domain';
import {
  agreesWithTable,
  lessonTimeLeft,
  lessonVerdict,
  meanSd,
  verdictOf,
  type LessonRun,
} from './lesson-verdict';
import {
  LESSON_PARAMS,
  LESSONS,
  lessonById,
  lessonOrder,
  lessonSteps,
  lettersPlan,
  QUADRANT_LESSON,
  type Lesson,
} from './lessons';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** The teaching CNN's layers as the studio lists them (input first; a plain chain). */
const LAYERS: PlanLayer[] = [
  ['image', 0],
  ['conv1', 80],
  ['conv2', 1168],
  ['pool1', 0],
  ['conv3', 4640],
  ['conv4', 9248],
  ['pool2', 0],
  ['conv5', 18496],
  ['global_pool', 0],
  ['fc', 4160],
  ['head', 325],
].map(([name, params]) => ({ name: name as string, params: params as number, cutPoint: true }));

/** Numbers a lesson quotes from a table: "−11.8 ± 2.5", "+2.7 ± 0.9", "82.9%", and "60 epochs"-like counts. */
function quotedNumbers(text: string): string[] {
  return [
    ...text.matchAll(/[+−]?\d+\.\d ± \d+\.\d/g),
    ...text.matchAll(/(?<![\d.]|± )\d+\.\d%/g),
    ...text.matchAll(/\b\d+ (?:epochs|seeds)\b/g),
  ].map((m) => m[0]);
}

const citedDocs = (text: string) => [
  ...new Set([...text.matchAll(/docs\/[\w.-]+\.md/g)].map((m) => m[0])),
];

describe('the lesson catalogue', () => {
  it('has the lessons a class needs, each with its own id and title', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([
      'extract-tune-scratch',
      'freeze-depth',
      'similar-different',
      'learning-rate',
      'conservation',
      'copy-first-or-last',
      'inner-layer',
    ]);
    expect(new Set(LESSONS.map((l) => l.title)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(l.comparisons.length, l.id).toBeGreaterThan(0);
      for (const c of l.comparisons) {
        expect(
          l.arms.map((a) => a.id),
          l.id,
        ).toContain(c.better);
        expect(
          l.arms.map((a) => a.id),
          l.id,
        ).toContain(c.worse);
        expect(l.metrics, l.id).toContain(c.metric);
      }
      expect(l.seeds, l.id).toBeGreaterThanOrEqual(3);
    }
  });

  it('cites a committed document in every lesson, and every number it quotes is in it', () => {
    for (const l of LESSONS) {
      const docs = citedDocs(l.table);
      expect(docs.length, l.id).toBeGreaterThan(0);
      const text = docs.map((d) => readFileSync(join(ROOT, d), 'utf8')).join('\n');
      const numbers = [l.claim, l.setup, l.table, l.note ?? ''].flatMap(quotedNumbers);
      for (const n of numbers) expect(text, `${l.id}: ${n}`).toContain(n);
    }
    const q = QUADRANT_LESSON;
    const doc = citedDocs(q.table)
      .map((d) => readFileSync(join(ROOT, d), 'utf8'))
      .join('\n');
    expect(citedDocs(q.table).length).toBeGreaterThan(0);
    for (const n of [q.claim, q.setup, q.table].flatMap(quotedNumbers)) expect(doc, n).toContain(n);
    // The lessons that quote the teaching tables quote at least one number each.
    const quoting = LESSONS.filter((l) => quotedNumbers(l.table).length > 0);
    expect(quoting.length).toBeGreaterThanOrEqual(6);
  });

  it('finds quoted numbers', () => {
    expect(
      quotedNumbers('at −14.2 ± 4.0 pp, +0.9 ± 2.6 pp; 97.8% to 74.9 ± 7.7%, 60 epochs'),
    ).toEqual(['−14.2 ± 4.0', '+0.9 ± 2.6', '74.9 ± 7.7', '97.8%', '60 epochs']);
  });

  it('writes plans in the committed tables’ letters', () => {
    expect(lettersPlan('FFFFF', 'R')).toEqual({
      modes: {
        conv1: 'frozen',
        conv2: 'frozen',
        conv3: 'frozen',
        conv4: 'frozen',
        conv5: 'frozen',
        fc: 'reinit',
      },
      featureLayer: 'fc',
    });
    expect(lettersPlan('TTRFF', '–')).toMatchObject({
      modes: { conv1: 'fine-tune', conv3: 'reinit', conv5: 'frozen' },
      featureLayer: 'global_pool',
    });
    expect(lettersPlan('TTRFF', '–').modes.fc).toBeUndefined();
  });
});

describe('a lesson’s runs', () => {
  it('pairs every arm of a seed on one split, and loads each sample once', () => {
    const lesson = lessonById('similar-different')!;
    const steps = lessonSteps(lesson, LAYERS);
    expect(steps.map((s) => [s.sample, s.armIndex, s.seed])).toEqual([
      ['fashion-target', 0, 1],
      ['fashion-target', 0, 2],
      ['fashion-target', 0, 3],
      ['digits-inverted', 1, 1],
      ['digits-inverted', 1, 2],
      ['digits-inverted', 1, 3],
      ['digits-inverted', 2, 1],
      ['digits-inverted', 2, 2],
      ['digits-inverted', 2, 3],
    ]);
    for (const s of steps) expect(s.params.splitSeed).toBe(s.seed);
    expect(lessonOrder(lesson).map((o) => o.armIndex)).toEqual(steps.map((s) => s.armIndex));
    // Another number of seeds: the same order with that many per arm.
    expect(lessonSteps(lesson, LAYERS, 2).map((s) => s.seed)).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('trains as the committed tables do: 10 images per class of 40, batch 10, 1e-3', () => {
    expect(40 * (1 - LESSON_PARAMS.validationFraction - LESSON_PARAMS.testFraction)).toBe(10);
    expect(LESSON_PARAMS).toMatchObject({ batchSize: 10, learningRate: 1e-3 });
    const lr = lessonSteps(lessonById('learning-rate')!, LAYERS);
    expect([...new Set(lr.map((s) => s.params.fineTuneLearningRate))]).toEqual([1e-5, 1e-3, 1e-2]);
    const cons = lessonSteps(lessonById('conservation')!, LAYERS);
    expect([...new Set(cons.map((s) => s.params.conservation))]).toEqual([0, 1]);
  });

  it('builds the freeze-depth arms with the sweep’s plan at each depth', () => {
    const steps = lessonSteps(lessonById('freeze-depth')!, LAYERS);
    const byArm = [0, 1, 2].map((a) => steps.find((s) => s.armIndex === a)!.plan.modes);
    expect(
      byArm.map((m) => ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc'].map((n) => m[n])),
    ).toEqual([
      ['fine-tune', 'fine-tune', 'fine-tune', 'fine-tune', 'fine-tune', 'reinit'],
      ['frozen', 'frozen', 'fine-tune', 'fine-tune', 'fine-tune', 'reinit'],
      ['frozen', 'frozen', 'frozen', 'frozen', 'frozen', 'reinit'],
    ]);
  });

  it('refuses a network without the teaching CNN’s layers, naming what is missing', () => {
    const other = LAYERS.filter((l) => l.name !== 'conv5');
    expect(() => lessonSteps(LESSONS[0]!, other)).toThrow(/conv5 missing/);
  });
});

const run = (armIndex: number, seed: number, target: number, source: number | null = null) =>
  ({
    armIndex,
    seed,
    runId: `${armIndex}-${seed}`,
    target,
    source,
    sourceBefore: 0.978,
    seconds: 2,
  }) satisfies LessonRun;

describe('the verdict', () => {
  const lesson = lessonById('extract-tune-scratch')!;

  it('holds when the paired difference is beyond seed noise', () => {
    const runs = [
      ...[0.8, 0.82, 0.79].map((t, i) => run(1, i + 1, t)),
      ...[0.7, 0.71, 0.7].map((t, i) => run(2, i + 1, t)),
    ];
    const out = lessonVerdict(lesson, runs);
    expect(out.verdict).toBe('held');
    expect(out.comparisons[0]!.diff.mean).toBeCloseTo(10, 5);
    expect(out.comparisons[0]!.paired).toBe(true);
    expect(out.sentences.join(' ')).toMatch(
      /The claim held here: fine-tuning beat training from scratch \(\+10\.0 ± 1\.0 pp, paired over 3 seeds\)/,
    );
    expect(out.sentences[0]).toMatch(/Fine-tune all 80\.3% ± 1\.5, From scratch 70\.3% ± 0\.6/);
  });

  it('is within noise when the seeds disagree, and did not hold when the opposite is clear', () => {
    const noisy = [
      ...[0.8, 0.7, 0.75].map((t, i) => run(1, i + 1, t)),
      ...[0.72, 0.78, 0.74].map((t, i) => run(2, i + 1, t)),
    ];
    expect(lessonVerdict(lesson, noisy).verdict).toBe('within-noise');
    const opposite = [
      ...[0.6, 0.61, 0.6].map((t, i) => run(1, i + 1, t)),
      ...[0.7, 0.71, 0.7].map((t, i) => run(2, i + 1, t)),
    ];
    const out = lessonVerdict(lesson, opposite);
    expect(out.verdict).toBe('did-not-hold');
    expect(out.sentences.join(' ')).toMatch(/did not hold here/);
  });

  it('uses the paired t-test’s margin: over 3 seeds the mean must exceed 4.303/√3 ≈ 2.48 sd', () => {
    expect(verdictOf({ mean: 2.4, sd: 1, n: 3 }, 2)).toBe('within-noise');
    expect(verdictOf({ mean: 2.6, sd: 1, n: 3 }, 2)).toBe('held');
    expect(verdictOf({ mean: -2.6, sd: 1, n: 3 }, 2)).toBe('did-not-hold');
    expect(verdictOf({ mean: 1, sd: 1, n: 10 }, 9)).toBe('held');
    expect(verdictOf({ mean: 5, sd: 0, n: 1 }, 0)).toBe('within-noise');
  });

  it('compares arms on different data without pairing them', () => {
    const l = lessonById('similar-different')!;
    const runs = [
      ...[0.78, 0.8, 0.76].map((t, i) => run(0, i + 1, t)),
      ...[0.64, 0.66, 0.62].map((t, i) => run(1, i + 1, t)),
      ...[0.8, 0.82, 0.78].map((t, i) => run(2, i + 1, t)),
    ];
    const out = lessonVerdict(l, runs);
    // Headline: scratch against frozen on the different data, paired by seed.
    expect(out.comparisons[0]!.paired).toBe(true);
    expect(out.comparisons[0]!.diff.mean).toBeCloseTo(16, 5);
    expect(out.verdict).toBe('held');
    // Frozen on the similar data against frozen on the different: not paired.
    expect(out.comparisons[1]!.paired).toBe(false);
    expect(out.comparisons[1]!.diff.mean).toBeCloseTo(14, 5);
    expect(out.sentences.join(' ')).toMatch(/paired over 3 seeds/);
  });

  it('reports the source task, and leaves failed runs out of every mean', () => {
    const l = lessonById('conservation')!;
    const runs: LessonRun[] = [
      run(0, 1, 0.8, 0.7),
      run(0, 2, 0.82, 0.72),
      { ...run(0, 3, 0, null), target: null, error: 'loss diverged' },
      run(1, 1, 0.78, 0.95),
      run(1, 2, 0.79, 0.93),
      run(1, 3, 0.77, 0.94),
    ];
    const out = lessonVerdict(l, runs);
    expect(out.arms[0]!.target!.n).toBe(2);
    expect(out.arms[0]!.failed).toBe(1);
    expect(out.comparisons[0]!.diff.n).toBe(2);
    const text = out.sentences.join(' ');
    expect(text).toMatch(
      /Source task \(97\.8% before\) after: Fine-tune, λ = 0 71\.0% ± 1\.4, Fine-tune, λ = 1 94\.0% ± 1\.0/,
    );
    expect(text).toMatch(
      /1 of 3 runs of Fine-tune, λ = 0 ended without a result, counted in no mean \(loss diverged\)/,
    );
  });

  it('has no verdict before the headline comparison has runs', () => {
    expect(lessonVerdict(lesson, [run(0, 1, 0.7)]).verdict).toBeNull();
    expect(lessonVerdict(lesson, []).sentences).toEqual([]);
  });

  it('says whether the verdict matches the committed table’s', () => {
    const withTable: Lesson = { ...lesson, expected: 'within-noise' };
    expect(agreesWithTable(withTable, 'within-noise')).toBe(true);
    expect(agreesWithTable(withTable, 'held')).toBe(false);
    expect(agreesWithTable({ ...lesson, expected: null }, 'held')).toBeNull();
  });
});

describe('time left', () => {
  it('costs each remaining run its arm’s mean, or the mean of all runs so far', () => {
    const done = [
      { ...run(0, 1, 0.7), seconds: 2 },
      { ...run(1, 1, 0.7), seconds: 10 },
    ];
    expect(lessonTimeLeft([], [0, 1])).toBeNull();
    expect(lessonTimeLeft(done, [0, 1, 2])).toBe(2 + 10 + 6);
  });

  it('averages with the sample standard deviation', () => {
    expect(meanSd([1, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
    expect(meanSd([])).toBeNull();
  });
});
