/**
 * A network as blocks — the picture a teacher draws: stem, residual blocks, top, pooling,
 * head — built from the same layer list and cut points that decide where a network may be
 * cut. What a plan does to each block is in block-mix.ts, the two lines drawn across the
 * picture in freeze-line.ts, what a plan costs in epoch-cost.ts.
 */
import { shapeParts, type LayerInfo } from '../domain';

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
