/**
 * Inference-only fusion of the Keras conv block `[ZeroPadding2D →] Conv2D | DepthwiseConv2D
 * → BatchNormalization [→ ReLU(6)]` into one fused convolution, for frozen layers whose
 * output is only read, never differentiated (features, the frozen-prefix cache, probes).
 *
 * Why: in a layers model every BatchNormalization and ReLU is a kernel of its own. On the
 * wasm backend the batch norm alone took more time than all the convolutions of
 * MobileNetV2 (267 against ~225 ms, 224 px, batch 16, `tf.profile`), and it runs on one
 * thread while XNNPACK's convolutions use them all. Folding the normalisation into the
 * kernel and bias — W' = W·γ/√(σ²+ε), b' = (b−μ)·γ/√(σ²+ε)+β (Ioffe & Szegedy 2015, the
 * standard inference-time fold, as TF Lite's converter does) — and the ReLU6 and the zero
 * padding into the convolution's own activation and explicit padding leaves one kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { GraphStep, LayerGraph } from './graph';

type Activation = 'linear' | 'relu' | 'relu6';
type Pad =
  'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

export interface FoldedBlock {
  /** Index of the last step the fused convolution replaces. */
  last: number;
  /** The layers it replaces, from the first step on. */
  layers: tf.layers.Layer[];
  /** Computes the block's output from the value read by its first step. */
  run: (x: tf.Tensor) => tf.Tensor;
}

interface ConvConfig {
  strides: [number, number];
  padding: 'valid' | 'same';
  dilation_rate?: number | [number, number];
  dilationRate?: number | [number, number];
  data_format?: string;
  dataFormat?: string;
  activation?: string;
  useBias?: boolean;
  use_bias?: boolean;
}

const className = (s: GraphStep | undefined) => s?.layer.getClassName();

/** How many steps read each tensor id (the model output counts as one more reader). */
export function readerCounts(graph: LayerGraph): Map<number, number> {
  const n = new Map<number, number>();
  for (const s of graph.steps) for (const id of s.inputs) n.set(id, (n.get(id) ?? 0) + 1);
  n.set(graph.outputId, (n.get(graph.outputId) ?? 0) + 1);
  return n;
}

/** The ReLU that may fold into the convolution's activation, or null. */
function reluOf(step: GraphStep | undefined): Activation | null {
  if (!step) return null;
  const c = step.layer.getConfig() as { maxValue?: number | null; activation?: string };
  if (step.layer.getClassName() === 'ReLU') {
    if (c.maxValue === undefined || c.maxValue === null) return 'relu';
    return c.maxValue === 6 ? 'relu6' : null;
  }
  if (step.layer.getClassName() === 'Activation')
    return c.activation === 'relu' || c.activation === 'relu6' ? c.activation : null;
  return null;
}

function explicitPad(step: GraphStep): Pad | null {
  const c = step.layer.getConfig() as {
    padding?: number | [number, number] | [[number, number], [number, number]];
    dataFormat?: string;
  };
  if (c.dataFormat && c.dataFormat !== 'channelsLast') return null;
  const p = c.padding;
  if (typeof p === 'number')
    return [
      [0, 0],
      [p, p],
      [p, p],
      [0, 0],
    ];
  if (!Array.isArray(p)) return null;
  const [h, w] = p;
  const pair = (v: number | [number, number]): [number, number] =>
    typeof v === 'number' ? [v, v] : v;
  if (h === undefined || w === undefined) return null;
  return [[0, 0], pair(h), pair(w), [0, 0]];
}

/**
 * The fused block starting at step `i`, or null when the steps there are not such a block
 * (another class, a non-linear convolution, channels-first, an intermediate read elsewhere,
 * or the block would cross `to`).
 */
export function foldedBlockAt(
  graph: LayerGraph,
  i: number,
  to: number,
  readers: Map<number, number>,
): FoldedBlock | null {
  const steps = graph.steps;
  const onlyReadBy = (step: GraphStep, next: GraphStep | undefined) =>
    next !== undefined &&
    readers.get(step.output) === 1 &&
    next.inputs.length === 1 &&
    next.inputs[0] === step.output;
  let at = i;
  let pad: Pad | null = null;
  if (className(steps[at]) === 'ZeroPadding2D') {
    pad = explicitPad(steps[at]!);
    if (!pad || !onlyReadBy(steps[at]!, steps[at + 1])) return null;
    at += 1;
  }
  const conv = steps[at];
  const kind = className(conv);
  if (!conv || (kind !== 'Conv2D' && kind !== 'DepthwiseConv2D')) return null;
  const bn = steps[at + 1];
  if (className(bn) !== 'BatchNormalization' || !onlyReadBy(conv, bn) || at + 1 > to) return null;
  const cc = conv.layer.getConfig() as unknown as ConvConfig;
  const format = cc.dataFormat ?? cc.data_format;
  if ((cc.activation ?? 'linear') !== 'linear' || (format && format !== 'channelsLast'))
    return null;
  // tfjs 4.22's fused depthwise convolution takes no explicit padding: its pad layer runs on its own.
  if (pad && (cc.padding !== 'valid' || kind !== 'Conv2D')) return null;
  const bc = bn!.layer.getConfig() as {
    axis?: number | number[];
    epsilon?: number;
    scale?: boolean;
    center?: boolean;
  };
  const axis = Array.isArray(bc.axis) ? bc.axis : [bc.axis ?? -1];
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3)) return null;
  const relu = at + 2 <= to && onlyReadBy(bn!, steps[at + 2]) ? reluOf(steps[at + 2]) : null;
  const last = relu ? at + 2 : at + 1;
  const dil = cc.dilationRate ?? cc.dilation_rate ?? 1;
  const dilations: [number, number] = typeof dil === 'number' ? [dil, dil] : dil;
  const padding: Pad = pad ?? cc.padding;
  const layers = steps.slice(i, last + 1).map((s) => s.layer);
  const activation: Activation = relu ?? 'linear';
  const run = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const [kernel, bias] = conv.layer.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
      const w = bn!.layer.getWeights();
      // Keras order: gamma (if scale), beta (if center), moving mean, moving variance.
      const gamma = bc.scale === false ? null : w[0]!;
      const beta = bc.center === false ? null : w[bc.scale === false ? 0 : 1]!;
      const [mean, variance] = w.slice(-2) as [tf.Tensor, tf.Tensor];
      let scale = tf.rsqrt(tf.add(variance, bc.epsilon ?? 1e-3));
      if (gamma) scale = tf.mul(scale, gamma);
      let b = tf.mul(tf.neg(mean), scale);
      if (bias) b = tf.add(b, tf.mul(bias, scale));
      if (beta) b = tf.add(b, beta);
      const input = x as tf.Tensor4D;
      if (kind === 'Conv2D')
        return tf.fused.conv2d({
          x: input,
          filter: tf.mul(kernel, scale) as tf.Tensor4D,
          strides: cc.strides,
          pad: padding,
          dilations,
          bias: b,
          activation,
        });
      const [, , inC, mult] = kernel.shape;
      return tf.fused.depthwiseConv2d({
        x: input,
        filter: tf.mul(kernel, tf.reshape(scale, [1, 1, inC, mult])) as tf.Tensor4D,
        strides: cc.strides,
        pad: cc.padding,
        dilations,
        bias: b,
        activation,
      });
    });
  return { last, layers, run };
}
