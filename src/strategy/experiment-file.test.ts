import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../domain';
import { manifestDifferences, parseExperiment, type ExperimentFile } from './experiment-file';

/** A SHA-256 in hex made from a short tag (`h1` → `h1h1…`, 64 characters). */
const hash = (tag: string) => tag.replace(/h/g, 'a').repeat(64).slice(0, 64);
const file = (path: string, className: string, tag: string) => ({
  path,
  className,
  bytes: 1,
  sha256: hash(tag),
});

describe('experiment file', () => {
  const exp: ExperimentFile = {
    format: 'thaw-experiment',
    version: 1,
    kind: 'run',
    createdAt: '2026-11-29T00:00:00Z',
    modelId: 'teaching-cnn',
    resolution: 28,
    plan: { modes: { conv2: 'fine-tune' }, featureLayer: 'global_pool' },
    params: DEFAULT_PARAMS,
    seeds: [42],
    dataset: { name: 'd', files: [file('d/a/1.png', 'a', 'h1')] },
    results: [],
  };

  it('round-trips through JSON and refuses foreign or broken files with a reason', () => {
    expect(parseExperiment(JSON.stringify(exp))).toEqual(exp);
    expect(() => parseExperiment('{', 'a.json')).toThrow('"a.json" is not JSON');
    expect(() => parseExperiment('{"format":"other"}')).toThrow(/not a Thaw experiment file/);
    expect(() => parseExperiment(JSON.stringify({ ...exp, version: 2 }))).toThrow(/version 2/);
    expect(() => parseExperiment(JSON.stringify({ ...exp, version: '1' }))).toThrow(
      /version 1; this studio reads version 1/,
    );
    expect(() => parseExperiment(JSON.stringify({ ...exp, plan: undefined }), 'a.json')).toThrow(
      '"a.json": plan is missing.',
    );
  });

  it.each([
    [{ learningRate: 1e9 }, 'params.learningRate must be between 1e-7 and 10 (got 1000000000)'],
    [{ epochs: -5 }, 'params.epochs must be between 1 and 500 (got -5)'],
    [{ batchSize: 0 }, 'params.batchSize must be between 1 and 1024 (got 0)'],
    [{ epochs: '10' }, 'params.epochs must be a whole number between 1 and 500 (got "10")'],
    [{ epochs: [10] }, 'params.epochs must be a whole number between 1 and 500 (got a list of 1)'],
  ])("refuses parameters out of the fields' ranges: %j", (patch, words) => {
    const text = JSON.stringify({ ...exp, params: { ...DEFAULT_PARAMS, ...patch } });
    expect(() => parseExperiment(text, 'exp.json')).toThrow(`"exp.json": ${words}.`);
  });

  it('refuses infinite numbers, huge text, bad hashes and seeds; ignores __proto__ keys', () => {
    const text = JSON.stringify(exp);
    // JSON has no NaN or Infinity, but 1e999 parses as Infinity.
    expect(() =>
      parseExperiment(text.replace('"learningRate":0.001', '"learningRate":1e999')),
    ).toThrow('params.learningRate must be a number between 1e-7 and 10 (got Infinity)');
    expect(() =>
      parseExperiment(JSON.stringify({ ...exp, modelId: 'm'.repeat(10 * 2 ** 20) })),
    ).toThrow(
      /modelId must be text of at most 1000 characters \(got text of 10485760 characters\)\.$/,
    );
    const badHash = {
      ...exp,
      dataset: { name: 'd', files: [{ ...file('a', 'a', 'h'), sha256: 'zz' }] },
    };
    expect(() => parseExperiment(JSON.stringify(badHash))).toThrow(
      /dataset\.files\[0\]\.sha256 must be a SHA-256/,
    );
    expect(() => parseExperiment(JSON.stringify({ ...exp, seeds: [-1] }))).toThrow(
      'seeds[0] must be between 0 and 4294967295 (got -1)',
    );
    const hostile = text.replace('{', '{"__proto__":{"polluted":"yes"},');
    const read = parseExperiment(hostile);
    expect(read).toEqual(exp);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('says how the loaded data differs from the manifest', () => {
    const want = [file('d/a/1.png', 'a', 'h1'), file('d/b/2.png', 'b', 'h2')];
    expect(
      manifestDifferences(want, [file('x/a/1.png', 'a', 'h1'), file('x/b/2.png', 'b', 'h2')]),
    ).toEqual([]);
    const diff = manifestDifferences(want, [
      file('d/b/1.png', 'b', 'h1'),
      file('d/b/3.png', 'b', 'h3'),
    ]);
    expect(diff).toHaveLength(3);
    expect(diff[0]).toMatch(/1 of the experiment's 2 images are not in the loaded data/);
    expect(diff[1]).toMatch(/1 loaded images were not in the experiment/);
    expect(diff[2]).toMatch(/another class/);
  });
});
