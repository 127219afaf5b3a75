import { HEAD_EPOCHS } from '../../strategy/quadrant-candidates';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Evaluation, LayerPlan, ModelInfo, TrainParams } from '../../domain';
import { resetStudio } from '../../state/store';
import { quadrantPlan } from '../../strategy/quadrant';
import { experimentResults } from '../../strategy/quadrant-experiment';
import teachingLayers from '../../strategy/fixtures/teaching-cnn-layers.json';
import { store } from './context';
import { quadrantExperimentActions } from './quadrant-experiment';
import { endRun, fakeContext, settle, teachingInfo } from './testing';

/** The teaching network with all its layers (the quadrant plans cut inside it). */
function teachingCnn(): ModelInfo {
  return {
    ...teachingInfo(),
    layers: teachingLayers.map((l) => ({ ...l, outputShape: '' })),
  };
}

const FINE_TUNE_UPPER: LayerPlan = {
  modes: { conv4: 'fine-tune', conv5: 'fine-tune' },
  featureLayer: 'global_pool',
};

function evaluation(accuracy: number): Evaluation {
  return {
    split: 'test',
    classNames: [],
    accuracy,
    confusion: [],
    perClass: [],
    misclassified: {},
    projection: { before: [], after: [], labels: [], featuresTrained: false },
    forgetting: null,
  };
}

beforeEach(() => {
  resetStudio();
  store().setModel(teachingCnn());
  store().setDataset(
    [
      { name: 'a', count: 20 },
      { name: 'b', count: 20 },
    ],
    [],
    [],
  );
  store().setQuadrant('small-different');
  store().setPlan(FINE_TUNE_UPPER);
  store().setParams({ seed: 7, epochs: 12 });
});

/** Ends each run as `how` says (a done run scores `tests[i]` on the test images), as the worker's answers would. */
async function answer(
  ctx: ReturnType<typeof fakeContext>,
  hows: ('done' | 'failed')[],
  tests: number[] = [],
) {
  for (let i = 0; i < hows.length; i++) {
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(i + 1));
    if (hows[i] === 'done') store().setEvaluation(evaluation(tests[i] ?? 0.5));
    endRun(hows[i]!);
  }
}

const sentSetups = (ctx: ReturnType<typeof fakeContext>) =>
  ctx.fake.sent('train').map((r) => r.args as [TrainParams, LayerPlan]);

describe('the quadrant experiment', () => {
  it('trains applied, textbook and recipe seed by seed on one split, each an ordinary run, then judges each arm', async () => {
    const ctx = fakeContext();
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 2, maxEpochs: null });
    expect(store().quadrantExperiment?.step).toBe('Run 1 of 6: Applied plan, seed 7');
    // Applied 0.70/0.72, textbook 0.50/0.52 (worse), recipe 0.80/0.81.
    await answer(
      ctx,
      ['done', 'done', 'done', 'done', 'done', 'done'],
      [0.7, 0.5, 0.8, 0.72, 0.52, 0.81],
    );
    await vi.waitFor(() => expect(store().quadrantExperiment?.status).toBe('done'));
    const sent = sentSetups(ctx);
    expect(sent.map(([p]) => [p.seed, p.splitSeed])).toEqual([
      [7, 7],
      [7, 7],
      [7, 7],
      [8, 7],
      [8, 7],
      [8, 7],
    ]);
    const textbook = quadrantPlan('small-different', teachingCnn().layers, 'global_pool');
    expect(sent.map(([, plan]) => plan)).toEqual([
      FINE_TUNE_UPPER,
      textbook.plan,
      { modes: {}, featureLayer: 'global_pool' },
      FINE_TUNE_UPPER,
      textbook.plan,
      { modes: {}, featureLayer: 'global_pool' },
    ]);
    expect(sent.map(([p]) => [p.epochs, p.head])).toEqual([
      [12, 'softmax'],
      [HEAD_EPOCHS, 'svm'],
      [HEAD_EPOCHS, 'softmax'],
      [12, 'softmax'],
      [HEAD_EPOCHS, 'svm'],
      [HEAD_EPOCHS, 'softmax'],
    ]);
    expect(store().runs.map((r) => r.id)).toEqual(ctx.fake.sent('train').map((r) => r.id));
    const x = store().quadrantExperiment!;
    expect(x.runs.map((r) => [r.armIndex, r.seed, r.testAccuracy])).toEqual([
      [0, 7, 0.7],
      [1, 7, 0.5],
      [2, 7, 0.8],
      [0, 8, 0.72],
      [1, 8, 0.52],
      [2, 8, 0.81],
    ]);
    expect(x.remaining).toEqual([]);
    expect(x.step).toBe('');
    const results = experimentResults(x.arms, x.runs);
    expect(results[1]!.vsApplied?.verdict).toBe('worse');
    expect(results[2]!.vsApplied?.mean).toBeCloseTo(0.095);
  });

  it('trains a plan once when the applied plan is the textbook plan', async () => {
    const made = quadrantPlan('small-different', teachingCnn().layers, 'global_pool');
    store().setPlan(made.plan);
    store().setParams(made.params);
    const ctx = fakeContext();
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 1, maxEpochs: null });
    await answer(ctx, ['done', 'done']);
    await vi.waitFor(() => expect(store().quadrantExperiment?.status).toBe('done'));
    expect(store().quadrantExperiment!.arms.map((a) => a.covers)).toEqual([
      ['applied', 'textbook'],
      ['recipe'],
    ]);
    expect(ctx.fake.sent('train')).toHaveLength(2);
  });

  it('caps the epochs of the runs that train layers when asked', async () => {
    const ctx = fakeContext();
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 1, maxEpochs: 10 });
    await answer(ctx, ['done', 'done', 'done']);
    expect(sentSetups(ctx).map(([p]) => p.epochs)).toEqual([10, HEAD_EPOCHS, HEAD_EPOCHS]);
  });

  it('stops when asked and says so: the worker is told, the finished runs stay, no more runs start', async () => {
    const ctx = fakeContext();
    const actions = quadrantExperimentActions(ctx);
    actions.runQuadrantExperiment({ seeds: 2, maxEpochs: null });
    await answer(ctx, ['done']);
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(2));
    actions.stopQuadrantExperiment();
    expect(ctx.fake.sent('stop')).toHaveLength(1);
    expect(store().quadrantExperiment?.status).toBe('stopped');
    endRun('stopped');
    await settle();
    expect(ctx.fake.sent('train')).toHaveLength(2);
    expect(store().quadrantExperiment!.runs).toHaveLength(1);
    expect(store().quadrantExperiment!.status).toBe('stopped');
  });

  it('stops when the run in progress is stopped with the training panel’s Stop', async () => {
    const ctx = fakeContext();
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 1, maxEpochs: null });
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(1));
    endRun('stopped');
    await vi.waitFor(() => expect(store().quadrantExperiment?.status).toBe('stopped'));
    await settle();
    expect(ctx.fake.sent('train')).toHaveLength(1);
  });

  it('ends with the error when a run fails, and trains no more', async () => {
    const ctx = fakeContext();
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 2, maxEpochs: null });
    await answer(ctx, ['done', 'failed']);
    await vi.waitFor(() => expect(store().quadrantExperiment?.status).toBe('failed'));
    expect(store().quadrantExperiment?.error).toBe('out of memory');
    await settle();
    expect(ctx.fake.sent('train')).toHaveLength(2);
  });

  it('does not start while another run trains, nor twice at once', async () => {
    const ctx = fakeContext();
    const actions = quadrantExperimentActions(ctx);
    actions.runQuadrantExperiment({ seeds: 1, maxEpochs: null });
    actions.runQuadrantExperiment({ seeds: 1, maxEpochs: null });
    await settle();
    expect(ctx.fake.sent('train')).toHaveLength(1);
    resetStudio();
    store().setModel(teachingCnn());
    store().setQuadrant('small-different');
    store().startRun('train-9');
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 1, maxEpochs: null });
    expect(store().quadrantExperiment).toBeNull();
  });

  it('says why when there is nothing to compare, and trains nothing', async () => {
    const made = quadrantPlan('small-similar', teachingCnn().layers, 'global_pool');
    store().setQuadrant('small-similar');
    store().setPlan(made.plan);
    store().setParams(made.params);
    const ctx = fakeContext();
    quadrantExperimentActions(ctx).runQuadrantExperiment({ seeds: 3, maxEpochs: null });
    expect(store().quadrantExperiment).toMatchObject({ status: 'failed' });
    expect(store().quadrantExperiment!.error).toMatch(/^Nothing to compare/);
    await settle();
    expect(ctx.fake.sent('train')).toHaveLength(0);
  });
});
