/**
 * The pure part of the photo-accuracy experiment: which layers a setting trains, how a
 * run's predictions become an accuracy, how seeds are summarised and compared, and the
 * Markdown table. No tfjs here, so it is tested on plain numbers.
 */
import type { LayerMode, LayerPlan } from '../../src/domain';
import { mean, sd, type Difference } from '../../src/strategy/paired';

/** A layer as the plan rules see it. */
export interface NamedLayer {
  name: string;
  params: number;
}

/**
 * Fine-tune every weighted layer after `boundary` up to and including `featureLayer`;
 * everything up to `boundary` stays Frozen (and is computed once and cached).
 */
export function fineTuneAfter(
  layers: readonly NamedLayer[],
  boundary: string,
  featureLayer: string,
): LayerPlan {
  const from = layers.findIndex((l) => l.name === boundary);
  const to = layers.findIndex((l) => l.name === featureLayer);
  if (from < 0) throw new Error(`no layer "${boundary}"`);
  if (to < 0) throw new Error(`no layer "${featureLayer}"`);
  if (to <= from) throw new Error(`"${featureLayer}" is not after "${boundary}"`);
  const modes: Record<string, LayerMode> = {};
  for (const l of layers.slice(from + 1, to + 1)) if (l.params > 0) modes[l.name] = 'fine-tune';
  return { modes, featureLayer };
}

/** Share of `predicted[i] === labels[rows[i]]`. */
export function accuracyOf(
  predicted: readonly number[],
  rows: readonly number[],
  labels: readonly number[],
): number {
  if (predicted.length !== rows.length)
    throw new Error(`${predicted.length} predictions for ${rows.length} rows`);
  if (rows.length === 0) return NaN;
  let right = 0;
  rows.forEach((r, i) => {
    if (predicted[i] === labels[r]) right++;
  });
  return right / rows.length;
}

export { mean, sd, paired, type Difference } from '../../src/strategy/paired';

export interface Summary {
  mean: number;
  sd: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(xs: readonly number[]): Summary {
  return {
    mean: mean(xs),
    sd: sd(xs),
    min: xs.length ? Math.min(...xs) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
    n: xs.length,
  };
}

/** Percentage with one decimal. */
export const pct = (v: number): string => (Number.isFinite(v) ? (v * 100).toFixed(1) : '–');

/** Signed percentage points with one decimal. */
export const pts = (v: number): string =>
  Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}` : '–';

/** One row of the accuracy table. */
export interface Row {
  backbone: string;
  setting: string;
  /** Test accuracy per seed. */
  test: number[];
  /** Best (kept) epoch per seed. */
  bestEpoch: number[];
  /** Epochs run per seed. */
  epochsRun: number[];
  /** Paired difference to the backbone's reference row (null for the reference itself). */
  vsReference: Difference | null;
  /** Feature extraction for this row's frozen prefix, images per second (first seed; later seeds reuse it). */
  featuresPerSecond: number | null;
  /** Median seconds per training epoch (training steps + validation). */
  secondsPerEpoch: number;
}

export function table(rows: readonly Row[]): string {
  const head = [
    '| backbone | setting | test accuracy % (mean ± sd) | min–max | per seed | Δ vs head at feature layer, points (mean ± sd) | best epoch (mean; epochs run) | frozen-prefix features, images/s | s / epoch |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const lines = rows.map((r) => {
    const s = summarize(r.test);
    const d = r.vsReference;
    const delta = d ? `${pts(d.mean)} ± ${pct(d.sd)}${d.significant ? ' *' : ''}` : '(reference)';
    const epochs = `${mean(r.bestEpoch).toFixed(1)}; ${mean(r.epochsRun).toFixed(1)}`;
    const speed = r.featuresPerSecond === null ? '–' : r.featuresPerSecond.toFixed(1);
    const perSeed = r.test.map(pct).join(' / ');
    return `| ${r.backbone} | ${r.setting} | ${pct(s.mean)} ± ${pct(s.sd)} | ${pct(s.min)}–${pct(s.max)} | ${perSeed} | ${delta} | ${epochs} | ${speed} | ${r.secondsPerEpoch.toFixed(2)} |`;
  });
  return [...head, ...lines].join('\n');
}

/** Median of the gaps between consecutive time stamps (ms → s); NaN with fewer than two. */
export function medianGapSeconds(stamps: readonly number[]): number {
  const gaps = stamps.slice(1).map((t, i) => (t - stamps[i]!) / 1000);
  if (gaps.length === 0) return NaN;
  const s = [...gaps].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const CONCLUSIONS_START = '<!-- conclusions: kept when the report is written again -->';
const CONCLUSIONS_END = '<!-- /conclusions -->';

/** The hand-written conclusions block of an earlier report (markers included), or null. */
export function keptConclusions(previous: string | null): string | null {
  if (!previous) return null;
  const a = previous.indexOf(CONCLUSIONS_START);
  const b = previous.indexOf(CONCLUSIONS_END);
  if (a < 0 || b < a) return null;
  return previous.slice(a, b + CONCLUSIONS_END.length);
}

/** An empty conclusions block, for a first report. */
export function emptyConclusions(): string {
  return [
    CONCLUSIONS_START,
    '_Not written yet: read the table and write them here._',
    CONCLUSIONS_END,
  ].join('\n');
}
