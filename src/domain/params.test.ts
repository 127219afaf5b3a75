import { describe, expect, it } from 'vitest';
import { earlyStoppingState } from './params';

const rule = { enabled: true, patience: 3, minDelta: 0.01 };

describe('earlyStoppingState', () => {
  it('keeps improving runs going and points at the latest epoch', () => {
    expect(earlyStoppingState([1, 0.8, 0.6, 0.5], rule)).toEqual({ bestEpoch: 4, stop: false });
  });

  it('stops `patience` epochs after the best validation loss, which it keeps', () => {
    // Best at epoch 2; epochs 3, 4, 5 do not improve → stop after epoch 5.
    expect(earlyStoppingState([1, 0.5, 0.6, 0.7], rule)).toEqual({ bestEpoch: 2, stop: false });
    expect(earlyStoppingState([1, 0.5, 0.6, 0.7, 0.8], rule)).toEqual({ bestEpoch: 2, stop: true });
  });

  it('does not count an improvement smaller than minDelta', () => {
    expect(earlyStoppingState([1, 0.995, 0.992, 0.991], rule)).toEqual({
      bestEpoch: 1,
      stop: true,
    });
  });

  it('never stops when switched off, but still names the best epoch', () => {
    expect(earlyStoppingState([1, 0.5, 2, 3, 4, 5], { ...rule, enabled: false })).toEqual({
      bestEpoch: 2,
      stop: false,
    });
  });
});
