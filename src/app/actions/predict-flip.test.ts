import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetStudio } from '../../state/store';
import { store } from './context';
import { modelActions } from './model';
import { predictActions } from './predict';
import { fakeContext } from './testing';
import { createWeightsKeeper } from './weights';

beforeEach(() => resetStudio());

describe('Predict with test-time augmentation', () => {
  it('asks the worker for flip-averaged predictions of files and frames only while the option is on', () => {
    const ctx = fakeContext();
    const { actions } = predictActions(
      ctx,
      createWeightsKeeper(undefined),
      modelActions(ctx).ensureModel,
    );
    store().setPredict({ runId: 'train-1', status: 'ready' });
    const file = { path: 'x/a/1.png', file: new Blob() };
    const frame = { close: vi.fn() } as unknown as ImageBitmap;
    store().setParams({ testTimeAugmentation: true });
    actions.predictFiles([file]);
    store().setPredict({ status: 'ready' });
    actions.predictFrame(frame);
    expect(ctx.fake.sent('predict')[0]!.args).toEqual(['train-1', [file], true]);
    expect(ctx.fake.sent('predictFrame')[0]!.args).toEqual(['train-1', frame, true]);
    store().setParams({ testTimeAugmentation: false });
    store().setPredict({ status: 'ready', framePending: false });
    actions.predictFiles([file]);
    expect(ctx.fake.sent('predict')[1]!.args).toEqual(['train-1', [file]]);
  });
});
