/**
 * What the committed quadrant tables (docs/quadrants.md, written with
 * `src/strategy/quadrant-results.json` by `npm run report:quadrants`) chose for each network
 * and quadrant, and the plan the picker applies from it: the best row, or the cheapest row
 * within seed noise of it. The same rule writes the document, so what is shown and what is
 * applied cannot drift apart (`quadrant-table.test.ts`).
 */
import results from './quadrant-results.json' with { type: 'json' };
import { mean, paired, sd } from './paired';
import type { Quadrant } from './quadrant';
import { candidate, type CandidateId } from './quadrant-candidates';
import type { PlanParams, StrategyLayer } from './quadrant-layers';
import type { LayerPlan } from '../domain';

export interface TableRow {
  id: string;
  label: string;
  headOnly: boolean;
  /** Test accuracy per seed, in the table's seed order. */
  test: number[];
  /** Runs that reached their epoch cap. */
  capped: number;
  /** Mean wall seconds per run on the machine that wrote the table. */
  seconds: number;
  /** Weighted layers the row fine-tunes or re-initializes (0 for a head on cached features). */
  trainedLayers: number;
  /** Mean epochs run. */
  epochs: number;
}

export interface QuadrantTable {
  network: string;
  quadrant: Quadrant;
  /** The data, in words (source, classes, side). */
  domain: string;
  perClass: number;
  seeds: number;
  caps: { head: number; fineTune: number };
  batchSize: number;
  gridRate: number;
  /** The row that is the seed's textbook plan. */
  textbook: string;
  rows: TableRow[];
}

export const QUADRANT_TABLES = results.tables as QuadrantTable[];

export interface Choice {
  /** The row with the highest mean test accuracy. */
  best: string;
  /** Rows within seed noise of the best (the best included). */
  withinNoise: string[];
  /** What the picker applies: the cheapest row within noise of the best. */
  chosen: string;
}

/**
 * Within noise of the best: the paired test does not separate the two AND the mean gap is no
 * larger than the gap's own seed-to-seed spread. Cheapest, by what a run computes rather than
 * by wall seconds on a shared machine: a head on cached features before anything that trains
 * the network, then the fewest trained layers, then the fewest epochs run; where those tie,
 * the more accurate row (seconds are not compared at all).
 */
export function chooseRow(rows: readonly TableRow[]): Choice {
  if (rows.length === 0) throw new Error('an empty table has no choice');
  const best = [...rows].sort((a, b) => mean(b.test) - mean(a.test))[0]!;
  const within = rows.filter((r) => {
    if (r === best) return true;
    const d = paired(best.test, r.test);
    return !d.significant && d.mean <= d.sd;
  });
  const cost = (r: TableRow) => [r.headOnly ? 0 : 1, r.trainedLayers, r.epochs, -mean(r.test)];
  const cheaper = (a: TableRow, b: TableRow) => {
    const [x, y] = [cost(a), cost(b)];
    const i = x.findIndex((v, k) => v !== y[k]);
    return i < 0 ? 0 : x[i]! - y[i]!;
  };
  const chosen = [...within].sort(cheaper)[0]!;
  return { best: best.id, withinNoise: within.map((r) => r.id), chosen: chosen.id };
}

export function quadrantTable(modelId: string, q: Quadrant): QuadrantTable | null {
  return QUADRANT_TABLES.find((t) => t.network === modelId && t.quadrant === q) ?? null;
}

const pct = (v: number) => (v * 100).toFixed(1);

/** "74.2 ± 3.1%" for a row, as the document prints it. */
export function rowAccuracy(row: TableRow): string {
  return `${pct(mean(row.test))} ± ${pct(sd(row.test))}%`;
}

/** "+1.2 ± 0.8 pp" of a against b, as the document prints it. */
export function rowDelta(a: TableRow, b: TableRow): string {
  const d = paired(a.test, b.test);
  return `${d.mean >= 0 ? '+' : '−'}${pct(Math.abs(d.mean))} ± ${pct(d.sd)} pp`;
}

export interface MeasuredPlan {
  plan: LayerPlan;
  params: PlanParams;
  row: TableRow;
  table: QuadrantTable;
}

/**
 * The plan the table chose for `q` on network `modelId`, built on `layers`; null when no
 * table exists for them or the chosen row is the textbook plan (which `quadrantPlan` builds).
 */
export function measuredPlan(
  q: Quadrant,
  modelId: string,
  layers: readonly StrategyLayer[],
  defaultFeatureLayer: string,
): MeasuredPlan | null {
  const table = quadrantTable(modelId, q);
  if (!table) return null;
  const { chosen } = chooseRow(table.rows);
  if (chosen === 'textbook') return null;
  const c = candidate(chosen as CandidateId, layers, defaultFeatureLayer, table.gridRate);
  const row = table.rows.find((r) => r.id === chosen)!;
  if (!c) return null;
  return {
    plan: c.plan,
    params: {
      learningRate: c.params.learningRate,
      fineTuneLearningRate: c.params.fineTuneLearningRate,
      conservation: c.params.conservation,
      head: c.params.head,
      epochs: c.headOnly ? table.caps.head : table.caps.fineTune,
    },
    row,
    table,
  };
}

/**
 * The fine-tune rate a freeze-depth sweep on this network starts from: the rate validation
 * chose from the grid for fine-tuning everything on few images (the small, similar table, or
 * any table of the network); null when no table measures the network.
 */
export function sweepFineTuneRate(modelId: string): { rate: number; table: QuadrantTable } | null {
  const mine = QUADRANT_TABLES.filter((t) => t.network === modelId);
  const table = mine.find((t) => t.quadrant === 'small-similar') ?? mine[0];
  return table ? { rate: table.gridRate, table } : null;
}
