import { describe, expect, it } from 'vitest';
import { accuracy, confusionMatrix, misclassified, perClassPrecisionRecall } from './metrics';

// Four classes; class 3 is empty (no samples, never predicted). Sample by sample
// (true → predicted):
//   0: 0→0  1: 0→0  2: 0→1  3: 1→1  4: 1→0  5: 1→2  6: 2→2  7: 0→0
// Matrix (rows true, columns predicted):
//   true 0: [3, 1, 0, 0]   (samples 0, 1, 7 right; 2 → 1)
//   true 1: [1, 1, 1, 0]   (3 right; 4 → 0; 5 → 2)
//   true 2: [0, 0, 1, 0]   (6 right)
//   true 3: [0, 0, 0, 0]   (empty class)
const truth = [0, 0, 0, 1, 1, 1, 2, 0];
const predicted = [0, 0, 1, 1, 0, 2, 2, 0];
const expected = [
  [3, 1, 0, 0],
  [1, 1, 1, 0],
  [0, 0, 1, 0],
  [0, 0, 0, 0],
];

describe('confusionMatrix', () => {
  it('counts rows by true class and columns by prediction', () => {
    expect(confusionMatrix(truth, predicted, 4)).toEqual(expected);
  });

  it('is all zeros for no samples', () => {
    expect(confusionMatrix([], [], 2)).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('rejects mismatched lengths and labels outside the classes', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 true labels but 1 predictions/);
    expect(() => confusionMatrix([0, 2], [0, 1], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0, 1], [0, -1], 2)).toThrow(RangeError);
    expect(() => confusionMatrix([0.5], [0], 2)).toThrow(RangeError);
  });
});

describe('perClassPrecisionRecall', () => {
  it('divides the diagonal by column sums (precision) and row sums (recall)', () => {
    // Class 0: predicted as 0 by column = 3 + 1 = 4 → precision 3/4; row sum 4 → recall 3/4.
    // Class 1: column 1 + 1 = 2 → 1/2; row 3 → 1/3.
    // Class 2: column 1 + 1 = 2 → 1/2; row 1 → 1/1.
    // Class 3: column 0 → null; row 0 → null; support 0.
    const scores = perClassPrecisionRecall(expected);
    expect(scores).toHaveLength(4);
    expect(scores[0]).toEqual({ precision: 0.75, recall: 0.75, support: 4 });
    expect(scores[1]?.precision).toBeCloseTo(1 / 2, 12);
    expect(scores[1]?.recall).toBeCloseTo(1 / 3, 12);
    expect(scores[1]?.support).toBe(3);
    expect(scores[2]).toEqual({ precision: 0.5, recall: 1, support: 1 });
    expect(scores[3]).toEqual({ precision: null, recall: null, support: 0 });
  });

  it('gives precision null but recall 0 for a class that has samples but is never predicted', () => {
    // true: [0, 1, 1], predicted: [0, 0, 0] → class 1 column sum 0, row sum 2, diagonal 0.
    const scores = perClassPrecisionRecall(confusionMatrix([0, 1, 1], [0, 0, 0], 2));
    expect(scores[1]).toEqual({ precision: null, recall: 0, support: 2 });
    // Class 0: 1 right out of 3 predicted as 0 → 1/3; 1 of 1 sample → 1.
    expect(scores[0]?.precision).toBeCloseTo(1 / 3, 12);
    expect(scores[0]?.recall).toBe(1);
  });
});

describe('accuracy', () => {
  it('is the diagonal over the total', () => {
    // Diagonal 3 + 1 + 1 + 0 = 5 of 8 samples.
    expect(accuracy(expected)).toBe(5 / 8);
  });

  it('is null when nothing was evaluated', () => {
    expect(accuracy([])).toBeNull();
    expect(accuracy(confusionMatrix([], [], 3))).toBeNull();
  });
});

describe('misclassified', () => {
  it('lists the sample indices behind each off-diagonal cell', () => {
    const cells = misclassified(truth, predicted);
    // Wrong samples: 2 (0→1), 4 (1→0), 5 (1→2).
    expect([...cells.entries()].sort()).toEqual([
      ['0-1', [2]],
      ['1-0', [4]],
      ['1-2', [5]],
    ]);
    expect(cells.has('0-0')).toBe(false);
  });

  it('keeps several samples of one cell in order and agrees with the matrix', () => {
    const t = [2, 0, 2, 2, 1];
    const p = [1, 0, 1, 2, 1];
    const cells = misclassified(t, p);
    expect(cells.get('2-1')).toEqual([0, 2]);
    expect(cells.size).toBe(1);
    const matrix = confusionMatrix(t, p, 3);
    for (const [key, indices] of cells) {
      const [i, j] = key.split('-').map(Number) as [number, number];
      expect(matrix[i]?.[j]).toBe(indices.length);
    }
  });

  it('is empty when everything is right, and rejects mismatched lengths', () => {
    expect(misclassified([0, 1], [0, 1]).size).toBe(0);
    expect(() => misclassified([0], [])).toThrow(/1 true labels but 0 predictions/);
  });
});
