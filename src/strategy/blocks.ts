/**
 * A network as blocks — the picture a teacher draws: stem, residual blocks, top, pooling,
 * head — built from the same layer list and cut points that decide where a network may be
 * cut. Also the two lines drawn across that picture: the freeze line (frozen below, fine-tuned
 * above, snapped to block boundaries) and the feature cut, each as a value ↔ plan mapping,
 * and what a plan costs per epoch.
 */
import {
  modeOf,
  type LayerInfo,
  type LayerMode,
  type LayerPlan,
  type PlanLayer,
  type RunTimings,
} from '../domain';
import { freezeUpTo, takeFeaturesFrom } from './layer-plan';

/** What grouping needs of a layer; `outputShape` is optional so plain plan fixtures work too. */
export type BlockLayer = Pick<LayerInfo, 'name' | 'className' | 'params' | 'cutPoint'> & {
  outputShape?: string;
};

export type BlockKind =
  'input' | 'stem' | 'block' | 'top' | 'pooling' | 'head' | 'layer' | 'nested';

/** A run of consecutive layers drawn as one box. */
export interface NetworkBlock {
  /** Unique; the block's button is named by it ("Block 5", "Stem", "conv1"). */
  name: string;
  kind: BlockKind;
  /** Index of the block's first and last layer in the layer list (inclusive). */
  first: number;
  last: number;
  params: number;
  /** Output of the block's last layer, e.g. "28×28×32". */
  outputShape: string;
  /** The spatial part of the output ("28×28"), empty for a vector. */
  size: string;
  /** The last dimension of the output, or null when unknown. */
  channels: number | null;
  /** A skip connection adds the block's input to its output: its layers end in an `Add`. */
  residual: boolean;
}

/** Up to this many layers, every layer is its own block (the teaching CNN: 11 layers). */
export const SMALL_NETWORK_LAYERS = 24;

const NORMALIZATION = new Set(['BatchNormalization', 'LayerNormalization']);
const POOLING_TO_VECTOR = new Set(['GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten']);
const POOLING = new Set([...POOLING_TO_VECTOR, 'AveragePooling2D', 'MaxPooling2D', 'Reshape']);
const NESTED = new Set(['Sequential', 'Model', 'Functional']);
/** Layers that prepare the next layer's input (padding) belong to the block after them. */
const LEADING = new Set(['ZeroPadding2D']);

const isAdd = (l: BlockLayer) => l.className === 'Add';

function shapeParts(shape: string | undefined): { size: string; channels: number | null } {
  const first = (shape ?? '').split(' | ')[0] ?? '';
  const dims = first.split('×').filter((d) => d !== '');
  const last = dims[dims.length - 1];
  const channels = last !== undefined && /^\d+$/.test(last) ? Number(last) : null;
  return { size: dims.slice(0, -1).join('×'), channels };
}

function makeBlock(
  layers: readonly BlockLayer[],
  name: string,
  kind: BlockKind,
  first: number,
  last: number,
): NetworkBlock {
  const span = layers.slice(first, last + 1);
  const outputShape = layers[last]?.outputShape ?? '';
  return {
    name,
    kind,
    first,
    last,
    params: span.reduce((n, l) => n + l.params, 0),
    outputShape,
    ...shapeParts(outputShape),
    residual: span.some(isAdd),
  };
}

/** Consecutive layers with the same key form one block; a `null` key joins the block before. */
function runsOf(
  layers: readonly BlockLayer[],
  keyOf: (l: BlockLayer) => { name: string; kind: BlockKind } | null,
): NetworkBlock[] {
  const starts: { name: string; kind: BlockKind; first: number }[] = [];
  layers.forEach((l, i) => {
    const key = keyOf(l);
    const current = starts[starts.length - 1];
    if (current && (key === null || key.name === current.name)) return;
    starts.push({ ...(key ?? { name: l.name, kind: 'layer' }), first: i });
  });
  return starts.map((s, j) =>
    makeBlock(layers, s.name, s.kind, s.first, (starts[j + 1]?.first ?? layers.length) - 1),
  );
}

/** Keras MobileNetV2 naming: Conv1 stem, expanded_conv / block_N inverted residuals, Conv_1 top. */
function isMobileNetV2(layers: readonly BlockLayer[]): boolean {
  return (
    layers.some((l) => l.name === 'Conv1') &&
    layers.some((l) => l.name === 'Conv_1') &&
    layers.some((l) => /^block_\d+_/.test(l.name))
  );
}

/**
 * MobileNetV2 (Sandler et al. 2018): stem, 17 inverted-residual blocks (block 0 is Keras'
 * `expanded_conv`), the 1×1 top conv, pooling, and whatever head the file carries.
 */
function mobileNetBlocks(layers: readonly BlockLayer[]): NetworkBlock[] {
  let seenTop = false;
  let seenPool = false;
  return runsOf(layers, (l) => {
    if (l.className === 'InputLayer') return { name: 'Input', kind: 'input' };
    if (/^(Conv1(_pad|_relu)?|bn_Conv1)$/.test(l.name)) return { name: 'Stem', kind: 'stem' };
    if (/^(expanded_conv|block_0)(_|$)/.test(l.name)) return { name: 'Block 0', kind: 'block' };
    const n = /^block_(\d+)_/.exec(l.name)?.[1];
    if (n !== undefined) return { name: `Block ${Number(n)}`, kind: 'block' };
    if (/^(Conv_1(_bn)?|out_relu)$/.test(l.name)) {
      seenTop = true;
      return { name: 'Top conv', kind: 'top' };
    }
    if (seenTop && !seenPool && POOLING.has(l.className)) {
      return { name: 'Pooling', kind: 'pooling' };
    }
    if (seenTop && (seenPool || l.params > 0)) {
      seenPool = true;
      return { name: 'Source head', kind: 'head' };
    }
    return null;
  });
}

/** Every layer its own block (small networks, and nested models whose parts are layers). */
function layerBlocks(layers: readonly BlockLayer[]): NetworkBlock[] {
  return layers.map((l, i) =>
    makeBlock(
      layers,
      l.name,
      l.className === 'InputLayer'
        ? 'input'
        : NESTED.has(l.className)
          ? 'nested'
          : POOLING_TO_VECTOR.has(l.className)
            ? 'pooling'
            : 'layer',
      i,
      i,
    ),
  );
}

/** The longest name prefix all layers share, cut at an underscore ("conv2_block1"). */
function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? '';
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const cut = prefix.lastIndexOf('_');
  return prefix.length > 0 && names.every((n) => n === prefix || n[prefix.length] === '_')
    ? prefix
    : cut > 0
      ? prefix.slice(0, cut)
      : '';
}

/**
 * Any other network: a residual block is a run of layers that are no cut point (a skip
 * connection crosses them) closed by the cut point that joins it; elsewhere a block starts
 * at each layer with weights that is not a normalization, so conv + BN + activation stay
 * together; padding joins the block after it, and pooling to a vector is a block of its own.
 */
function genericBlocks(layers: readonly BlockLayer[]): NetworkBlock[] {
  const blocks: NetworkBlock[] = [];
  let start = 0;
  const close = (end: number) => {
    const span = layers.slice(start, end + 1);
    const head = span[0]!;
    const main = span.find((l) => l.params > 0 && !NORMALIZATION.has(l.className)) ?? head;
    const residual = !head.cutPoint;
    const kind: BlockKind =
      head.className === 'InputLayer'
        ? 'input'
        : residual
          ? 'block'
          : POOLING_TO_VECTOR.has(head.className)
            ? 'pooling'
            : NESTED.has(main.className)
              ? 'nested'
              : 'layer';
    const name = (residual && commonPrefix(span.map((l) => l.name))) || main.name;
    blocks.push(makeBlock(layers, name, kind, start, end));
    start = end + 1;
  };
  layers.forEach((l, i) => {
    const prev = layers[i - 1];
    // Inside a residual run every layer, and the cut point that closes it, stays in the block.
    if (!prev || !prev.cutPoint) return;
    const onlyLeading = layers.slice(start, i).every((x) => LEADING.has(x.className));
    const begins =
      l.className === 'InputLayer' ||
      prev.className === 'InputLayer' ||
      !l.cutPoint ||
      POOLING_TO_VECTOR.has(l.className) ||
      LEADING.has(l.className) ||
      (l.params > 0 && !NORMALIZATION.has(l.className) && !onlyLeading);
    if (begins) close(i - 1);
  });
  if (start < layers.length) close(layers.length - 1);
  return blocks;
}

/** Block names must be unique (they name buttons): later duplicates get " (2)", " (3)", … */
function uniqueNames(blocks: NetworkBlock[]): NetworkBlock[] {
  const seen = new Map<string, number>();
  return blocks.map((b) => {
    const n = (seen.get(b.name) ?? 0) + 1;
    seen.set(b.name, n);
    return n === 1 ? b : { ...b, name: `${b.name} (${n})` };
  });
}

/** The network as blocks, input first. Every layer belongs to exactly one block. */
export function groupBlocks(layers: readonly BlockLayer[]): NetworkBlock[] {
  if (layers.length === 0) return [];
  if (isMobileNetV2(layers)) return uniqueNames(mobileNetBlocks(layers));
  const plain = layers.every((l) => l.cutPoint);
  if (plain && layers.length <= SMALL_NETWORK_LAYERS) return uniqueNames(layerBlocks(layers));
  return uniqueNames(genericBlocks(layers));
}

/** Index of the block that holds layer `index` (−1 when none does). */
export function blockOfLayer(blocks: readonly NetworkBlock[], index: number): number {
  return blocks.findIndex((b) => b.first <= index && index <= b.last);
}

/** Parameters of a block's layers by mode under a plan; layers after the feature layer are cut away. */
export interface BlockMix {
  frozen: number;
  fineTune: number;
  reinit: number;
  cutAway: number;
  /** Weighted layers in use, by mode. */
  layers: Record<LayerMode, number>;
}

export function blockMix(
  block: NetworkBlock,
  layers: readonly PlanLayer[],
  plan: LayerPlan,
): BlockMix {
  const end = layers.findIndex((l) => l.name === plan.featureLayer);
  const mix: BlockMix = {
    frozen: 0,
    fineTune: 0,
    reinit: 0,
    cutAway: 0,
    layers: { frozen: 0, 'fine-tune': 0, reinit: 0 },
  };
  for (let i = block.first; i <= block.last; i++) {
    const l = layers[i]!;
    if (end >= 0 && i > end) {
      mix.cutAway += l.params;
      continue;
    }
    if (l.params === 0) continue;
    const mode = modeOf(plan.modes, l);
    mix.layers[mode]++;
    if (mode === 'frozen') mix.frozen += l.params;
    else if (mode === 'fine-tune') mix.fineTune += l.params;
    else mix.reinit += l.params;
  }
  return mix;
}

/** Every weighted layer of a block in one mode (Re-initialize a block by one click). */
export function setBlockMode(
  block: NetworkBlock,
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  mode: LayerMode,
): LayerPlan {
  const modes = { ...plan.modes };
  for (let i = block.first; i <= block.last; i++) {
    const l = layers[i]!;
    if (l.params > 0) modes[l.name] = mode;
  }
  return { ...plan, modes };
}

/**
 * The freeze line's positions: `stops` are the weighted blocks in use (up to the block that
 * holds the feature layer), input first. Value v freezes the first v of them and fine-tunes
 * the rest: 0 = nothing frozen, stops.length = everything frozen.
 */
export interface FreezeLine {
  stops: number[];
  /** Where the plan puts the line: the number of leading stops whose weighted layers are all Frozen. */
  value: number;
  /** True when the plan is exactly "frozen below the line, Fine-tune above" (no Re-initialize, no mix). */
  exact: boolean;
  /** Index of the feature layer: the line never freezes past it. */
  end: number;
}

function featureIndex(layers: readonly PlanLayer[], plan: LayerPlan): number {
  const end = layers.findIndex((l) => l.name === plan.featureLayer);
  return end < 0 ? layers.length - 1 : end;
}

/** Where the freeze line is under a plan (plan → value). */
export function freezeLine(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
): FreezeLine {
  const end = featureIndex(layers, plan);
  const stops: number[] = [];
  blocks.forEach((b, i) => {
    if (b.first > end) return;
    if (layers.slice(b.first, Math.min(b.last, end) + 1).some((l) => l.params > 0)) stops.push(i);
  });
  const modesOf = (b: NetworkBlock) =>
    layers
      .slice(b.first, Math.min(b.last, end) + 1)
      .filter((l) => l.params > 0)
      .map((l) => modeOf(plan.modes, l));
  let value = 0;
  while (value < stops.length && modesOf(blocks[stops[value]!]!).every((m) => m === 'frozen'))
    value++;
  const exact = stops
    .slice(value)
    .every((s) => modesOf(blocks[s]!).every((m) => m === 'fine-tune'));
  return { stops, value, exact, end };
}

/**
 * The last layer frozen at value v (the boundary the line sits on), or null at 0: the last
 * layer of the v-th stop block, or the feature layer when the cut falls inside that block.
 */
export function freezeBoundary(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  line: FreezeLine,
  value: number,
): string | null {
  if (value <= 0) return null;
  const block = blocks[line.stops[Math.min(value, line.stops.length) - 1]!]!;
  return layers[Math.min(block.last, line.end)]?.name ?? null;
}

/**
 * The plan with the freeze line at `value` (value → plan): every weighted layer below the line
 * Frozen, every one above it Fine-tune (`freezeUpTo`); the feature layer is kept.
 */
export function planAtFreezeLine(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  value: number,
): LayerPlan {
  const line = freezeLine(blocks, layers, plan);
  const v = Math.max(0, Math.min(line.stops.length, Math.round(value)));
  const boundary = freezeBoundary(blocks, layers, line, v);
  if (boundary !== null) return freezeUpTo(layers, plan, boundary);
  // Nothing frozen: freeze up to the layer before the first weighted block (none: −1).
  const first = line.stops[0] === undefined ? 0 : blocks[line.stops[0]]!.first;
  return freezeUpTo(layers, plan, layers[first - 1]?.name ?? '');
}

/**
 * Snaps a freeze boundary chosen at any layer to the nearest block boundary: the value whose
 * boundary layer is closest to `layerIndex` (the lower one on a tie).
 */
export function snapFreezeValue(
  blocks: readonly NetworkBlock[],
  line: FreezeLine,
  layerIndex: number,
): number {
  const at = (v: number) =>
    v === 0 ? (blocks[line.stops[0]!]?.first ?? 0) - 1 : blocks[line.stops[v - 1]!]!.last;
  let best = 0;
  for (let v = 1; v <= line.stops.length; v++)
    if (Math.abs(at(v) - layerIndex) < Math.abs(at(best) - layerIndex)) best = v;
  return best;
}

/** The index of the position nearest `x` (the first on a tie): pointer → slider stop. */
export function nearestPosition(positions: readonly number[], x: number): number {
  let best = 0;
  positions.forEach((p, i) => {
    if (Math.abs(p - x) < Math.abs(positions[best]! - x)) best = i;
  });
  return best;
}

/**
 * Where features may be taken, as blocks: every block after the input (the cut goes after
 * the block's last layer). `value` is the block holding the feature layer; `inside` is true
 * when the feature layer is not that block's last layer.
 */
export interface FeatureCut {
  stops: number[];
  value: number;
  inside: boolean;
}

export function featureCut(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
): FeatureCut {
  const stops = blocks.flatMap((b, i) => (b.kind === 'input' ? [] : [i]));
  const end = layers.findIndex((l) => l.name === plan.featureLayer);
  const value = end < 0 ? blocks.length - 1 : blockOfLayer(blocks, end);
  return { stops, value, inside: end >= 0 && blocks[value]?.last !== end };
}

/** Take features after block `index` (its last layer); the modes are kept. */
export function planAtCut(
  blocks: readonly NetworkBlock[],
  layers: readonly PlanLayer[],
  plan: LayerPlan,
  index: number,
): LayerPlan {
  const block = blocks[index];
  const name = block ? layers[block.last]?.name : undefined;
  return name ? takeFeaturesFrom(plan, name) : plan;
}

/**
 * A block's drift: the parameter-weighted root mean square of its layers' ‖w − w₀‖/‖w₀‖ —
 * exact when each layer's ‖w₀‖² grows with its parameter count. Null when no layer moved.
 */
export function blockDrift(
  block: NetworkBlock,
  layers: readonly PlanLayer[],
  drift: Readonly<Record<string, number>>,
): number | null {
  let sum = 0;
  let weight = 0;
  for (let i = block.first; i <= block.last; i++) {
    const l = layers[i]!;
    const d = drift[l.name];
    if (d === undefined || l.params === 0) continue;
    sum += d * d * l.params;
    weight += l.params;
  }
  return weight > 0 ? Math.sqrt(sum / weight) : null;
}

/** A finished run's measurements, enough to scale its timings to another plan. */
export interface MeasuredRun {
  timings: Pick<RunTimings, 'images' | 'featuresMs' | 'headMs' | 'frozenPrefixLayers'>;
  /** Epochs the run trained. */
  epochs: number;
  plan: LayerPlan;
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
function layerWork(l: PlanLayer & { outputShape?: string }): number {
  if (l.params === 0) return 0;
  const { size } = shapeParts(l.outputShape);
  const positions = size
    .split('×')
    .filter((d) => /^\d+$/.test(d))
    .reduce((n, d) => n * Number(d), 1);
  return l.params * positions;
}

const sumWork = (layers: readonly (PlanLayer & { outputShape?: string })[], a: number, b: number) =>
  layers.slice(Math.max(0, a), b + 1).reduce((n, l) => n + layerWork(l), 0);

/** The last cut point before the first trained layer: the end of the cached frozen prefix (training/engine.ts). */
function prefixEnd(layers: readonly PlanLayer[], plan: LayerPlan, end: number): number {
  let k = 0;
  for (let i = 0; i <= end; i++) {
    if (modeOf(plan.modes, layers[i]!) !== 'frozen') break;
    if (layers[i]!.cutPoint) k = i;
  }
  return k;
}

/** Per-image epoch work of a plan: forward from the cached prefix, backward (×2) from the first trained layer. */
function epochWork(layers: readonly (PlanLayer & { outputShape?: string })[], plan: LayerPlan) {
  const end = featureIndex(layers, plan);
  const first = layers.findIndex((l, i) => i <= end && modeOf(plan.modes, l) !== 'frozen');
  const k = prefixEnd(layers, plan, end);
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
  layers: readonly (PlanLayer & { outputShape?: string })[],
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

/** Whether two plans train the same network: same feature layer, same mode for every layer in use. */
export function samePlan(layers: readonly PlanLayer[], a: LayerPlan, b: LayerPlan): boolean {
  if (a.featureLayer !== b.featureLayer) return false;
  const end = featureIndex(layers, a);
  return layers.slice(0, end + 1).every((l) => modeOf(a.modes, l) === modeOf(b.modes, l));
}
