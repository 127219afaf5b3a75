import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, type RunRecord } from '../domain';
import { packProject, unpackProject, type Project } from './project';

const run = {
  id: 'train-1',
  status: 'done',
  createdAt: 1,
  model: 'Teaching CNN',
  modelId: 'teaching-cnn',
  resolution: 28,
  dataset: 'd',
  plan: { modes: { conv2: 'fine-tune' }, featureLayer: 'global_pool' },
  params: DEFAULT_PARAMS,
  weighted: 5,
  frozen: 4,
  fineTuned: 1,
  reinitialized: 0,
  epochs: [{ epoch: 1, trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.6 }],
  bestEpoch: 1,
  valAccuracy: 0.6,
  testAccuracy: 0.5,
  stopped: false,
  timings: null,
  batches: [],
  evaluation: null,
  classNames: ['a', 'b'],
} satisfies RunRecord;

const project: Project = {
  settings: { modelId: 'teaching-cnn', resolution: 28, plan: run.plan, params: DEFAULT_PARAMS },
  dataset: {
    name: 'd',
    skipped: [{ path: 'd/x.txt', reason: 'not an image (.txt)' }],
    files: [
      { path: 'd/a/1.png', file: new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }) },
      { path: 'd/b/ü 2.png', file: new Blob([new Uint8Array([4, 5])], { type: 'image/png' }) },
    ],
  },
  runs: [run],
  weights: [
    {
      runId: 'train-1',
      layers: [{ name: 'conv2/kernel', shape: [2, 1], values: new Float32Array([0.25, -2]) }],
      head: {
        kernel: new Float32Array([1, 2, 3, 4]),
        bias: new Float32Array([5, 6]),
        mean: new Float32Array([0.5, 0.5]),
        std: new Float32Array([2, 2]),
        featureDim: 2,
        numClasses: 2,
      },
    },
  ],
};

describe('project file', () => {
  it('round-trips settings, dataset files, runs and weights', async () => {
    const blob = await packProject(project);
    const back = unpackProject(new Uint8Array(await blob.arrayBuffer()));
    expect(back.settings).toEqual(project.settings);
    expect(back.runs).toEqual(project.runs);
    expect(back.dataset!.files.map((f) => f.path)).toEqual(['d/a/1.png', 'd/b/ü 2.png']);
    expect(new Uint8Array(await back.dataset!.files[1]!.file.arrayBuffer())).toEqual(
      new Uint8Array([4, 5]),
    );
    expect(back.dataset!.skipped).toEqual(project.dataset!.skipped);
    expect(back.weights).toEqual(project.weights);
  });

  it('refuses a corrupt or foreign file with a clear message', () => {
    expect(() => unpackProject(new Uint8Array([1, 2, 3]))).toThrow(/not a zip archive/);
    expect(() => unpackProject(zipSync({ 'a.txt': strToU8('x') }))).toThrow(/no project.json/);
    expect(() => unpackProject(zipSync({ 'project.json': strToU8('{"format":"x"}') }))).toThrow(
      /wrong format/,
    );
    const json = {
      format: 'thaw-project',
      version: 1,
      settings: null,
      dataset: null,
      runs: [],
      weights: [{ runId: 'r', featureDim: 1, numClasses: 1, arrays: [] }],
    };
    expect(() => unpackProject(zipSync({ 'project.json': strToU8(JSON.stringify(json)) }))).toThrow(
      /weights\/r\.bin is missing/,
    );
  });
});
