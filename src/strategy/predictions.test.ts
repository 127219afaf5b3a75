import { describe, expect, it } from 'vitest';
import type { Prediction } from '../domain';
import { predictionAccuracy, predictionsCsv, sortPredictions } from './predictions';

const p = (path: string, cls: string, prob: number, truth: string | null): Prediction => ({
  path,
  top: [
    { className: cls, probability: prob },
    { className: 'other', probability: 1 - prob },
  ],
  truth,
});

const rows = [
  p('b/2.png', 'cat', 0.6, 'cat'),
  p('a/1.png', 'dog', 0.9, 'cat'),
  p('c, "x".png', 'cat', 0.7, null),
];

describe('predictions table', () => {
  it('sorts by file, class or confidence', () => {
    expect(sortPredictions(rows, 'file', false).map((r) => r.path)).toEqual([
      'a/1.png',
      'b/2.png',
      'c, "x".png',
    ]);
    expect(sortPredictions(rows, 'confidence', true).map((r) => r.top[0]!.probability)).toEqual([
      0.9, 0.7, 0.6,
    ]);
  });

  it('scores only the images whose class is known', () => {
    expect(predictionAccuracy(rows)).toEqual({ accuracy: 0.5, images: 2 });
    expect(predictionAccuracy([rows[2]!])).toBeNull();
  });

  it('writes CSV with quoting', () => {
    expect(predictionsCsv(rows).split('\n')).toEqual([
      'file,predicted class,confidence,true class',
      'b/2.png,cat,0.600000,cat',
      'a/1.png,dog,0.900000,cat',
      '"c, ""x"".png",cat,0.700000,',
      '',
    ]);
  });
});
