import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClassifierSpec } from '../../domain';
import { resetStudio } from '../../state/store';
import { store } from './context';
import { modelActions } from './model';
import { predictActions } from './predict';
import type { StudioStorage } from '../../storage/studio-storage';
import {
  endRun,
  fakeContext,
  finishedRun,
  memoryStorage,
  settle,
  teachingInfo,
  weightsOf,
} from './testing';
import { trainActions } from './train';
import { createWeightsKeeper } from './weights';

beforeEach(() => {
  resetStudio();
  vi.stubGlobal('location', { href: 'http://localhost/' });
  store().setModel(teachingInfo());
  store().setDataset(
    [
      { name: 'a', count: 5 },
      { name: 'b', count: 5 },
    ],
    [],
    [],
    'memory',
  );
});

/** The predict family wired as the studio wires it, with training that hands over its runs. */
function setUp(storage?: StudioStorage) {
  const ctx = fakeContext(storage);
  const weights = createWeightsKeeper(storage);
  const model = modelActions(ctx);
  const predict = predictActions(ctx, weights, model.ensureModel);
  const train = trainActions(ctx, (run) => void predict.useTrainedRun(run));
  const classifiers = () => ctx.fake.sent('useClassifier').map((r) => r.args[0] as ClassifierSpec);
  return { ctx, weights, predict, train, actions: predict.actions, classifiers };
}

describe('choosing the run to predict with', () => {
  it("builds the chosen run's classifier from its stored weights", async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('train-1'));
    store().setRuns([finishedRun('train-1')]);
    const { actions, classifiers } = setUp(storage);
    await actions.choosePredictRun('train-1');
    expect(store().predict).toMatchObject({
      runId: 'train-1',
      status: 'loading',
      justTrained: false,
    });
    expect(classifiers()).toEqual([
      {
        key: 'train-1',
        featureLayer: 'global_pool',
        classNames: ['a', 'b'],
        weights: weightsOf('train-1'),
      },
    ]);
  });

  it('says so when a run has no weights', async () => {
    store().setRuns([finishedRun('train-1')]);
    const { actions, classifiers } = setUp(memoryStorage());
    await actions.choosePredictRun('train-1');
    expect(store().predict.status).toBe('error');
    expect(store().predict.error).toMatch(/Run train-1 has no stored weights/);
    expect(classifiers()).toEqual([]);
  });

  it("loads the run's network first when another one is on screen", async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('train-1'));
    store().setRuns([finishedRun('train-1', { resolution: 56 })]);
    const { ctx, actions, classifiers } = setUp(storage);
    const chosen = actions.choosePredictRun('train-1');
    await vi.waitFor(() => expect(ctx.fake.sent('loadModel')).toHaveLength(1));
    expect(ctx.fake.sent('loadModel')[0]!.args[1]).toBe(56);
    expect(classifiers()).toEqual([]);
    store().setModel(teachingInfo(56));
    await chosen;
    expect(classifiers().map((c) => c.key)).toEqual(['train-1']);
  });

  it("says so when the run's network fails to load, and builds nothing when it loads later", async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('train-1'));
    store().setRuns([finishedRun('train-1', { resolution: 56 })]);
    const { ctx, actions, classifiers } = setUp(storage);
    const chosen = actions.choosePredictRun('train-1');
    await vi.waitFor(() => expect(ctx.fake.sent('loadModel')).toHaveLength(1));
    store().setModelError('weights.bin: HTTP 404');
    await chosen;
    expect(store().predict.status).toBe('error');
    expect(store().predict.error).toBe(
      'Run train-1 needs Teaching CNN at 56 px, which did not load (weights.bin: HTTP 404): choose the run again.',
    );
    store().setModelLoading('teaching-cnn');
    store().setModel(teachingInfo(56));
    await Promise.resolve();
    expect(classifiers()).toEqual([]);
  });

  it('only the run chosen last is built when the user changes their mind while it loads', async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('train-1'));
    await storage.saveWeights(weightsOf('train-2'));
    store().setRuns([finishedRun('train-1', { resolution: 56 }), finishedRun('train-2')]);
    const { ctx, actions, classifiers } = setUp(storage);
    const first = actions.choosePredictRun('train-1');
    await vi.waitFor(() => expect(ctx.fake.sent('loadModel')).toHaveLength(1));
    const second = actions.choosePredictRun('train-2');
    // It needs the network at 28 px again: that load supersedes the one at 56 px.
    await vi.waitFor(() => expect(ctx.fake.sent('loadModel')).toHaveLength(2));
    store().setModel(teachingInfo(28));
    await Promise.all([first, second]);
    expect(classifiers().map((c) => c.key)).toEqual(['train-2']);
    expect(store().predict.runId).toBe('train-2');
  });
});

describe('predicting right after training', () => {
  it('uses the run just trained without a click, with the weights kept in memory when nothing is stored', async () => {
    const { ctx, weights, train, classifiers } = setUp();
    train.actions.train();
    const runId = ctx.fake.sent('train')[0]!.id;
    // The worker sends the weights, then says the run is done.
    weights.receive(weightsOf(runId));
    endRun('done');
    await vi.waitFor(() => expect(classifiers()).toHaveLength(1));
    expect(classifiers()[0]).toMatchObject({ key: runId, weights: weightsOf(runId) });
    expect(store().predict).toMatchObject({ runId, justTrained: true, status: 'loading' });
  });

  it('waits until the weights are stored before it builds the classifier', async () => {
    const storage = memoryStorage();
    let release = () => {};
    const saved = new Promise<void>((resolve) => (release = resolve));
    const save = storage.saveWeights;
    storage.saveWeights = async (w) => {
      await saved;
      await save(w);
    };
    const { ctx, weights, train, classifiers } = setUp(storage);
    train.actions.train();
    const runId = ctx.fake.sent('train')[0]!.id;
    weights.receive(weightsOf(runId));
    endRun('done');
    await vi.waitFor(() => expect(store().predict.status).toBe('loading'));
    await settle();
    expect(classifiers()).toEqual([]);
    release();
    await vi.waitFor(() => expect(classifiers()).toHaveLength(1));
    expect(storage.weights.has(runId)).toBe(true);
  });

  it('still predicts when storing the weights fails, and says storage failed', async () => {
    const { ctx, weights, train, classifiers } = setUp(
      memoryStorage({ saveWeights: 'The disk is full.' }),
    );
    train.actions.train();
    const runId = ctx.fake.sent('train')[0]!.id;
    weights.receive(weightsOf(runId));
    endRun('done');
    await vi.waitFor(() => expect(classifiers()).toHaveLength(1));
    expect(store().storageError).toBe('The disk is full.');
  });

  it('a stopped run with epochs is used too; a failed one or one with no epochs is not', async () => {
    for (const [how, used] of [
      ['stopped', true],
      ['failed', false],
      ['no epochs', false],
    ] as const) {
      resetStudio();
      store().setModel(teachingInfo());
      const { ctx, weights, train, classifiers } = setUp();
      train.actions.train();
      const runId = ctx.fake.sent('train')[0]!.id;
      if (how !== 'no epochs') weights.receive(weightsOf(runId));
      endRun(how);
      await settle();
      expect(classifiers().length, how).toBe(used ? 1 : 0);
    }
  });

  it('is not used when the user has moved on to another network meanwhile', async () => {
    const { ctx, weights, train, classifiers } = setUp();
    train.actions.train();
    const runId = ctx.fake.sent('train')[0]!.id;
    weights.receive(weightsOf(runId));
    store().setModel({ ...teachingInfo(), card: { ...teachingInfo().card, id: 'other-net' } });
    endRun('done');
    await settle();
    expect(classifiers()).toEqual([]);
    expect(ctx.fake.sent('loadModel')).toEqual([]);
    expect(store().predict.runId).toBeNull();
  });

  it('choosing another run afterwards still works', async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('train-0'));
    store().setRuns([finishedRun('train-0')]);
    const { ctx, weights, train, actions, classifiers } = setUp(storage);
    train.actions.train();
    const runId = ctx.fake.sent('train')[0]!.id;
    weights.receive(weightsOf(runId));
    endRun('done');
    await vi.waitFor(() => expect(classifiers()).toHaveLength(1));
    await actions.choosePredictRun('train-0');
    expect(classifiers().map((c) => c.key)).toEqual([runId, 'train-0']);
    expect(store().predict).toMatchObject({ runId: 'train-0', justTrained: false });
  });
});

describe('predicting and exporting', () => {
  it('classifies files and frames with the run in use; a frame waits for the one before', () => {
    const { ctx, actions } = setUp();
    const frame = { close: vi.fn() } as unknown as ImageBitmap;
    actions.predictFiles([]);
    actions.predictFrame(frame);
    expect(ctx.fake.requests).toEqual([]); // no run in use yet
    expect(frame.close).toHaveBeenCalledTimes(1);
    store().setPredict({ runId: 'train-1', status: 'ready' });
    const file = { path: 'x/a/1.png', file: new Blob() };
    actions.predictFiles([file]);
    expect(ctx.fake.sent('predict')[0]!.args).toEqual(['train-1', [file]]);
    expect(store().predict.status).toBe('predicting');
    store().setPredict({ status: 'ready' });
    actions.predictFrame(frame);
    actions.predictFrame(frame);
    expect(ctx.fake.sent('predictFrame')).toHaveLength(1);
    expect(frame.close).toHaveBeenCalledTimes(2);
  });

  it('files chosen while the classifier is being built wait for it, then go to that run', () => {
    const { ctx, actions } = setUp();
    store().setPredict({ runId: 'train-1', status: 'loading' });
    const file = { path: 'x/a/1.png', file: new Blob() };
    actions.predictFiles([file]);
    expect(ctx.fake.sent('predict')).toEqual([]);
    store().setPredict({ status: 'ready' }); // the worker built the classifier
    expect(ctx.fake.sent('predict').map((r) => r.args)).toEqual([['train-1', [file]]]);
    expect(store().predict.status).toBe('predicting');
    // A classifier that fails to build, or another run chosen meanwhile: the files are dropped.
    store().setPredict({ runId: 'train-2', status: 'loading' });
    actions.predictFiles([file]);
    store().setPredict({ status: 'error', error: 'no weights' });
    store().setPredict({ status: 'ready' });
    store().setPredict({ runId: 'train-3', status: 'loading' });
    actions.predictFiles([file]);
    store().setPredict({ runId: 'train-4', status: 'ready' });
    expect(ctx.fake.sent('predict')).toHaveLength(1);
  });

  it("exports the classifier in use and downloads it under its run's dataset name", () => {
    const { ctx, actions, predict } = setUp();
    store().setRuns([finishedRun('train-1', { dataset: 'My photos' })]);
    store().setPredict({ runId: 'train-1', status: 'ready' });
    actions.exportModel();
    expect(ctx.fake.sent('exportModel')[0]!.args).toEqual(['train-1']);
    expect(store().predict.exporting).toBe(true);
    predict.exported({
      type: 'exported-model',
      modelJson: '{}',
      weights: new ArrayBuffer(4),
      imageSize: 28,
      classNames: ['a', 'b'],
    } as Parameters<typeof predict.exported>[0]);
    expect(ctx.downloads.map((d) => d.name)).toEqual(['my-photos.zip']);
    expect(store().predict.exporting).toBe(false);
  });
});
