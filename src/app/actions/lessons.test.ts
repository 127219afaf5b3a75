import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Evaluation, LayerPlan, ModelInfo, SampleInfo, TrainParams } from '../../domain';
import { resetStudio } from '../../state/store';
import { lessonById } from '../../strategy/lessons';
import { EXPERIMENT_DEFAULT_MAX_EPOCHS } from '../../strategy/quadrant-experiment';
import { store } from './context';
import { lessonsActions } from './lessons';
import type { ModelWait } from './model';
import { endRun, fakeContext, settle, teachingInfo } from './testing';

/** The teaching network with the layers its lessons name. */
function teachingCnn(): ModelInfo {
  const info = teachingInfo();
  const layer = (name: string, params: number) => ({
    name,
    className: params ? 'Conv2D' : 'Pooling',
    outputShape: '',
    params,
    cutPoint: true,
  });
  return {
    ...info,
    layers: [
      layer('image', 0),
      layer('conv1', 80),
      layer('conv2', 1168),
      layer('pool1', 0),
      layer('conv3', 4640),
      layer('conv4', 9248),
      layer('pool2', 0),
      layer('conv5', 18496),
      layer('global_pool', 0),
      layer('fc', 4160),
      layer('head', 325),
    ],
  };
}

const SAMPLES: SampleInfo[] = [
  { id: 'fashion-target', name: 'Fashion target', description: '' },
  { id: 'digits-inverted', name: 'Inverted digits', description: '' },
];

function evaluation(accuracy: number, sourceAfter: number): Evaluation {
  return {
    split: 'test',
    classNames: [],
    accuracy,
    confusion: [],
    perClass: [],
    misclassified: {},
    projection: { before: [], after: [], labels: [], featuresTrained: false },
    forgetting: { before: 0.978, after: sourceAfter, images: 200 },
  };
}

/** Deps whose sample loads are answered at once, as the worker's `dataset` answer would. */
function deps(modelWait: ModelWait = { loaded: true }) {
  const loaded: string[] = [];
  return {
    loaded,
    ensureModel: vi.fn(() => Promise.resolve(modelWait)),
    samples: SAMPLES,
    runQuadrantExperiment: vi.fn(),
    loadSample: async (sample: SampleInfo) => {
      loaded.push(sample.id);
      store().setDatasetLoading(sample.name, 0);
      await Promise.resolve();
      store().setDataset([{ name: 'a', count: 40 }], [], []);
    },
  };
}

beforeEach(() => {
  resetStudio();
  store().setModel(teachingCnn());
});

describe('a lesson', () => {
  it('loads each sample once and trains every arm with every seed as an ordinary run, then gives a verdict', async () => {
    const ctx = fakeContext();
    const d = deps();
    const { runLesson } = lessonsActions(ctx, d);
    runLesson('similar-different', 2);
    // Frozen on the Fashion target, then frozen and scratch on inverted digits; two seeds each.
    const scores = [0.8, 0.82, 0.6, 0.62, 0.8, 0.79];
    for (let i = 0; i < scores.length; i++) {
      await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(i + 1));
      store().setEvaluation(evaluation(scores[i]!, 0.9));
      endRun('done');
    }
    await vi.waitFor(() => expect(store().lesson?.status).toBe('done'));
    expect(d.ensureModel).toHaveBeenCalledWith('teaching-cnn', null, false);
    expect(d.loaded).toEqual(['fashion-target', 'digits-inverted']);
    const sent = ctx.fake.sent('train').map((r) => r.args as [TrainParams, LayerPlan]);
    expect(sent.map(([p]) => [p.seed, p.splitSeed, p.testFraction])).toEqual(
      [1, 2, 1, 2, 1, 2].map((seed) => [seed, seed, 0.5]),
    );
    expect(sent.map(([, plan]) => plan.modes.conv5)).toEqual(
      ['frozen', 'frozen', 'reinit'].flatMap((m) => [m, m]),
    );
    // Each run is an ordinary run with the lesson's plan and parameters, on its sample.
    expect(store().runs).toHaveLength(6);
    expect(store().runs.map((r) => r.dataset)).toEqual([
      'Fashion target',
      'Fashion target',
      ...Array(4).fill('Inverted digits'),
    ]);
    expect(store().runs[0]!.params.seed).toBe(1);
    const lesson = store().lesson!;
    expect(lesson.total).toBe(6);
    expect(lesson.runs.map((r) => r.target)).toEqual(scores);
    expect(lesson.runs.map((r) => r.runId)).toEqual(store().runs.map((r) => r.id));
    expect(lesson.runs[0]).toMatchObject({ source: 0.9, sourceBefore: 0.978 });
    // The user's own plan and parameters are untouched.
    expect(store().params.seed).toBe(42);
  });

  it('skips loading a sample that is already loaded', async () => {
    store().setDatasetLoading('Fashion target', 0);
    store().setDataset([{ name: 'a', count: 40 }], [], []);
    const ctx = fakeContext();
    const d = deps();
    lessonsActions(ctx, d).runLesson('copy-first-or-last');
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(1));
    expect(d.loaded).toEqual([]);
  });

  it('stops at once on Stop lesson: the worker is told, no further run starts, the finished runs stay', async () => {
    const ctx = fakeContext();
    const { runLesson, stopLesson } = lessonsActions(ctx, deps());
    runLesson('copy-first-or-last');
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(1));
    store().setEvaluation(evaluation(0.7, 0.9));
    endRun('done');
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(2));
    stopLesson();
    expect(store().lesson?.status).toBe('stopped');
    expect(ctx.fake.sent('stop')).toHaveLength(1);
    endRun('stopped');
    await settle();
    expect(ctx.fake.sent('train')).toHaveLength(2);
    expect(store().lesson?.runs).toHaveLength(1);
    expect(store().lesson?.status).toBe('stopped');
  });

  it('records a failed run (a diverged loss) and goes on with the next', async () => {
    const ctx = fakeContext();
    lessonsActions(ctx, deps()).runLesson('copy-first-or-last');
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(1));
    endRun('failed');
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(2));
    expect(store().lesson?.runs[0]).toMatchObject({ target: null, error: 'out of memory' });
    expect(store().lesson?.status).toBe('running');
  });

  it('fails with the reason when the network does not load, and trains nothing', async () => {
    const ctx = fakeContext();
    lessonsActions(ctx, deps({ loaded: false, reason: 'HTTP 404' })).runLesson('conservation');
    await vi.waitFor(() => expect(store().lesson?.status).toBe('failed'));
    expect(store().lesson?.error).toBe('Could not load the network: HTTP 404');
    expect(ctx.fake.sent('train')).toHaveLength(0);
  });

  it('fails when a sample cannot be read, naming it', async () => {
    const ctx = fakeContext();
    const d = {
      ...deps(),
      loadSample: async (sample: SampleInfo) => {
        store().setDatasetLoading(sample.name, 0);
        await Promise.resolve();
        store().setDatasetError('HTTP 500');
      },
    };
    lessonsActions(ctx, d).runLesson('conservation');
    await vi.waitFor(() => expect(store().lesson?.status).toBe('failed'));
    expect(store().lesson?.error).toBe('Could not load the sample "Fashion target": HTTP 500');
  });

  it('four quadrants: loads the network and sample, chooses the quadrant, then runs the quadrant experiment', async () => {
    const ctx = fakeContext();
    const d = deps();
    lessonsActions(ctx, d).runLesson('quadrants', 4);
    await vi.waitFor(() => expect(d.runQuadrantExperiment).toHaveBeenCalledTimes(1));
    expect(d.runQuadrantExperiment).toHaveBeenCalledWith({
      seeds: 4,
      maxEpochs: EXPERIMENT_DEFAULT_MAX_EPOCHS,
    });
    expect(d.ensureModel).toHaveBeenCalledWith('teaching-cnn', null, false);
    // The inverted digits, small and different: where the three plans differ.
    expect(d.loaded).toEqual(['digits-inverted']);
    expect(store().quadrant).toBe('small-different');
    expect(store().lesson).toMatchObject({ lessonId: 'quadrants', status: 'done' });
    // The lesson trains nothing itself: the experiment does.
    expect(ctx.fake.sent('train')).toHaveLength(0);
  });

  it('does not start while a run trains, nor for an unknown lesson', async () => {
    const ctx = fakeContext();
    const { runLesson } = lessonsActions(ctx, deps());
    runLesson('no-such-lesson');
    store().startRun('train-1');
    runLesson('conservation');
    await settle();
    expect(store().lesson).toBeNull();
    expect(lessonById('conservation')).toBeDefined();
  });
});
