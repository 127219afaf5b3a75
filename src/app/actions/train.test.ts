import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, PROBE_IMAGES_PER_CLASS, type RunRecord } from '../../domain';
import { resetStudio } from '../../state/store';
import { store } from './context';
import { endRun, fakeContext, settle, teachingInfo } from './testing';
import { runEnded, trainActions } from './train';

beforeEach(() => {
  resetStudio();
  store().setModel(teachingInfo());
});

describe('training actions', () => {
  it('trains the plan and parameters on screen, and hands over the run once it is done', async () => {
    const ctx = fakeContext();
    const trained: RunRecord[] = [];
    const { actions } = trainActions(ctx, (run) => trained.push(run));
    store().setParams({ epochs: 3 });
    actions.train();
    const request = ctx.fake.sent('train')[0]!;
    expect(request.args).toEqual([{ ...DEFAULT_PARAMS, epochs: 3 }, store().plan]);
    expect(store()).toMatchObject({ runId: request.id, phase: 'features' });
    expect(store().runs.map((r) => r.status)).toEqual(['running']);
    endRun('done');
    await vi.waitFor(() => expect(trained).toHaveLength(1));
    expect(trained[0]).toMatchObject({ id: request.id, status: 'done' });
  });

  it('hands over nothing when the run fails or is replaced by another', async () => {
    const ctx = fakeContext();
    const trained: RunRecord[] = [];
    const { actions } = trainActions(ctx, (run) => trained.push(run));
    actions.train();
    endRun('failed');
    actions.train();
    actions.train(); // replaces the one before
    endRun('done');
    await settle();
    expect(trained.map((r) => r.id)).toEqual([ctx.fake.sent('train')[2]!.id]);
  });

  it('runEnded: the record of a finished or stopped run, null for a failed one', async () => {
    store().startRun('train-1');
    const finished = runEnded('train-1');
    endRun('stopped');
    await expect(finished).resolves.toMatchObject({ id: 'train-1', status: 'stopped' });
    store().startRun('train-2');
    const failed = runEnded('train-2');
    endRun('failed');
    await expect(failed).resolves.toBeNull();
    await expect(runEnded('train-1')).resolves.toBeNull(); // no longer the run on screen
  });

  it('stop, probe and feature maps go to the worker', () => {
    const ctx = fakeContext();
    const { actions } = trainActions(ctx, () => {});
    actions.stop();
    actions.runProbe();
    actions.requestFeatureMaps('d/a/1.png', 'conv1');
    expect(ctx.fake.requests.map((r) => [r.method, ...r.args])).toEqual([
      ['stop'],
      ['probe', PROBE_IMAGES_PER_CLASS, DEFAULT_PARAMS.seed],
      ['featureMaps', 'd/a/1.png', 'conv1'],
    ]);
    expect(store().probe.status).toBe('running');
  });

  it('a crashed worker fails the run it cut off, with a sentence that keeps the user’s work', () => {
    const { crashed, actions } = trainActions(fakeContext(), () => {});
    actions.train();
    crashed('out of memory', ['train'], false);
    expect(store().phase).toBe('error');
    expect(store().trainingError).toMatch(
      /crashed \(out of memory\).*your dataset and settings are kept/,
    );
    actions.runProbe();
    crashed('The training worker stopped without an error.', ['probe'], true);
    expect(store().probe).toMatchObject({ status: 'error' });
  });
});
