import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, type LayerPlan, type TrainParams } from '../../domain';
import { resetStudio } from '../../state/store';
import type { SweepDepth } from '../../strategy/sweep';
import { store } from './context';
import { runsActions } from './runs';
import {
  endRun,
  fakeContext,
  finishedRun,
  memoryStorage,
  teachingInfo,
  weightsOf,
} from './testing';
import { createWeightsKeeper } from './weights';

const DEPTHS: SweepDepth[] = [
  { boundary: null, frozen: 0, weighted: 1, label: 'nothing frozen' },
  { boundary: 'conv1', frozen: 1, weighted: 1, label: 'up to conv1' },
];

beforeEach(() => {
  resetStudio();
  store().setModel(teachingInfo());
  store().setParams({ seed: 7 });
});

/** Ends each of the sweep's runs as `how` says, as the worker's answers would. */
async function answerSweep(ctx: ReturnType<typeof fakeContext>, hows: ('done' | 'failed')[]) {
  for (let i = 0; i < hows.length; i++) {
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(i + 1));
    endRun(hows[i]!);
  }
}

describe('the sweep', () => {
  it('fine-tunes at the rate the panel gives, leaving the studio’s own rate alone', async () => {
    const ctx = fakeContext();
    const before = store().params.fineTuneLearningRate;
    runsActions(ctx, createWeightsKeeper(undefined)).startSweep(DEPTHS, 1, 3e-4);
    await answerSweep(ctx, ['done', 'done']);
    await vi.waitFor(() => expect(store().sweep?.status).toBe('done'));
    const sent = ctx.fake.sent('train').map((r) => r.args as [TrainParams, LayerPlan]);
    expect(sent.map(([p]) => p.fineTuneLearningRate)).toEqual([3e-4, 3e-4]);
    expect(store().params.fineTuneLearningRate).toBe(before);
  });

  it('trains each depth with each seed on one split, one run after another, and records each', async () => {
    const ctx = fakeContext();
    const { startSweep } = runsActions(ctx, createWeightsKeeper(undefined));
    startSweep(DEPTHS, 2);
    await answerSweep(ctx, ['done', 'done', 'done', 'done']);
    await vi.waitFor(() => expect(store().sweep?.status).toBe('done'));
    const sent = ctx.fake.sent('train').map((r) => r.args as [TrainParams, LayerPlan]);
    expect(sent.map(([p]) => [p.seed, p.splitSeed])).toEqual([
      [7, 7],
      [8, 7],
      [7, 7],
      [8, 7],
    ]);
    expect(sent.map(([, plan]) => plan.modes.conv1)).toEqual([
      'fine-tune',
      'fine-tune',
      'frozen',
      'frozen',
    ]);
    expect(store().sweep!.runs.map((r) => [r.depthIndex, r.seed, r.valAccuracy])).toEqual([
      [0, 7, 0.7],
      [0, 8, 0.7],
      [1, 7, 0.7],
      [1, 8, 0.7],
    ]);
    expect(store().runs).toHaveLength(4);
  });

  it('ends as failed when one of its runs fails, and trains no more', async () => {
    const ctx = fakeContext();
    runsActions(ctx, createWeightsKeeper(undefined)).startSweep(DEPTHS, 2);
    await answerSweep(ctx, ['done', 'failed']);
    await vi.waitFor(() => expect(store().sweep?.status).toBe('failed'));
    expect(store().sweep?.error).toBe('out of memory');
    expect(ctx.fake.sent('train')).toHaveLength(2);
  });

  it('stops when cancelled: the worker is told, the runs that finished stay', async () => {
    const ctx = fakeContext();
    const { startSweep, cancelSweep } = runsActions(ctx, createWeightsKeeper(undefined));
    startSweep(DEPTHS, 2);
    await answerSweep(ctx, ['done']);
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(2));
    cancelSweep();
    expect(ctx.fake.sent('stop')).toHaveLength(1);
    endRun('done'); // the stopped run keeps its epochs
    await vi.waitFor(() => expect(store().sweep?.status).toBe('cancelled'));
    expect(store().sweep!.runs).toHaveLength(1);
    expect(ctx.fake.sent('train')).toHaveLength(2);
  });

  it('does not start without a model, nor while another sweep runs', async () => {
    const ctx = fakeContext();
    const { startSweep } = runsActions(ctx, createWeightsKeeper(undefined));
    startSweep(DEPTHS, 1);
    startSweep(DEPTHS, 1);
    await vi.waitFor(() => expect(ctx.fake.sent('train')).toHaveLength(1));
    resetStudio();
    runsActions(ctx, createWeightsKeeper(undefined)).startSweep(DEPTHS, 1);
    expect(store().sweep).toBeNull();
  });
});

describe('stored runs', () => {
  it('reuse applies the run’s plan and parameters', () => {
    const plan: LayerPlan = { modes: { conv1: 'fine-tune' }, featureLayer: 'global_pool' };
    store().setRuns([finishedRun('train-1', { plan, params: { ...DEFAULT_PARAMS, epochs: 2 } })]);
    runsActions(fakeContext(), createWeightsKeeper(undefined)).reuseRun('train-1');
    expect(store().plan).toEqual(plan);
    expect(store().params.epochs).toBe(2);
  });

  it('delete removes the run, its weights and stored copy, and stops predicting with it', async () => {
    const storage = memoryStorage();
    const weights = createWeightsKeeper(storage);
    await weights.save(weightsOf('train-1'));
    await storage.saveRun(finishedRun('train-1'));
    store().setRuns([finishedRun('train-1'), finishedRun('train-2')]);
    store().setPredict({ runId: 'train-1', status: 'ready' });
    runsActions(fakeContext(storage), weights).deleteRun('train-1');
    expect(store().runs.map((r) => r.id)).toEqual(['train-2']);
    expect(store().predict).toMatchObject({ runId: null, status: 'idle' });
    await vi.waitFor(() => expect(store().storedBytes).toBe(1234));
    expect(storage.runs.size).toBe(0);
    await expect(weights.get('train-1')).resolves.toBeUndefined();
  });
});
