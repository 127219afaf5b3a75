/**
 * What one epoch of a plan costs: multiply-adds through the trained part, and with a measured
 * run, milliseconds scaled from it. The part computed once and cached is the frozen prefix
 * (domain/frozen-prefix.ts), the same rule the engine runs.
 */
import {
  featureIndex,
  frozenPrefixEnd,
  modeOf,
  shapePositions,
  type LayerMode,
  type LayerPlan,
  type PlanLayer,
  type RunRecord,
  type RunTimings,
} from '../domain';

/** What costing needs of a layer; `outputShape` is optional so plain plan fixtures work too. */
export type CostLayer = PlanLayer & { outputShape?: string };

/** A finished run's measurements, enough to scale its timings to another plan. */
export interface MeasuredRun {
  timings: Pick<RunTimings, 'images' | 'featuresMs' | 'headMs' | 'frozenPrefixLayers'>;
  /** Epochs the run trained. */
  epochs: number;
  plan: LayerPlan;
}

/**
 * The measurements to scale from: the last run's, while the timings on screen are that run's
 * and it trained the network now loaded (`modelName`); otherwise none.
 */
export function measuredRun(
  timings: RunTimings | null,
  lastRun: Pick<RunRecord, 'timings' | 'model' | 'epochs' | 'plan'> | undefined,
  modelName: string,
): MeasuredRun | null {
  return timings && lastRun?.timings === timings && lastRun.model === modelName
    ? { timings, epochs: lastRun.epochs.length, plan: lastRun.plan }
    : null;
}

/** What one epoch of a plan costs. */
export interface EpochCost {
  /** Multiply-adds per image per epoch through the trained part: one forward, two backward. */
  work: number;
  /** The same with every layer fine-tuned, for a share. */
  fullWork: number;
  /** Expected milliseconds per epoch, scaled from a measured run; null without one. */
  ms: number | null;
  /** Milliseconds once, for running the frozen prefix over every image (then cached). */
  onceMs: number | null;
}

/**
 * Multiply-adds of a layer per image, forward: each weight is used once per output position
 * (exact for convolutions and dense layers; BatchNorm counts its four vectors, which is close).
 */
function layerWork(l: CostLayer): number {
  return l.params === 0 ? 0 : l.params * shapePositions(l.outputShape);
}

const sumWork = (layers: readonly CostLayer[], a: number, b: number) =>
  layers.slice(Math.max(0, a), b + 1).reduce((n, l) => n + layerWork(l), 0);

/** Per-image epoch work of a plan: forward from the cached prefix, backward (×2) from the first trained layer. */
function epochWork(layers: readonly CostLayer[], plan: LayerPlan) {
  const end = featureIndex(layers, plan.featureLayer);
  const first = layers.findIndex((l, i) => i <= end && modeOf(plan.modes, l) !== 'frozen');
  const k = frozenPrefixEnd(layers, plan);
  if (first < 0) return { work: 0, prefix: sumWork(layers, 0, k) };
  return {
    work: sumWork(layers, k + 1, end) + 2 * sumWork(layers, first, end),
    prefix: sumWork(layers, 0, k),
  };
}

/**
 * Expected cost per epoch of a plan. Without measurements: multiply-adds (parameters × output
 * positions). With a measured run, the model `epoch = head + images × work × rate`, its rate
 * and head time taken from that run, scaled to this plan.
 */
export function epochCost(
  layers: readonly CostLayer[],
  plan: LayerPlan,
  measured?: MeasuredRun | null,
): EpochCost {
  const { work, prefix } = epochWork(layers, plan);
  const everything: LayerPlan = {
    ...plan,
    modes: Object.fromEntries(layers.map((l) => [l.name, 'fine-tune' as LayerMode])),
  };
  const fullWork = epochWork(layers, everything).work;
  const cost: EpochCost = { work, fullWork, ms: null, onceMs: null };
  const t = measured?.timings;
  if (!measured || !t || t.images <= 0 || measured.epochs <= 0) return cost;
  const perEpoch = t.headMs / measured.epochs;
  const last = epochWork(layers, measured.plan).work;
  const lastPrefix = sumWork(layers, 0, t.frozenPrefixLayers - 1);
  // A run that trained layers gives the rate directly (its own plan comes out exact); a
  // head-only run gives the head's time per epoch, and its prefix pass the forward rate.
  const forwardRate =
    t.featuresMs > 0 && lastPrefix > 0 ? t.featuresMs / (t.images * lastPrefix) : null;
  const rate = last > 0 ? perEpoch / (t.images * last) : forwardRate;
  const head = last > 0 ? 0 : perEpoch;
  if (rate !== null && (work > 0 || last === 0)) cost.ms = head + t.images * work * rate;
  else if (work === 0 && last === 0) cost.ms = head;
  if (rate !== null && prefix > 0) cost.onceMs = t.images * prefix * rate;
  return cost;
}
