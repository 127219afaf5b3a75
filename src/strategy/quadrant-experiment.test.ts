import { HEAD_EPOCHS } from './quadrant-candidates';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type LayerPlan, type TrainParams } from '../domain';
import { quadrantPlan } from './quadrant';
import {
  armLabel,
  experimentArms,
  experimentResults,
  experimentSteps,
  experimentTimeLeft,
  paired,
  sameRunNote,
  sameSetup,
  type ExperimentRun,
} from './quadrant-experiment';
import type { StrategyLayer } from './quadrant-layers';
import teachingCnn from './fixtures/teaching-cnn-layers.json';

const layers: StrategyLayer[] = teachingCnn;
const FEATURE = 'global_pool';

/** What the quadrant picker applies for `q`: its plan, its parameters over the defaults. */
function applied(q: Parameters<typeof quadrantPlan>[0]): { plan: LayerPlan; params: TrainParams } {
  const made = quadrantPlan(q, layers, FEATURE);
  return { plan: made.plan, params: { ...DEFAULT_PARAMS, ...made.params } };
}

const arms = (
  q: Parameters<typeof quadrantPlan>[0],
  setup: { plan: LayerPlan; params: TrainParams },
  maxEpochs: number | null = null,
) => experimentArms({ layers, featureLayer: FEATURE, quadrant: q, ...setup, maxEpochs });

const FINE_TUNE_ALL: LayerPlan = {
  modes: {
    conv1: 'fine-tune',
    conv2: 'fine-tune',
    conv3: 'fine-tune',
    conv4: 'fine-tune',
    conv5: 'fine-tune',
  },
  featureLayer: FEATURE,
};

describe('the arms', () => {
  it('are the applied plan, the textbook plan and the recipe when all three differ', () => {
    const got = arms('small-different', {
      plan: FINE_TUNE_ALL,
      params: { ...DEFAULT_PARAMS, epochs: 12 },
    });
    expect(got.map((a) => a.covers)).toEqual([['applied'], ['textbook'], ['recipe']]);
    const [mine, textbook, recipe] = got;
    expect(mine!.plan).toEqual(FINE_TUNE_ALL);
    expect(mine!.params.epochs).toBe(12);
    // The textbook plan for few, different images: a linear SVM on an intermediate cut.
    expect(textbook!.plan.featureLayer).toBe('conv3');
    expect(textbook!.params).toMatchObject({ head: 'svm', epochs: HEAD_EPOCHS, learningRate: 1e-3 });
    // The recipe: everything frozen, softmax on the pooled features, small-similar's epochs.
    expect(recipe!.plan).toEqual({ modes: {}, featureLayer: FEATURE });
    expect(recipe!.params).toMatchObject({ head: 'softmax', epochs: HEAD_EPOCHS, batchNormTraining: false });
    // The rest of the applied run's settings carry over.
    expect(textbook!.params.batchSize).toBe(DEFAULT_PARAMS.batchSize);
    // Batch-norm statistics stay fixed in the textbook plan, whatever the applied run does.
    const fromScratch = arms('small-different', {
      plan: FINE_TUNE_ALL,
      params: { ...DEFAULT_PARAMS, batchNormTraining: true },
    });
    expect(fromScratch[1]!.params.batchNormTraining).toBe(false);
  });

  it('trains the applied plan once when it is the textbook plan', () => {
    const got = arms('small-different', applied('small-different'));
    expect(got.map((a) => a.covers)).toEqual([['applied', 'textbook'], ['recipe']]);
    expect(sameRunNote(got)).toBe('The applied plan is the textbook plan: it is trained once.');
    expect(armLabel(got[0]!)).toBe('Applied plan = Textbook plan');
  });

  it('trains one run when the applied plan is both the textbook plan and the recipe', () => {
    const got = arms('small-similar', applied('small-similar'));
    expect(got.map((a) => a.covers)).toEqual([['applied', 'textbook', 'recipe']]);
    expect(sameRunNote(got)).toBe(
      "The applied plan is the textbook plan and Teachable Machine's recipe: it is trained once.",
    );
  });

  it('merges the textbook plan into the recipe when those two are the same and the applied plan differs', () => {
    const got = arms('small-similar', { plan: FINE_TUNE_ALL, params: DEFAULT_PARAMS });
    expect(got.map((a) => a.covers)).toEqual([['applied'], ['textbook', 'recipe']]);
  });

  it('tells plans apart by any setting that acts on them, but not by rates of layers that do not train', () => {
    const base = applied('small-similar');
    // A fine-tune rate, an L2-SP strength or batch-norm statistics act on fine-tuned layers only.
    const idle = {
      ...base.params,
      fineTuneLearningRate: 3e-4,
      conservation: 0.1,
      batchNormTraining: true,
    };
    expect(sameSetup(layers, base, { plan: base.plan, params: idle })).toBe(true);
    expect(sameSetup(layers, base, { plan: base.plan, params: { ...base.params, seed: 9 } })).toBe(
      true,
    );
    expect(
      sameSetup(layers, base, { plan: base.plan, params: { ...base.params, learningRate: 1e-2 } }),
    ).toBe(false);
    expect(
      sameSetup(layers, base, {
        plan: base.plan,
        params: { ...base.params, augment: { ...base.params.augment, flip: true } },
      }),
    ).toBe(false);
    const ft = { plan: FINE_TUNE_ALL, params: DEFAULT_PARAMS };
    expect(
      sameSetup(layers, ft, {
        plan: FINE_TUNE_ALL,
        params: { ...DEFAULT_PARAMS, fineTuneLearningRate: 1e-4 },
      }),
    ).toBe(false);
  });

  it('caps the epochs of plans that train layers, and says from what; heads on cached features keep theirs', () => {
    const got = arms(
      'small-different',
      { plan: FINE_TUNE_ALL, params: { ...DEFAULT_PARAMS, epochs: 40 } },
      20,
    );
    expect(got.map((a) => [a.params.epochs, a.cappedFrom])).toEqual([
      [20, 40],
      [HEAD_EPOCHS, null],
      [HEAD_EPOCHS, null],
    ]);
    const under = arms(
      'small-different',
      { plan: FINE_TUNE_ALL, params: { ...DEFAULT_PARAMS, epochs: 12 } },
      20,
    );
    expect(under[0]!.params.epochs).toBe(12);
    expect(under[0]!.cappedFrom).toBeNull();
  });
});

describe('the runs', () => {
  it('go seed by seed through every arm, each seed its own, the split the first seed’s', () => {
    const got = arms('small-different', {
      plan: FINE_TUNE_ALL,
      params: { ...DEFAULT_PARAMS, seed: 7 },
    });
    const steps = experimentSteps(got, 2);
    expect(steps.map((s) => [s.armIndex, s.seed, s.params.seed, s.params.splitSeed])).toEqual([
      [0, 7, 7, 7],
      [1, 7, 7, 7],
      [2, 7, 7, 7],
      [0, 8, 8, 7],
      [1, 8, 8, 7],
      [2, 8, 8, 7],
    ]);
    expect(steps[1]!.plan.featureLayer).toBe('conv3');
  });

  it('estimate the time left from each arm’s own runs, else from all runs so far', () => {
    const run = (armIndex: number, seconds: number): ExperimentRun => ({
      armIndex,
      seed: 1,
      runId: 'r',
      valAccuracy: 0.5,
      testAccuracy: 0.5,
      seconds,
    });
    expect(experimentTimeLeft([], [0, 1])).toBeNull();
    // Arm 0 took 10 s and 20 s (mean 15); arm 1 has no run yet: the mean of all, (10+20+3)/3 = 11.
    expect(experimentTimeLeft([run(0, 10), run(0, 20), run(2, 3)], [0, 1, 2])).toBeCloseTo(
      15 + 11 + 3,
    );
  });
});

describe('the paired verdict', () => {
  it('is the mean ± sd of the per-seed differences, judged by a paired t-test at 95%', () => {
    // Differences 0.10, 0.12, 0.08: mean 0.10, sd 0.02, margin 4.303 · 0.02 / √3 = 0.0497.
    const d = paired([0.8, 0.82, 0.78], [0.7, 0.7, 0.7])!;
    expect(d.mean).toBeCloseTo(0.1);
    expect(d.sd).toBeCloseTo(0.02);
    expect(d.margin).toBeCloseTo((4.303 * 0.02) / Math.sqrt(3));
    expect(d.verdict).toBe('better');
    expect(paired([0.6, 0.58, 0.62], [0.7, 0.7, 0.7])!.verdict).toBe('worse');
  });

  it('is within noise when the differences scatter around zero', () => {
    // Differences +0.10, −0.05, +0.02: mean 0.023, sd 0.076, margin 0.19.
    const d = paired([0.8, 0.65, 0.72], [0.7, 0.7, 0.7])!;
    expect(d.verdict).toBe('within-noise');
  });

  it('counts identical non-zero differences as beyond noise, and identical results as within it', () => {
    expect(paired([0.8, 0.8], [0.75, 0.75])!.verdict).toBe('better');
    expect(paired([0.8, 0.8], [0.8, 0.8])!.verdict).toBe('within-noise');
  });

  it('cannot judge one pair, and has nothing to say about none', () => {
    expect(paired([0.9], [0.1])!.verdict).toBe('too-few');
    expect(paired([], [])).toBeNull();
    expect(() => paired([1, 2], [1])).toThrow(/differ in number/);
  });

  it('pairs each arm with the applied plan by seed, over the seeds both finished', () => {
    const got = arms('small-different', {
      plan: FINE_TUNE_ALL,
      params: { ...DEFAULT_PARAMS, seed: 1 },
    });
    const r = (armIndex: number, seed: number, test: number | null, val = 0.5): ExperimentRun => ({
      armIndex,
      seed,
      runId: `${armIndex}-${seed}`,
      valAccuracy: val,
      testAccuracy: test,
      seconds: 2,
    });
    const results = experimentResults(got, [
      r(0, 1, 0.7),
      r(1, 1, 0.6),
      r(2, 1, 0.8),
      r(0, 2, 0.72),
      r(1, 2, 0.61),
      r(2, 2, 0.83),
      r(0, 3, 0.71), // the experiment stopped here: seed 3 has the applied arm only
    ]);
    expect(results.map((x) => x.label)).toEqual([
      'Applied plan',
      'Textbook plan',
      "Teachable Machine's recipe",
    ]);
    expect(results[0]!.vsApplied).toBeNull();
    expect(results[0]!.score).toMatchObject({ n: 3 });
    expect(results[0]!.score!.mean).toBeCloseTo(0.71);
    expect(results[1]!.vsApplied).toMatchObject({ n: 2, verdict: 'worse' });
    expect(results[1]!.vsApplied!.mean).toBeCloseTo(-0.105);
    expect(results[2]!.vsApplied!.n).toBe(2);
    expect(results[2]!.vsApplied!.mean).toBeCloseTo(0.105);
    // Without test images the validation accuracy is compared.
    const noTest = experimentResults(got, [r(0, 1, null, 0.5), r(1, 1, null, 0.6)]);
    expect(noTest[1]!.vsApplied!.mean).toBeCloseTo(0.1);
  });
});
