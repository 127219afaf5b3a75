import { describe, expect, it } from 'vitest';
import { datasetProblems } from './readiness';

describe('datasetProblems', () => {
  it('is empty for two classes of two images or more', () => {
    expect(
      datasetProblems([
        { name: 'a', count: 2 },
        { name: 'b', count: 30 },
      ]),
    ).toEqual([]);
  });
  it('explains a single class', () => {
    const [problem] = datasetProblems([{ name: 'cats', count: 12 }]);
    expect(problem).toMatch(/Only one class found \("cats"\)/);
  });
  it('names every class that is too small', () => {
    const problems = datasetProblems([
      { name: 'a', count: 1 },
      { name: 'b', count: 5 },
      { name: 'c', count: 0 },
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/"a" has 1 image;/);
    expect(problems[1]).toMatch(/"c" has 0 images;/);
  });
  it('asks for data when there is none', () => {
    expect(datasetProblems([])[0]).toMatch(/No usable images/);
  });
});
