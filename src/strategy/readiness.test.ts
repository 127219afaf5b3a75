import { describe, expect, it } from 'vitest';
import { datasetProblems, trainReadiness, type TrainInputs } from './readiness';

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

describe('trainReadiness', () => {
  const ready: TrainInputs = {
    modelLoaded: true,
    modelFailed: false,
    backendReady: true,
    datasetName: 'flowers',
    reading: false,
    datasetFailed: false,
    classes: [
      { name: 'a', count: 3 },
      { name: 'b', count: 3 },
    ],
    refused: [],
  };

  it('is ready with a model, a backend and a usable dataset', () => {
    expect(trainReadiness(ready)).toEqual({ ready: true, blockers: [] });
  });

  it('says what is missing, a refused field first', () => {
    const t = trainReadiness({
      ...ready,
      modelLoaded: false,
      backendReady: false,
      datasetName: null,
      refused: ['Epochs', 'Batch size'],
    });
    expect(t.ready).toBe(false);
    expect(t.blockers).toEqual([
      '"Epochs" and "Batch size" are not valid — fix them to train.',
      'The model is still loading.',
      'The compute backend is starting.',
      'Load a dataset first.',
    ]);
    expect(trainReadiness({ ...ready, refused: ['Epochs'] }).blockers[0]).toBe(
      '"Epochs" is not valid — fix it to train.',
    );
  });

  it('tells a failed model from one still loading, and waits for the images', () => {
    expect(trainReadiness({ ...ready, modelLoaded: false, modelFailed: true }).blockers).toEqual([
      'The model did not load.',
    ]);
    expect(trainReadiness({ ...ready, reading: true }).blockers).toEqual([
      'The images are still being read.',
    ]);
    expect(trainReadiness({ ...ready, classes: [{ name: 'a', count: 3 }] }).blockers[0]).toMatch(
      /Only one class/,
    );
  });

  it('is not ready after a failed dataset load, without a reason of its own', () => {
    expect(trainReadiness({ ...ready, datasetFailed: true })).toEqual({
      ready: false,
      blockers: [],
    });
  });
});
