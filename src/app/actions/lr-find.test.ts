import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type LrFindResult, type LrSweep } from '../../domain';
import { resetStudio } from '../../state/store';
import { applyMessage, type MessageEffects } from '../router';
import { store } from './context';
import { lrFindActions } from './lr-find';
import { fakeContext, teachingInfo } from './testing';

beforeEach(() => {
  resetStudio();
  store().setModel(teachingInfo());
});

const sweep = (group: LrSweep['group'], suggested: number | null): LrSweep => ({
  group,
  points: [{ rate: 1e-7, loss: 1, smoothed: 1 }],
  suggested,
  minimum: suggested === null ? null : suggested * 10,
  steepest: null,
  climbsFrom: null,
  ended: 'diverged',
  lossOf: 'validation',
});

const result = (head: number | null, fineTune?: number | null): LrFindResult => ({
  head: sweep('head', head),
  fineTune: fineTune === undefined ? null : sweep('fine-tune', fineTune),
  stopped: false,
  numTensors: 3,
  numTensorsBefore: 3,
});

const effects = {} as MessageEffects;

describe('learning-rate range test actions', () => {
  it('sends the parameters and plan on screen, shows progress, then the result the worker found', () => {
    const ctx = fakeContext();
    const { actions } = lrFindActions(ctx);
    store().setParams({ batchSize: 8 });
    actions.findLearningRate();
    const request = ctx.fake.sent('lrFind')[0]!;
    expect(request.args).toEqual([{ ...DEFAULT_PARAMS, batchSize: 8 }, store().plan]);
    expect(store().lrFind).toMatchObject({ status: 'running', result: null });
    actions.findLearningRate(); // a second press while it runs sends nothing
    expect(ctx.fake.sent('lrFind')).toHaveLength(1);
    const id = request.id;
    applyMessage(
      { type: 'lr-find-progress', id, phase: 'head', done: 40, total: 100 },
      'lr-find',
      effects,
    );
    expect(store().lrFind.progress).toEqual({ phase: 'head', done: 40, total: 100 });
    applyMessage({ type: 'lr-find-result', id, result: result(3e-3, 2e-5) }, 'lr-find', effects);
    expect(store().lrFind).toMatchObject({ status: 'done', progress: null });
    expect(store().lrFind.result?.fineTune?.suggested).toBe(2e-5);
  });

  it('Use suggested rates sets both rates (two significant digits), or only the head rate when no fine-tune rate was found', () => {
    const { actions } = lrFindActions(fakeContext());
    store().setLrFind({ status: 'done', result: result(3.2745e-3, 2e-5) });
    actions.useSuggestedRates();
    expect(store().params).toMatchObject({ learningRate: 3.3e-3, fineTuneLearningRate: 2e-5 });
    store().setParams({ learningRate: 1e-3, fineTuneLearningRate: 1e-5 });
    store().setLrFind({ result: result(5e-4, null) });
    actions.useSuggestedRates();
    expect(store().params).toMatchObject({ learningRate: 5e-4, fineTuneLearningRate: 1e-5 });
    store().setLrFind({ result: result(null) });
    actions.useSuggestedRates(); // nothing suggested: nothing changes
    expect(store().params.learningRate).toBe(5e-4);
  });

  it('an error, or a crashed worker, becomes a sentence; a later press starts again', () => {
    const ctx = fakeContext();
    const lr = lrFindActions(ctx);
    lr.actions.findLearningRate();
    applyMessage(
      { type: 'error', id: ctx.fake.sent('lrFind')[0]!.id, message: 'No dataset is loaded yet.' },
      'lr-find',
      effects,
    );
    expect(store().lrFind).toMatchObject({ status: 'error', error: 'No dataset is loaded yet.' });
    lr.actions.findLearningRate();
    expect(store().lrFind.status).toBe('running');
    lr.crashed('out of memory', ['train']);
    expect(store().lrFind.status).toBe('running'); // not its job
    lr.crashed('out of memory', ['lr-find']);
    expect(store().lrFind.status).toBe('error');
    expect(store().lrFind.error).toMatch(/out of memory.*Find learning rate/);
    expect(ctx.fake.sent('lrFind')).toHaveLength(2);
  });
});
