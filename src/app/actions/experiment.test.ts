import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, type DatasetFile, type LayerPlan } from '../../domain';
import { resetStudio } from '../../state/store';
import { parseExperiment } from '../../strategy/experiment-file';
import { store } from './context';
import { experimentActions } from './experiment';
import { modelActions } from './model';
import { fakeContext, finishedRun, settle, teachingInfo } from './testing';

const PLAN: LayerPlan = { modes: { conv1: 'fine-tune' }, featureLayer: 'global_pool' };
const FILES: DatasetFile[] = [
  { path: 'd/a/1.png', file: new Blob([new Uint8Array([1, 2])]) },
  { path: 'd/b/2.png', file: new Blob([new Uint8Array([3])]) },
];

beforeEach(() => {
  resetStudio();
  vi.stubGlobal('location', { href: 'http://localhost/' });
  store().setModel(teachingInfo());
});

function setUp() {
  const ctx = fakeContext();
  ctx.client.loadDataset(FILES, []);
  return { ctx, actions: experimentActions(ctx, modelActions(ctx).ensureModel) };
}

/** The experiment file of a run of PLAN, exported from a studio with FILES. */
async function exported(): Promise<File> {
  const { ctx, actions } = setUp();
  store().setRuns([
    finishedRun('train-1', { plan: PLAN, params: { ...DEFAULT_PARAMS, seed: 3, epochs: 4 } }),
  ]);
  store().setDatasetLoading('d', 0);
  await actions.exportExperiment({ runIds: ['train-1'] });
  expect(ctx.downloads.map((d) => d.name)).toEqual(['thaw-run-teaching-cnn.json']);
  return new File([ctx.downloads[0]!.data], 'exp.json');
}

describe('experiment actions', () => {
  it('exports the chosen runs with the dataset’s manifest', async () => {
    const exp = parseExperiment(await (await exported()).text());
    expect(exp).toMatchObject({ kind: 'run', modelId: 'teaching-cnn', resolution: 28, plan: PLAN });
    expect(exp.seeds).toEqual([3]);
    expect(exp.dataset.files.map((f) => [f.path, f.className, f.bytes])).toEqual([
      ['d/a/1.png', 'a', 2],
      ['d/b/2.png', 'b', 1],
    ]);
    expect(exp.results).toEqual([{ label: 'train-1', valAccuracy: 0.7, testAccuracy: null }]);
  });

  it('applies an experiment: parameters at once, the plan once its network is loaded', async () => {
    const file = await exported();
    resetStudio();
    const { ctx, actions } = setUp();
    const applied = actions.importExperiment(file);
    await vi.waitFor(() => expect(ctx.fake.sent('loadModel')).toHaveLength(1));
    expect(store().params.epochs).toBe(4);
    expect(store().plan).not.toEqual(PLAN);
    store().setModel(teachingInfo());
    await applied;
    expect(store().plan).toEqual(PLAN);
    expect(store().experimentNote).toEqual({
      text: 'Experiment "exp.json" applied: same data (2 images, same hashes).',
      warning: false,
    });
  });

  it('says when the loaded data differs from the experiment’s', async () => {
    const file = await exported();
    const { ctx, actions } = setUp();
    ctx.client.loadDataset([FILES[0]!], []);
    await actions.importExperiment(file);
    expect(store().plan).toEqual(PLAN);
    expect(store().experimentNote?.warning).toBe(true);
    expect(store().experimentNote?.text).toMatch(/loaded data differs/);
  });

  it('applies no plan when its network fails to load, and says so', async () => {
    const file = await exported();
    resetStudio();
    const { ctx, actions } = setUp();
    const applied = actions.importExperiment(file);
    await vi.waitFor(() => expect(ctx.fake.sent('loadModel')).toHaveLength(1));
    store().setModelError('model.json: HTTP 404');
    await applied;
    store().setModel(teachingInfo());
    await settle();
    expect(store().plan).not.toEqual(PLAN);
    expect(store().experimentNote).toEqual({
      text: 'Experiment "exp.json" was not applied: its model "teaching-cnn" did not load (model.json: HTTP 404).',
      warning: true,
    });
  });

  it('refuses a file that is not an experiment, or one of a model this studio lacks', async () => {
    const { actions } = setUp();
    await actions.importExperiment(new File(['nope'], 'x.json'));
    expect(store().experimentNote?.warning).toBe(true);
    const exp = JSON.parse(await (await exported()).text());
    await actions.importExperiment(
      new File([JSON.stringify({ ...exp, modelId: 'secret-net' })], 'y.json'),
    );
    expect(store().experimentNote?.text).toBe(
      'The experiment uses the model "secret-net", which this studio does not have.',
    );
  });
});
