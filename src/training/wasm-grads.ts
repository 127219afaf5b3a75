/**
 * Gradient kernels for 2-D and depthwise convolutions on the tfjs `wasm` backend.
 *
 * tfjs-backend-wasm 4.22 ships forward convolutions (XNNPACK) but no
 * `Conv2DBackpropFilter` / `DepthwiseConv2dNativeBackprop*` kernels (and only a naive
 * `Conv2DBackpropInput`), so conv layers could not be trained on the backend that is by
 * far the fastest on a CPU-only machine (DESIGN.md §2, §3). Every gradient here is
 * rewritten as one *forward* convolution plus cheap reshapes, transposes, pads, slices
 * and sums that the wasm backend already has, so it runs at forward-conv speed.
 *
 * Only NHWC is supported (the wasm forward convolutions reject NCHW too).
 */
import * as tf from '@tensorflow/tfjs';

type Pad = tf.Conv2DBackpropFilterAttrs['pad'];
type Rounding = tf.Conv2DBackpropFilterAttrs['dimRoundingMode'];
type Shape4 = [number, number, number, number];
type Pair = [number, number];

/** The slice of the wasm backend these kernels need: freeing intermediate outputs. */
interface DisposingBackend {
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

function isDisposingBackend(b: unknown): b is DisposingBackend {
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof (b as { disposeData?: unknown }).disposeData === 'function'
  );
}

/**
 * Runs wasm kernels directly (not through the engine, so nothing is taped or tracked)
 * and remembers every output, so that all intermediates can be freed in one place and
 * only the result survives.
 */
class Scratch {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(private readonly backend: DisposingBackend) {}

  run(
    kernelName: string,
    inputs: tf.NamedTensorInfoMap,
    attrs: tf.NamedAttrMap = {},
  ): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, 'wasm');
    if (!kernel) throw new Error(`wasm-grads: the wasm backend has no '${kernelName}' kernel.`);
    const out = kernel.kernelFunc({ inputs, backend: this.backend, attrs });
    const outs = Array.isArray(out) ? out : [out];
    this.temps.push(...outs);
    const first = outs[0];
    if (outs.length !== 1 || !first)
      throw new Error(`wasm-grads: '${kernelName}' returned ${outs.length} outputs, expected 1.`);
    return first;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return sameShape(x.shape, shape) ? x : this.run(tf.Reshape, { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return perm.every((p, i) => p === i) ? x : this.run(tf.Transpose, { x }, { perm });
  }

  /** Pads (positive) or crops (negative) the two spatial axes of an NHWC tensor. */
  padOrCrop(x: tf.TensorInfo, [top, bottom]: Pair, [left, right]: Pair): tf.TensorInfo {
    let out = x;
    if (top > 0 || bottom > 0 || left > 0 || right > 0) {
      const paddings = [
        [0, 0],
        [Math.max(0, top), Math.max(0, bottom)],
        [Math.max(0, left), Math.max(0, right)],
        [0, 0],
      ];
      out = this.run(tf.PadV2, { x: out }, { paddings, constantValue: 0 });
    }
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const [n, h, w, c] = out.shape as Shape4;
      const begin = [0, Math.max(0, -top), Math.max(0, -left), 0];
      const size = [
        n,
        h - Math.max(0, -top) - Math.max(0, -bottom),
        w - Math.max(0, -left) - Math.max(0, -right),
        c,
      ];
      out = this.run(tf.Slice, { x: out }, { begin, size });
    }
    return out;
  }

  /** Keeps the leading `size` entries of axes 1 and 2 (drops rows a strided conv over-produced). */
  cropTo(x: tf.TensorInfo, h: number, w: number): tf.TensorInfo {
    const [n, xh, xw, c] = x.shape as Shape4;
    if (xh === h && xw === w) return x;
    if (xh < h || xw < w)
      throw new Error(`wasm-grads: internal shape error (${xh}×${xw} < ${h}×${w}).`);
    return this.run(tf.Slice, { x }, { begin: [0, 0, 0, 0], size: [n, h, w, c] });
  }

  /** Frees every intermediate except `result`, which becomes the caller's. */
  finish(result: tf.TensorInfo): tf.TensorInfo {
    // A result that is an input (a no-op reshape, say) gets its own reference first.
    const owned = this.temps.includes(result)
      ? result
      : this.run(tf.Reshape, { x: result }, { shape: result.shape });
    this.temps.splice(this.temps.lastIndexOf(owned), 1);
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return owned;
  }

  /** Frees every intermediate (used when a kernel throws half-way). */
  abandon(): void {
    for (const t of this.temps) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Runs `body` with a fresh scratch space and frees its intermediates whatever happens. */
function withScratch(backend: unknown, body: (s: Scratch) => tf.TensorInfo): tf.TensorInfo {
  if (!isDisposingBackend(backend))
    throw new Error('wasm-grads: kernel called without a backend that can free data.');
  const s = new Scratch(backend);
  try {
    return s.finish(body(s));
  } catch (error) {
    s.abandon();
    throw error;
  }
}

function assertNhwc(op: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`wasm-grads: ${op} supports dataFormat 'NHWC' only, got '${dataFormat}'.`);
  }
}

interface Geometry {
  info: tf.backend_util.Conv2DInfo;
  stride: Pair;
  dilation: Pair;
}

function geometry(
  xShape: Shape4,
  filterShape: Shape4,
  strides: number | Pair,
  dilations: number | Pair | undefined,
  pad: Pad,
  rounding: Rounding,
  depthwise: boolean,
): Geometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilations ?? 1,
    pad,
    rounding,
    depthwise,
    'channelsLast',
  );
  return {
    info,
    stride: [info.strideHeight, info.strideWidth],
    dilation: [info.dilationHeight, info.dilationWidth],
  };
}

/**
 * dL/dx as a forward conv: the output gradient, dilated by the stride (zeros inserted)
 * and padded by (filter extent − 1 − forward pad), correlated with the spatially flipped
 * filter at the forward dilation. Returns that padded, dilated dy.
 */
function dilateAndPadDy(s: Scratch, dy: tf.TensorInfo, g: Geometry): tf.TensorInfo {
  const { info, stride, dilation } = g;
  const [b, oh, ow, c] = dy.shape as Shape4;
  const [sh, sw] = stride;
  let d = dy;
  if (sh > 1 || sw > 1) {
    // Zero insertion: [b,oh,ow,c] → [b,oh,1,ow,1,c] → pad to [b,oh,sh,ow,sw,c] → [b,oh·sh,ow·sw,c].
    d = s.reshape(d, [b, oh, 1, ow, 1, c]);
    d = s.run(
      tf.PadV2,
      { x: d },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, sh - 1],
          [0, 0],
          [0, sw - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    d = s.reshape(d, [b, oh * sh, ow * sw, c]);
  }
  // The dilated dy already ends in (stride − 1) zero rows/columns; the rest of the
  // bottom/right padding (or a crop, when negative) makes the output exactly inH × inW.
  const top = (info.filterHeight - 1) * dilation[0] - info.padInfo.top;
  const left = (info.filterWidth - 1) * dilation[1] - info.padInfo.left;
  const bottom = info.inHeight + (info.filterHeight - 1) * dilation[0] - top - oh * sh;
  const right = info.inWidth + (info.filterWidth - 1) * dilation[1] - left - ow * sw;
  return s.padOrCrop(d, [top, bottom], [left, right]);
}

/**
 * Explicit padding for the filter-gradient conv: the forward top/left pads, and a
 * bottom/right pad so the strided window covers exactly the extent the forward pass read.
 */
function filterGradPadding(g: Geometry, oh: number, ow: number): [Pair, Pair] {
  const { info, stride, dilation } = g;
  const needH = (info.filterHeight - 1) * dilation[0] + (oh - 1) * stride[0] + 1;
  const needW = (info.filterWidth - 1) * dilation[1] + (ow - 1) * stride[1] + 1;
  const bottom = Math.max(0, needH - info.inHeight - info.padInfo.top);
  const right = Math.max(0, needW - info.inWidth - info.padInfo.left);
  return [
    [info.padInfo.top, bottom],
    [info.padInfo.left, right],
  ];
}

function explicit([top, bottom]: Pair, [left, right]: Pair): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** dL/dW of conv2d: the input (batch as channels) convolved with dy (as the filter); stride and dilation swap roles. */
const conv2DBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertNhwc('Conv2DBackpropFilter', a.dataFormat);
  if (!x || !dy) throw new Error('wasm-grads: Conv2DBackpropFilter needs x and dy.');
  const g = geometry(
    x.shape as Shape4,
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  return withScratch(backend, (s) => {
    const [, oh, ow] = dy.shape as Shape4;
    const xT = s.transpose(x, [3, 1, 2, 0]); // [inC, H, W, batch]
    const dyT = s.transpose(dy, [1, 2, 0, 3]); // [outH, outW, batch, outC]
    const [ph, pw] = filterGradPadding(g, oh, ow);
    const conv = s.run(
      tf.Conv2D,
      { x: xT, filter: dyT },
      { strides: g.dilation, dilations: g.stride, pad: explicit(ph, pw), dataFormat: 'NHWC' },
    );
    const cropped = s.cropTo(conv, g.info.filterHeight, g.info.filterWidth); // [inC, fH, fW, outC]
    return s.transpose(cropped, [1, 2, 0, 3]);
  });
};

/** dL/dx of conv2d (transposed conv): the dilated, padded dy convolved with the flipped filter, in/out channels swapped. */
const conv2DBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertNhwc('Conv2DBackpropInput', a.dataFormat);
  if (!dy || !filter) throw new Error('wasm-grads: Conv2DBackpropInput needs dy and filter.');
  const g = geometry(
    a.inputShape,
    filter.shape as Shape4,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  return withScratch(backend, (s) => {
    const flipped = s.run(tf.Reverse, { x: filter }, { dims: [0, 1] });
    const fT = s.transpose(flipped, [0, 1, 3, 2]); // [fH, fW, outC, inC]
    const dyP = dilateAndPadDy(s, dy, g);
    return s.run(
      tf.Conv2D,
      { x: dyP, filter: fT },
      { strides: 1, dilations: g.dilation, pad: 'valid', dataFormat: 'NHWC' },
    );
  });
};

/**
 * dL/dW of a depthwise conv: per channel, the input convolved with dy. Batch and channel
 * are folded into one depthwise channel axis (batch 1) and the batch summed out after.
 */
const depthwiseBackpropFilter: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as tf.DepthwiseConv2dNativeBackpropFilterInputs;
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  if (!x || !dy) throw new Error('wasm-grads: DepthwiseConv2dNativeBackpropFilter needs x and dy.');
  const g = geometry(
    x.shape as Shape4,
    a.filterShape,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  return withScratch(backend, (s) => {
    const [b, h, w, c] = x.shape as Shape4;
    const [, oh, ow] = dy.shape as Shape4;
    const [fh, fw, , m] = a.filterShape;
    const xT = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, h, w, b * c]); // channel index = batch·C + c
    const dy5 = s.reshape(dy, [b, oh, ow, c, m]);
    const dyT = s.reshape(s.transpose(dy5, [1, 2, 0, 3, 4]), [oh, ow, b * c, m]);
    const [ph, pw] = filterGradPadding(g, oh, ow);
    const conv = s.run(
      tf.DepthwiseConv2dNative,
      { x: xT, filter: dyT },
      { strides: g.dilation, dilations: g.stride, pad: explicit(ph, pw) },
    );
    const cropped = s.cropTo(conv, fh, fw); // [1, fH, fW, batch·C·M]
    const perBatch = s.reshape(cropped, [fh, fw, b, c * m]);
    const summed =
      b === 1 ? perBatch : s.run(tf.Sum, { x: perBatch }, { axis: [2], keepDims: false });
    return s.reshape(summed, [fh, fw, c, m]);
  });
};

/** dL/dx of a depthwise conv: the dilated, padded dy depthwise-convolved with the flipped filter, multipliers summed. */
const depthwiseBackpropInput: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as tf.DepthwiseConv2dNativeBackpropInputInputs;
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  if (!dy || !filter)
    throw new Error('wasm-grads: DepthwiseConv2dNativeBackpropInput needs dy and filter.');
  const g = geometry(
    a.inputShape,
    filter.shape as Shape4,
    a.strides,
    a.dilations,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  return withScratch(backend, (s) => {
    const [b, h, w, c] = a.inputShape;
    const [fh, fw, , m] = filter.shape as Shape4;
    const flipped = s.run(tf.Reverse, { x: filter }, { dims: [0, 1] });
    const f1 = s.reshape(flipped, [fh, fw, c * m, 1]);
    const dyP = dilateAndPadDy(s, dy, g);
    const conv = s.run(
      tf.DepthwiseConv2dNative,
      { x: dyP, filter: f1 },
      { strides: 1, dilations: g.dilation, pad: 'valid' },
    );
    if (m === 1) return conv;
    const perMultiplier = s.reshape(conv, [b, h, w, c, m]);
    return s.run(tf.Sum, { x: perMultiplier }, { axis: [4], keepDims: false });
  });
};

const KERNELS: ReadonlyArray<[string, tf.KernelFunc]> = [
  [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
  [tf.Conv2DBackpropInput, conv2DBackpropInput],
  [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseBackpropFilter],
  [tf.DepthwiseConv2dNativeBackpropInput, depthwiseBackpropInput],
];

/**
 * Registers the four convolution gradient kernels for the `wasm` backend, replacing
 * wasm's own naive `Conv2DBackpropInput`. Safe to call more than once.
 */
export function registerWasmConvGradients(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing?.kernelFunc === kernelFunc) continue;
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
