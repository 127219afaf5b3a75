/** Predictions as a table: sorting, accuracy against the folders' classes, and CSV. Pure. */
import type { Prediction } from '../domain';

export type PredictionSort = 'file' | 'class' | 'confidence' | 'truth';

export function sortPredictions(
  rows: readonly Prediction[],
  by: PredictionSort,
  descending: boolean,
): Prediction[] {
  const key = (p: Prediction): string | number =>
    by === 'file'
      ? p.path
      : by === 'class'
        ? (p.top[0]?.className ?? '')
        : by === 'confidence'
          ? (p.top[0]?.probability ?? 0)
          : (p.truth ?? '');
  const sorted = [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return typeof x === 'number' && typeof y === 'number'
      ? x - y
      : String(x).localeCompare(String(y), 'en', { numeric: true });
  });
  return descending ? sorted.reverse() : sorted;
}

/** Share of images with a known class whose top prediction is that class; null when none has one. */
export function predictionAccuracy(
  rows: readonly Prediction[],
): { accuracy: number; images: number } | null {
  const known = rows.filter((r) => r.truth !== null);
  if (known.length === 0) return null;
  const hits = known.filter((r) => r.top[0]?.className === r.truth).length;
  return { accuracy: hits / known.length, images: known.length };
}

const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The table as CSV: file, predicted class, confidence, true class (empty when unknown). */
export function predictionsCsv(rows: readonly Prediction[]): string {
  const lines = [['file', 'predicted class', 'confidence', 'true class'].join(',')];
  for (const r of rows)
    lines.push(
      [r.path, r.top[0]?.className ?? '', (r.top[0]?.probability ?? 0).toFixed(6), r.truth ?? '']
        .map(cell)
        .join(','),
    );
  return lines.join('\n') + '\n';
}
