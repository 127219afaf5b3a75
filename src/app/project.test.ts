import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
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

  /** The saved project with project.json changed by `edit` (as someone would with an editor). */
  const tampered = async (
    edit: (json: Record<string, unknown>) => void,
    text?: (t: string) => string,
  ) => {
    const entries = unzipSync(new Uint8Array(await (await packProject(project)).arrayBuffer()));
    const json = JSON.parse(strFromU8(entries['project.json']!)) as Record<string, unknown>;
    edit(json);
    const out = JSON.stringify(json);
    entries['project.json'] = strToU8(text ? text(out) : out);
    return zipSync(entries);
  };
  const refusal = (bytes: Uint8Array) => {
    try {
      unpackProject(bytes);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('the tampered project was accepted');
  };
  type Json = Record<string, Record<string, Record<string, unknown>>>;
  const setParam = (key: string, value: unknown) => (json: Record<string, unknown>) => {
    (json as Json).settings!.params![key] = value;
  };

  it("refuses settings.params out of the fields' ranges, naming the file, field and range", async () => {
    expect(refusal(await tampered(setParam('learningRate', 1e9)))).toBe(
      '"project.json": settings.params.learningRate must be between 1e-7 and 10 (got 1000000000).',
    );
    expect(refusal(await tampered(setParam('epochs', -5)))).toBe(
      '"project.json": settings.params.epochs must be between 1 and 500 (got -5).',
    );
    expect(refusal(await tampered(setParam('batchSize', 0)))).toBe(
      '"project.json": settings.params.batchSize must be between 1 and 1024 (got 0).',
    );
    expect(refusal(await tampered(setParam('epochs', 'ten')))).toBe(
      '"project.json": settings.params.epochs must be a whole number between 1 and 500 (got "ten").',
    );
    expect(refusal(await tampered(setParam('epochs', [3])))).toBe(
      '"project.json": settings.params.epochs must be a whole number between 1 and 500 (got a list of 1).',
    );
    expect(
      refusal(
        await tampered(
          () => {},
          (t) => t.replace('"learningRate":0.001', '"learningRate":1e999'),
        ),
      ),
    ).toMatch(
      /settings\.params\.learningRate must be a number between 1e-7 and 10 \(got Infinity\)/,
    );
  });

  it('refuses runs, dataset and weights that are out of range or damaged', async () => {
    expect(
      refusal(
        await tampered((j) => {
          ((j.runs as Record<string, unknown>[])[0]!.params as Record<string, unknown>).epochs =
            1e9;
        }),
      ),
    ).toBe('"project.json": runs[0].params.epochs must be between 1 and 500 (got 1000000000).');
    expect(
      refusal(
        await tampered((j) => {
          (j.runs as Record<string, unknown>[])[0]!.valAccuracy = 3;
        }),
      ),
    ).toBe('"project.json": runs[0].valAccuracy must be between 0 and 1 (got 3).');
    expect(
      refusal(
        await tampered((j) => {
          (j as Json).dataset!.name = 'd'.repeat(10 * 2 ** 20) as never;
        }),
      ),
    ).toBe(
      '"project.json": dataset.name must be text of at most 1000 characters (got text of 10485760 characters).',
    );
    expect(
      refusal(
        await tampered((j) => {
          delete (j.runs as Record<string, unknown>[])[0]!.plan;
        }),
      ),
    ).toBe('"project.json": runs[0].plan is missing.');
    expect(
      refusal(
        await tampered((j) => {
          const w = (j.weights as { arrays: { offset: number }[] }[])[0]!;
          w.arrays[0]!.offset = 1e6;
        }),
      ),
    ).toBe('This project is damaged: weights/train-1.bin is shorter than project.json says.');
    expect(
      refusal(
        await tampered((j) => {
          (j as Json).settings = 'fast' as never;
        }),
      ),
    ).toBe('"project.json": settings must be an object (got "fast").');
  });

  it('refuses an unknown version or format, and a project with no runs list', async () => {
    expect(refusal(await tampered((j) => (j.version = 2)))).toBe(
      'This project has version 2; this studio opens version 1.',
    );
    expect(refusal(await tampered((j) => (j.version = '1')))).toMatch(
      /has version 1; this studio opens version 1/,
    );
    expect(refusal(await tampered((j) => (j.format = 'other')))).toMatch(/not a Thaw project/);
    expect(refusal(await tampered((j) => delete j.runs))).toBe('"project.json": runs is missing.');
  });

  it('takes no notice of __proto__ keys: nothing is polluted', async () => {
    const bytes = await tampered(
      () => {},
      (t) =>
        t
          .replace('{', '{"__proto__":{"polluted":"yes"},')
          .replace('"params":{', '"params":{"__proto__":{"polluted":"yes"},')
          .replace('"modes":{', '"modes":{"__proto__":{"polluted":"yes"},'),
    );
    const back = unpackProject(bytes);
    expect(back.settings).toEqual(project.settings);
    expect(back.runs).toEqual(project.runs);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A zip entry named like a prototype key is not a file of the project.
    const sneaky = await tampered((j) => {
      (j as { dataset: { files: { entry: string }[] } }).dataset.files[0]!.entry = '__proto__';
    });
    expect(refusal(sneaky)).toBe('This project is damaged: __proto__ is missing.');
  });
});
