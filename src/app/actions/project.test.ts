import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, type LayerPlan } from '../../domain';
import { resetStudio } from '../../state/store';
import { packProject, unpackProject, type Project } from '../project';
import { store } from './context';
import { datasetActions } from './dataset';
import { modelActions } from './model';
import { projectActions } from './project';
import {
  fakeContext,
  finishedRun,
  memoryStorage,
  settle,
  teachingInfo,
  weightsOf,
} from './testing';
import { createWeightsKeeper } from './weights';
import type { StudioStorage } from '../../storage/studio-storage';

const PLAN: LayerPlan = { modes: { conv1: 'fine-tune' }, featureLayer: 'global_pool' };

beforeEach(() => {
  resetStudio();
  vi.stubGlobal('location', { href: 'http://localhost/' });
  store().setDataset(
    [
      { name: 'a', count: 1 },
      { name: 'b', count: 1 },
    ],
    [],
    [],
  );
});

function setUp(storage?: StudioStorage) {
  const ctx = fakeContext(storage);
  const weights = createWeightsKeeper(storage);
  const dataset = datasetActions(ctx);
  const model = modelActions(ctx);
  const project = projectActions(ctx, {
    weights,
    sendDataset: dataset.send,
    ensureModel: model.ensureModel,
  });
  return { ctx, weights, actions: project.actions, jobFiles: project.jobFiles };
}

/** A saved project of one finished run on the teaching network, as a picked file. */
async function projectFile(patch: Partial<Project> = {}): Promise<File> {
  store().setModel(teachingInfo());
  const run = finishedRun('train-9');
  store().setModel({ ...teachingInfo(), card: { ...teachingInfo().card, id: 'other' } });
  const blob = await packProject({
    settings: {
      modelId: 'teaching-cnn',
      resolution: 28,
      plan: PLAN,
      params: { ...DEFAULT_PARAMS, epochs: 4 },
      imageBudgetBytes: 32 * 2 ** 20,
    },
    dataset: {
      name: 'lesson',
      files: [{ path: 'lesson/a/1.png', file: new Blob([new Uint8Array([1])]) }],
      skipped: [],
    },
    runs: [run],
    weights: [weightsOf('train-9')],
    ...patch,
  });
  return new File([blob], 'lesson.thaw.zip');
}

describe('project actions', () => {
  it('saves the stored work and the finished runs as one file', async () => {
    const storage = memoryStorage();
    store().setModel(teachingInfo());
    await storage.saveWeights(weightsOf('train-1'));
    store().setRuns([finishedRun('train-1'), { ...finishedRun('train-2'), status: 'running' }]);
    store().setDatasetLoading('My set', 0);
    const { ctx, actions } = setUp(storage);
    await actions.saveProject();
    expect(ctx.downloads.map((d) => d.name)).toEqual(['my-set.thaw.zip']);
    const back = unpackProject(new Uint8Array(await ctx.downloads[0]!.data.arrayBuffer()));
    expect(back.runs.map((r) => r.id)).toEqual(['train-1']);
    expect(back.weights).toEqual([weightsOf('train-1')]);
  });

  it('opens a project: storage replaced, runs shown, dataset sent, plan applied once its network loads', async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('old'));
    const file = await projectFile();
    store().setImageBudget(64 * 2 ** 20);
    store().setPredict({ runId: 'old', status: 'ready' });
    const { ctx, actions } = setUp(storage);
    await actions.openProject(file);
    expect(store().storageError).toBeNull();
    expect(store().runs.map((r) => r.id)).toEqual(['train-9']);
    expect(store().predict.runId).toBeNull();
    expect(store().params.epochs).toBe(4);
    expect([...storage.weights.keys()]).toEqual(['train-9']);
    // The memory budget belongs to this machine.
    expect((await storage.loadSettings())?.imageBudgetBytes).toBe(64 * 2 ** 20);
    expect(ctx.fake.sent('loadDataset')[0]!.args[2]).toBe(64 * 2 ** 20);
    expect(ctx.fake.sent('loadModel')[0]!.args[1]).toBe(28);
    expect(store().plan).not.toEqual(PLAN);
    store().setModel(teachingInfo());
    await vi.waitFor(() => expect(store().plan).toEqual(PLAN));
    expect(store().storageError).toBeNull();
  });

  it('keeps the plan on screen when the project’s network fails to load', async () => {
    const file = await projectFile();
    const { ctx, actions } = setUp(memoryStorage());
    const before = store().plan;
    await actions.openProject(file);
    expect(store().storageError).toBeNull();
    expect(ctx.fake.sent('loadModel')).toHaveLength(1);
    store().setModelError('model.json: HTTP 500');
    store().setModel(teachingInfo()); // a later load of it does not bring the plan either
    await settle();
    expect(store().plan).not.toEqual(PLAN);
    expect(before).not.toEqual(PLAN);
  });

  it('a corrupt file is refused with its name, and nothing changes', async () => {
    const storage = memoryStorage();
    await storage.saveWeights(weightsOf('kept'));
    store().setRuns([finishedRun('kept')]);
    const { actions } = setUp(storage);
    await actions.openProject(new File([new Uint8Array([1, 2, 3])], 'broken.thaw.zip'));
    expect(store().storageError).toMatch(/^Could not open "broken\.thaw\.zip": /);
    expect(store().runs.map((r) => r.id)).toEqual(['kept']);
    expect([...storage.weights.keys()]).toEqual(['kept']);
  });

  it('import run asks for the three files of the runner, and refuses ones it cannot read', async () => {
    const { actions } = setUp(memoryStorage());
    await actions.importRun([new File(['{}'], 'run.json')]);
    expect(store().storageError).toMatch(/needs three files.*run\.json, model\/model\.json/);
    await actions.importRun([
      new File(['not json'], 'run.json'),
      new File(['{}'], 'model.json'),
      new File([new Uint8Array(4)], 'weights.bin'),
    ]);
    expect(store().storageError).toMatch(/^Could not import the run: /);
    expect(store().runs).toEqual([]);
  });

  it('exports the plan as a training job once the worker sends its files', () => {
    const { ctx, actions, jobFiles } = setUp();
    actions.exportTrainingJob();
    expect(ctx.fake.requests).toEqual([]); // no model yet
    store().setModel(teachingInfo());
    store().setDatasetLoading('My set', 0);
    store().setDataset(
      [
        { name: 'a', count: 1 },
        { name: 'b', count: 1 },
      ],
      [],
      [],
    );
    actions.exportTrainingJob();
    expect(ctx.fake.sent('exportJob')[0]!.args).toEqual(['global_pool']);
    jobFiles({
      type: 'exported-job',
      modelJson: '{}',
      weights: new ArrayBuffer(4),
      reference: '{}',
    } as unknown as Parameters<typeof jobFiles>[0]);
    expect(ctx.downloads.map((d) => d.name)).toEqual(['my-set-training-job.zip']);
  });
});
