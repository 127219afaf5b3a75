import { beforeEach, describe, expect, it, vi } from 'vitest';
import { resetStudio, useStudio } from '../state/store';
import { applyMessage, type MessageEffects } from './router';

const NO_EFFECTS: MessageEffects = {
  onSourceSample: () => {},
  onWeights: () => {},
  onExported: () => {},
  onJob: () => {},
  onDatasetRead: () => {},
  onDatasetCancelled: () => {},
};

const state = () => useStudio.getState();

beforeEach(() => {
  resetStudio();
});

describe('router: worker answers → store', () => {
  it('routes an error to the panel of the job that failed', () => {
    applyMessage({ type: 'error', id: 'm', message: 'no such file' }, 'load-model', NO_EFFECTS);
    expect(state().modelError).toBe('no such file');
    applyMessage({ type: 'error', id: 'p', message: 'too few' }, 'probe', NO_EFFECTS);
    expect(state().probe).toMatchObject({ status: 'error', error: 'too few' });
    applyMessage({ type: 'error', id: 'f', message: 'no image' }, 'feature-maps', NO_EFFECTS);
    expect(state().featureMaps).toEqual({ maps: null, error: 'no image' });
    applyMessage({ type: 'error', id: 'd', message: 'unreadable' }, 'load-dataset', NO_EFFECTS);
    expect(state().datasetError).toBe('unreadable');
    applyMessage({ type: 'error', id: 'x', message: 'gone' }, 'predict-frame', NO_EFFECTS);
    expect(state().predict).toMatchObject({ frame: null, framePending: false, error: 'gone' });
    expect(state().trainingError).toBeNull();
  });

  it('says so when a model change makes the images be decoded again, and clears it at the end', () => {
    applyMessage(
      { type: 'resize-progress', id: 'm', done: 3, total: 10 },
      'load-model',
      NO_EFFECTS,
    );
    expect(state().decoding).toMatchObject({ done: 3, total: 10 });
    expect(state().decoding?.note).toMatch(/new input size/);
    applyMessage({ type: 'model-ready', id: 'm', imagesResized: true }, 'load-model', NO_EFFECTS);
    expect(state().decoding).toBeNull();
  });

  it('leaves a folder being read alone when a model load ends without resizing', () => {
    applyMessage(
      { type: 'decode-progress', id: 'd', done: 2, total: 9 },
      'load-dataset',
      NO_EFFECTS,
    );
    expect(state().decoding).toEqual({ done: 2, total: 9, note: null });
    applyMessage({ type: 'model-ready', id: 'm', imagesResized: false }, 'load-model', NO_EFFECTS);
    expect(state().decoding).toEqual({ done: 2, total: 9, note: null });
  });

  it('a stopped probe goes back to idle; a finished one shows its points', () => {
    state().setProbe({ status: 'running', points: [], error: null });
    applyMessage({ type: 'probe-stopped', id: 'p' }, 'probe', NO_EFFECTS);
    expect(state().probe.status).toBe('idle');
    applyMessage({ type: 'probe-result', id: 'p', points: [] }, 'probe', NO_EFFECTS);
    expect(state().probe.status).toBe('done');
  });

  it('asks for the source test images of a model that keeps its source head', () => {
    const onSourceSample = vi.fn();
    const card = {
      id: 'm',
      name: 'm',
      source: 'bundled' as const,
      inputSize: 28,
      resolutions: [28],
      channels: 1 as const,
      valueRange: [0, 1] as [number, number],
      featureLayer: 'pool',
      provenanceSummary: '',
      provenance: [],
      sourceClasses: ['a', 'b'],
    };
    applyMessage(
      { type: 'model', id: 'm', info: { card, resolution: 28, totalParams: 1, layers: [] } },
      'load-model',
      { ...NO_EFFECTS, onSourceSample },
    );
    expect(onSourceSample).toHaveBeenCalledWith(null);
    expect(state().model?.card.id).toBe('m');
  });
});
