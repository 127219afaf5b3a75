/**
 * Evaluation metrics from class indices (DESIGN.md §5): confusion matrix, per-class
 * precision/recall, accuracy, and the samples behind each wrong cell so the UI can open
 * their images. Pure TypeScript, no tfjs: the engine reads predictions back once and the
 * rest is plain numbers the store can hold.
 */

export interface ClassScore {
  /** Correct / predicted as this class; null when nothing was predicted as it. */
  precision: number | null;
  /** Correct / samples of this class; null when the class has no samples. */
  recall: number | null;
  /** Samples whose true class is this one. */
  support: number;
}

function checkLabel(label: number, numClasses: number, what: string): void {
  if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
    throw new RangeError(`${what} label ${label} is not a class index in 0..${numClasses - 1}.`);
  }
}

function checkSameLength(trueLabels: readonly number[], predicted: readonly number[]): void {
  if (trueLabels.length !== predicted.length) {
    throw new Error(`${trueLabels.length} true labels but ${predicted.length} predictions.`);
  }
}

/** Counts per (true, predicted) pair: rows = true class, columns = predicted class. */
export function confusionMatrix(
  trueLabels: readonly number[],
  predicted: readonly number[],
  numClasses: number,
): number[][] {
  checkSameLength(trueLabels, predicted);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  trueLabels.forEach((t, i) => {
    const p = predicted[i] as number;
    checkLabel(t, numClasses, 'True');
    checkLabel(p, numClasses, 'Predicted');
    (matrix[t] as number[])[p] = ((matrix[t] as number[])[p] as number) + 1;
  });
  return matrix;
}

/** Precision (column-wise) and recall (row-wise) per class; null where the ratio is 0/0. */
export function perClassPrecisionRecall(matrix: readonly (readonly number[])[]): ClassScore[] {
  return matrix.map((row, c) => {
    const hits = row[c] ?? 0;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = matrix.reduce((a, r) => a + (r[c] ?? 0), 0);
    return {
      precision: predictedAs === 0 ? null : hits / predictedAs,
      recall: support === 0 ? null : hits / support,
      support,
    };
  });
}

/** Share of samples on the diagonal; null for an empty matrix (nothing evaluated). */
export function accuracy(matrix: readonly (readonly number[])[]): number | null {
  let total = 0;
  let hits = 0;
  matrix.forEach((row, i) => {
    row.forEach((n, j) => {
      total += n;
      if (i === j) hits += n;
    });
  });
  return total === 0 ? null : hits / total;
}

/**
 * Sample indices of every off-diagonal cell, keyed `${true}-${predicted}`, in sample order;
 * the key a confusion-matrix cell uses to list its misclassified images. Correct samples
 * are not listed.
 */
export function misclassified(
  trueLabels: readonly number[],
  predicted: readonly number[],
): Map<string, number[]> {
  checkSameLength(trueLabels, predicted);
  const cells = new Map<string, number[]>();
  trueLabels.forEach((t, i) => {
    const p = predicted[i] as number;
    if (t === p) return;
    const key = `${t}-${p}`;
    const list = cells.get(key) ?? [];
    list.push(i);
    cells.set(key, list);
  });
  return cells;
}
