/**
 * The freeze-depth sweep as pure bookkeeping: which depths to try (block boundaries from
 * "nothing frozen" to "all frozen"), the plan at each depth, and the summary of the runs —
 * mean ± spread per depth, and which neighbouring depths differ by less than seed noise
 * (DESIGN.md §6: at small K, 1–2 pp effects are seed noise).
 */
import { featureIndex, type LayerMode, type LayerPlan, type PlanLayer } from '../domain';

/** One depth of a sweep: freeze every weighted layer up to and including `boundary`. */
export interface SweepDepth {
  /** The last frozen layer (a block boundary), or null for "nothing frozen". */
  boundary: string | null;
  /** Weighted layers frozen, of `weighted`. */
  frozen: number;
  weighted: number;
  label: string;
}

/** Default number of depths and seeds per depth. */
export const SWEEP_DEFAULT_DEPTHS = 6;
export const SWEEP_DEFAULT_SEEDS = 3;

/** Every distinct freeze depth that ends at a cut point, up to the feature layer. */
export function candidateDepths(layers: readonly PlanLayer[], featureLayer: string): SweepDepth[] {
  const upTo = featureIndex(layers, featureLayer);
  const weighted = layers.slice(0, upTo + 1).filter((l) => l.params > 0).length;
  const depths: SweepDepth[] = [{ boundary: null, frozen: 0, weighted, label: 'nothing frozen' }];
  let frozen = 0;
  for (let i = 0; i <= upTo; i++) {
    if (layers[i]!.params > 0) frozen++;
    if (!layers[i]!.cutPoint || frozen === 0) continue;
    const depth = {
      boundary: layers[i]!.name,
      frozen,
      weighted,
      label: frozen === weighted ? `all frozen (${layers[i]!.name})` : layers[i]!.name,
    };
    // Several boundaries with the same frozen count (e.g. conv, its BN, its ReLU): keep the last.
    if (depths.at(-1)!.frozen === frozen) depths[depths.length - 1] = depth;
    else depths.push(depth);
  }
  return depths;
}

/** About `count` depths spread evenly from nothing frozen to all frozen (both ends kept). */
export function defaultDepths(
  layers: readonly PlanLayer[],
  featureLayer: string,
  count = SWEEP_DEFAULT_DEPTHS,
): SweepDepth[] {
  const all = candidateDepths(layers, featureLayer);
  if (all.length <= count) return all;
  const picked = new Set<number>();
  for (let k = 0; k < count; k++) picked.add(Math.round((k * (all.length - 1)) / (count - 1)));
  return [...picked].sort((a, b) => a - b).map((i) => all[i]!);
}

/** The plan at one depth: frozen up to the boundary, Fine-tune above it (Re-initialize kept), same feature layer. */
export function planAtDepth(
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  depth: SweepDepth,
): LayerPlan {
  const at = depth.boundary === null ? -1 : layers.findIndex((l) => l.name === depth.boundary);
  const modes: Record<string, LayerMode> = {};
  layers.forEach((l, i) => {
    if (l.params === 0) return;
    if (i <= at) modes[l.name] = 'frozen';
    else modes[l.name] = plan.modes[l.name] === 'reinit' ? 'reinit' : 'fine-tune';
  });
  return { modes, featureLayer: plan.featureLayer };
}

/** One finished run of a sweep. */
export interface SweepRun {
  depthIndex: number;
  seed: number;
  valAccuracy: number;
  testAccuracy: number | null;
  seconds: number;
}

export interface SweepPoint {
  depth: SweepDepth;
  runs: number;
  val: { mean: number; sd: number };
  test: { mean: number; sd: number } | null;
  seconds: number;
  /** True when the next depth's mean differs from this one's by less than their seed noise. */
  sameAsNext: boolean;
}

function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const variance =
    values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, sd: Math.sqrt(variance) };
}

/**
 * Mean ± sample standard deviation per depth. Two neighbouring depths are marked as not
 * different when their means are closer than the sum of their standard deviations (the
 * error bars overlap); with one seed per depth nothing can be told apart, so all are marked.
 */
export function summarizeSweep(
  depths: readonly SweepDepth[],
  runs: readonly SweepRun[],
): SweepPoint[] {
  const points = depths.map((depth, i) => {
    const mine = runs.filter((r) => r.depthIndex === i);
    const tests = mine.map((r) => r.testAccuracy).filter((t): t is number => t !== null);
    return {
      depth,
      runs: mine.length,
      val: meanSd(mine.map((r) => r.valAccuracy)),
      test: tests.length > 0 ? meanSd(tests) : null,
      seconds: meanSd(mine.map((r) => r.seconds)).mean,
      sameAsNext: false,
    };
  });
  const score = (p: SweepPoint) => p.test ?? p.val;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    if (a.runs === 0 || b.runs === 0) continue;
    const noise = score(a).sd + score(b).sd;
    a.sameAsNext = a.runs < 2 || b.runs < 2 || Math.abs(score(a).mean - score(b).mean) < noise;
  }
  return points;
}

/** Seconds left, from the mean time of the runs so far. */
export function timeLeft(done: readonly SweepRun[], total: number): number | null {
  if (done.length === 0) return null;
  const mean = done.reduce((a, r) => a + r.seconds, 0) / done.length;
  return mean * (total - done.length);
}
