// Small statistics for the benchmark: a figure is the median of its repetitions, with
// the smallest and largest as its spread.

/** Median of numbers (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** { median, min, max, n, spread } where spread is (max − min) / median, in percent. */
export function summary(values) {
  const v = values.filter(Number.isFinite);
  if (v.length === 0) return { median: null, min: null, max: null, n: 0, spread: null };
  const m = median(v);
  const min = Math.min(...v);
  const max = Math.max(...v);
  return {
    median: round(m),
    min: round(min),
    max: round(max),
    n: v.length,
    spread: m ? round(((max - min) / m) * 100, 1) : null,
  };
}

export function round(x, digits = 3) {
  if (!Number.isFinite(x)) return null;
  const scale = 10 ** Math.max(0, digits - Math.floor(Math.log10(Math.abs(x) || 1)) - 1);
  return Math.round(x * scale) / scale;
}

/** "12.3 (11.0–13.1)" for a summary; "—" when empty. */
export function fmt(s, digits = 3) {
  if (!s || s.median === null) return '—';
  const f = (x) => String(round(x, digits));
  return s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}
