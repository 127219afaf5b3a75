import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS } from '../domain';
import { manifestDifferences, parseExperiment, type ExperimentFile } from './experiment-file';

const file = (path: string, className: string, sha256: string) => ({
  path,
  className,
  bytes: 1,
  sha256,
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
    expect(() => parseExperiment('{')).toThrow(/not JSON/);
    expect(() => parseExperiment('{"format":"other"}')).toThrow(/not a Thaw experiment file/);
    expect(() => parseExperiment(JSON.stringify({ ...exp, version: 2 }))).toThrow(/version 2/);
    expect(() => parseExperiment(JSON.stringify({ ...exp, plan: undefined }))).toThrow(
      /lacks plan/,
    );
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
