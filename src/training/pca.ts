/**
 * Two-component PCA of a row-major matrix, by power iteration with deflation on the
 * covariance (pure TypeScript: the matrices here are small, ≤ a few thousand × ≤ 1280).
 */

/** Projects `rows` of `data` (N × dim) onto their first two principal components. */
export function pca2(
  data: Float32Array,
  dim: number,
  rows: readonly number[],
  iterations = 60,
): [number, number][] {
  const n = rows.length;
  if (n === 0) return [];
  const mean = new Float64Array(dim);
  for (const r of rows) for (let d = 0; d < dim; d++) mean[d]! += data[r * dim + d]! / n;
  const centered = rows.map((r) =>
    Float64Array.from({ length: dim }, (_, d) => data[r * dim + d]! - mean[d]!),
  );
  // Covariance-vector product without forming the dim × dim matrix: C v = Xᵀ (X v) / n.
  const covTimes = (v: Float64Array): Float64Array => {
    const out = new Float64Array(dim);
    for (const x of centered) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += x[d]! * v[d]!;
      for (let d = 0; d < dim; d++) out[d]! += (x[d]! * dot) / n;
    }
    return out;
  };
  const normalize = (v: Float64Array) => {
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  const components: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    // A fixed, non-degenerate start keeps the result deterministic.
    let v = normalize(
      Float64Array.from({ length: dim }, (_, d) => 1 + ((d * 7919 + c * 104729) % 97) / 97),
    );
    for (let it = 0; it < iterations; it++) {
      let w = covTimes(v);
      for (const prev of components) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot += w[d]! * prev[d]!;
        w = w.map((x, d) => x - dot * prev[d]!);
      }
      v = normalize(w);
    }
    components.push(v);
  }
  return centered.map((x) => {
    let a = 0;
    let b = 0;
    for (let d = 0; d < dim; d++) {
      a += x[d]! * components[0]![d]!;
      b += x[d]! * components[1]![d]!;
    }
    return [a, b];
  });
}
