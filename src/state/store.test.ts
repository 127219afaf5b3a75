import { beforeEach, describe, expect, it } from 'vitest';
import type { LayerInfo, ModelInfo } from '../domain';
import { resetStudio, useStudio } from './store';

const layer = (name: string, params: number): LayerInfo => ({
  name,
  className: params > 0 ? 'Conv2D' : 'ReLU',
  outputShape: '4×4×8',
  params,
  cutPoint: true,
});

const info = (id: string, resolution = 224): ModelInfo => ({
  card: {
    id,
    name: `Model ${id}`,
    source: 'bundled',
    inputSize: 224,
    resolutions: [96, 224],
    channels: 3,
    valueRange: [0, 1],
    featureLayer: 'pool',
    provenanceSummary: '',
    provenance: [],
  },
  resolution,
  totalParams: 30,
  layers: [
    layer('conv1', 10),
    layer('relu', 0),
    layer('conv2', 20),
    layer('pool', 0),
    layer('head', 5),
  ],
});

beforeEach(() => resetStudio());

describe('studio store', () => {
  it('keeps the user plan when the same network comes back at another size, resets it for another network', () => {
    const s = () => useStudio.getState();
    s().setModel(info('a'));
    s().setPlan({ modes: { conv2: 'fine-tune' }, featureLayer: 'pool' });
    s().setModel(info('a', 96));
    expect(s().plan.modes).toEqual({ conv2: 'fine-tune' });
    s().setModel(info('b'));
    expect(s().plan).toEqual({ modes: {}, featureLayer: 'pool' });
  });

  it('records a finished run with its plan counted over the weighted layers in use', () => {
    const s = () => useStudio.getState();
    s().setModel(info('a'));
    s().setPlan({ modes: { conv2: 'fine-tune', head: 'reinit' }, featureLayer: 'pool' });
    s().startRun('train-1');
    s().addEpoch({ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.6 });
    s().finishRun({
      stopped: false,
      valAccuracy: 0.6,
      bestEpoch: 1,
      stoppedEarly: false,
      tensors: { before: 3, after: 3 },
      timings: null,
    });
    const [run] = s().runs;
    // conv1 frozen, conv2 fine-tuned; head is after the feature layer, so not counted.
    expect(run).toMatchObject({
      id: 'train-1',
      weighted: 2,
      frozen: 1,
      fineTuned: 1,
      reinitialized: 0,
      valAccuracy: 0.6,
    });
    expect(run!.epochs).toHaveLength(1);
    expect(s().phase).toBe('done');
  });

  it('does not list a run that ended before its first epoch', () => {
    const s = () => useStudio.getState();
    s().setModel(info('a'));
    s().startRun('train-1');
    s().finishRun({
      stopped: true,
      valAccuracy: 0,
      bestEpoch: 0,
      stoppedEarly: false,
      tensors: { before: 3, after: 3 },
      timings: null,
    });
    expect(s().runs).toEqual([]);
    expect(s().valAccuracy).toBeNull();
  });

  it('forgets the probe and the quadrant when a new dataset arrives', () => {
    const s = () => useStudio.getState();
    s().setProbe({
      status: 'done',
      points: [{ layer: 'x', source: 'top', depth: 1, splits: [1], perClass: 40 }],
    });
    s().setQuadrant('small-similar');
    s().setDataset([{ name: 'a', count: 3 }], [], ['d/a/1.png']);
    expect(s().probe.status).toBe('idle');
    expect(s().quadrant).toBeNull();
    expect(s().examples).toEqual(['d/a/1.png']);
  });

  it('a failed model load keeps the previous model and points the picker back to it', () => {
    const s = () => useStudio.getState();
    s().setModel(info('a'));
    s().setModelLoading('b');
    s().setModelError('offline');
    expect(s().modelId).toBe('a');
    expect(s().model?.card.id).toBe('a');
    expect(s().modelError).toBe('offline');
  });
});
