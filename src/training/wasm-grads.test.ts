import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmConvGradients } from './wasm-grads';

type Backend = 'cpu' | 'wasm';
type Shape4 = [number, number, number, number];
type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

beforeAll(async () => {
  registerWasmConvGradients();
  registerWasmConvGradients(); // idempotent
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** Deterministic uniform(−1, 1) values, so every backend sees the same numbers. */
function randomValues(size: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

const size = (shape: readonly number[]): number => shape.reduce((p, v) => p * v, 1);

/** Passes when |a − b| ≤ 1e-4 · (|b| + max|b|) element-wise, i.e. ≈1e-4 relative to the gradient's scale. */
function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] ?? NaN;
    const err = Math.abs((actual[i] ?? NaN) - e) / (Math.abs(e) + scale + 1e-12);
    worst = Number.isNaN(err) ? Infinity : Math.max(worst, err);
  }
  expect(worst, `${label}: worst relative error`).toBeLessThan(1e-4);
}

interface Case {
  name: string;
  x: Shape4;
  filter: Shape4; // conv2d: [fH, fW, inC, outC]; depthwise: [fH, fW, inC, multiplier]
  strides: number | [number, number];
  pad: Pad;
}

type ConvOp = (x: tf.Tensor4D, f: tf.Tensor4D, c: Case) => tf.Tensor4D;
const conv2dOp: ConvOp = (x, f, c) => tf.conv2d(x, f, c.strides, c.pad);
const depthwiseOp: ConvOp = (x, f, c) => tf.depthwiseConv2d(x, f, c.strides, c.pad);

/**
 * Gradients of Σ r ⊙ conv(x, f) w.r.t. x and f on one backend (r random, so dy is not
 * constant), checking that neither the engine nor the backend keeps any new tensor.
 */
async function convGrads(
  backend: Backend,
  op: ConvOp,
  c: Case,
  seed: number,
): Promise<[Float32Array, Float32Array]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const tensorsBefore = tf.memory().numTensors;
  const idsBefore = tf.backend().numDataIds();
  const x = tf.tensor4d(randomValues(size(c.x), seed), c.x);
  const f = tf.tensor4d(randomValues(size(c.filter), seed + 1), c.filter);
  const outShape = tf.tidy(() => op(x, f, c).shape);
  const r = tf.tensor(randomValues(size(outShape), seed + 2), outShape);
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(op(a as tf.Tensor4D, b as tf.Tensor4D, c), r)),
  )([x, f]);
  const result: [Float32Array, Float32Array] = [
    (await dx!.data()) as Float32Array,
    (await df!.data()) as Float32Array,
  ];
  tf.dispose([x, f, r, dx!, df!]);
  expect(tf.memory().numTensors, `${backend} tensors`).toBe(tensorsBefore);
  expect(tf.backend().numDataIds(), `${backend} backend data ids`).toBe(idsBefore);
  return result;
}

const CONV_CASES: Case[] = [
  {
    name: 'stride 1, same, odd input',
    x: [2, 7, 7, 3],
    filter: [3, 3, 3, 4],
    strides: 1,
    pad: 'same',
  },
  {
    name: 'stride 2, same, even input',
    x: [3, 8, 8, 2],
    filter: [3, 3, 2, 5],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'stride 2, same, odd input',
    x: [2, 9, 7, 2],
    filter: [3, 3, 2, 3],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'stride 2, valid, non-square filter',
    x: [2, 9, 6, 3],
    filter: [3, 2, 3, 4],
    strides: 2,
    pad: 'valid',
  },
  { name: 'stride 1, valid, 5×5', x: [2, 8, 8, 2], filter: [5, 5, 2, 3], strides: 1, pad: 'valid' },
  {
    name: 'stride [2,1], even filter, same',
    x: [2, 8, 7, 2],
    filter: [2, 4, 2, 3],
    strides: [2, 1],
    pad: 'same',
  },
  {
    name: 'stride 2, 1×1, valid, even input (rows left unread)',
    x: [2, 10, 10, 3],
    filter: [1, 1, 3, 4],
    strides: 2,
    pad: 'valid',
  },
  {
    name: 'stride 3, valid (forward leaves the last rows unread)',
    x: [2, 11, 10, 2],
    filter: [3, 3, 2, 2],
    strides: 3,
    pad: 'valid',
  },
  { name: 'numeric pad 1, stride 2', x: [2, 8, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1 },
  {
    name: 'explicit pad, stride 1',
    x: [2, 6, 7, 2],
    filter: [3, 3, 2, 3],
    strides: 1,
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
  {
    name: 'single image, 28×28 (the teaching CNN)',
    x: [1, 28, 28, 1],
    filter: [3, 3, 1, 8],
    strides: 1,
    pad: 'same',
  },
];

const DEPTHWISE_CASES: Case[] = [
  {
    name: 'multiplier 1, stride 1, same, odd input',
    x: [2, 7, 7, 3],
    filter: [3, 3, 3, 1],
    strides: 1,
    pad: 'same',
  },
  {
    name: 'multiplier 2, stride 2, same, even input',
    x: [2, 8, 8, 3],
    filter: [3, 3, 3, 2],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'multiplier 2, stride 2, valid, odd input',
    x: [3, 9, 9, 2],
    filter: [3, 3, 2, 2],
    strides: 2,
    pad: 'valid',
  },
  {
    name: 'multiplier 1, stride 2, same, odd input',
    x: [2, 7, 9, 4],
    filter: [3, 3, 4, 1],
    strides: 2,
    pad: 'same',
  },
  {
    name: 'multiplier 3, stride 1, valid, 5×5',
    x: [2, 8, 8, 2],
    filter: [5, 5, 2, 3],
    strides: 1,
    pad: 'valid',
  },
  {
    name: 'multiplier 1, numeric pad 1, stride 2',
    x: [2, 8, 8, 3],
    filter: [3, 3, 3, 1],
    strides: 2,
    pad: 1,
  },
  {
    name: 'multiplier 2, stride 1, single channel, batch 1',
    x: [1, 6, 5, 1],
    filter: [3, 3, 1, 2],
    strides: 1,
    pad: 'same',
  },
];

describe('wasm conv gradients match the cpu backend', () => {
  it.each(CONV_CASES.map((c, i) => [c.name, c, i] as const))('conv2d: %s', async (_name, c, i) => {
    const [cdx, cdf] = await convGrads('cpu', conv2dOp, c, 100 + 10 * i);
    const [wdx, wdf] = await convGrads('wasm', conv2dOp, c, 100 + 10 * i);
    expectClose(wdx, cdx, 'dx');
    expectClose(wdf, cdf, 'dfilter');
  });

  it.each(DEPTHWISE_CASES.map((c, i) => [c.name, c, i] as const))(
    'depthwiseConv2d: %s',
    async (_name, c, i) => {
      const [cdx, cdf] = await convGrads('cpu', depthwiseOp, c, 500 + 10 * i);
      const [wdx, wdf] = await convGrads('wasm', depthwiseOp, c, 500 + 10 * i);
      expectClose(wdx, cdx, 'dx');
      expectClose(wdf, cdf, 'dfilter');
    },
  );

  it('conv2dTranspose (which runs Conv2DBackpropInput forward) matches cpu', async () => {
    const run = async (backend: Backend): Promise<Float32Array> => {
      expect(await tf.setBackend(backend)).toBe(true);
      return tf.tidy(() => {
        const x = tf.tensor4d(randomValues(2 * 4 * 5 * 3, 7), [2, 4, 5, 3]);
        const f = tf.tensor4d(randomValues(3 * 3 * 2 * 3, 8), [3, 3, 2, 3]);
        return tf.conv2dTranspose(x, f, [2, 8, 10, 2], 2, 'same').dataSync() as Float32Array;
      });
    };
    expectClose(await run('wasm'), await run('cpu'), 'conv2dTranspose');
  });
});

/** Inserts (d − 1) zeros between filter taps, so a dilated conv becomes an ordinary one (differentiably). */
function dilateFilter(f: tf.Tensor4D, d: number): tf.Tensor4D {
  const [fh, fw, c, m] = f.shape;
  const spread = tf.pad(tf.reshape(f, [fh, 1, fw, 1, c, m]), [
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, d - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape<tf.Rank.R4>(spread, [fh * d, fw * d, c, m]);
  return tf.slice(full, [0, 0, 0, 0], [(fh - 1) * d + 1, (fw - 1) * d + 1, c, m]);
}

describe('dilated depthwise gradients (tfjs core refuses dilation in the gradient, so the kernels are called directly)', () => {
  const cases: { name: string; x: Shape4; filter: Shape4; pad: 'same' | 'valid' }[] = [
    {
      name: 'dilation 2, same, multiplier 2, odd input',
      x: [2, 9, 9, 2],
      filter: [3, 3, 2, 2],
      pad: 'same',
    },
    {
      name: 'dilation 2, valid, multiplier 1, even input',
      x: [2, 10, 8, 3],
      filter: [3, 3, 3, 1],
      pad: 'valid',
    },
  ];

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const seed = 900 + 10 * i;
    // Reference on cpu: an undilated depthwise conv with a zero-spread filter, differentiated by tfjs itself.
    expect(await tf.setBackend('cpu')).toBe(true);
    const ref = tf.tidy(() => {
      const x = tf.tensor4d(randomValues(size(c.x), seed), c.x);
      const f = tf.tensor4d(randomValues(size(c.filter), seed + 1), c.filter);
      const outShape = tf.depthwiseConv2d(x, f, 1, c.pad, 'NHWC', 2).shape;
      const r = tf.tensor(randomValues(size(outShape), seed + 2), outShape);
      const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.depthwiseConv2d(a as tf.Tensor4D, dilateFilter(b as tf.Tensor4D, 2), 1, c.pad),
            r,
          ),
        ),
      )([x, f]);
      return {
        dx: dx!.dataSync() as Float32Array,
        df: df!.dataSync() as Float32Array,
        dy: r.dataSync() as Float32Array,
        dyShape: outShape,
      };
    });

    expect(await tf.setBackend('wasm')).toBe(true);
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    const [dx, df] = tf.tidy(() => {
      const x = tf.tensor4d(randomValues(size(c.x), seed), c.x);
      const f = tf.tensor4d(randomValues(size(c.filter), seed + 1), c.filter);
      const dy = tf.tensor(ref.dy, ref.dyShape);
      const attrs = { strides: 1, dilations: 2, pad: c.pad };
      const gx = tf
        .engine()
        .runKernel(
          tf.DepthwiseConv2dNativeBackpropInput,
          { dy, filter: f },
          { ...attrs, inputShape: c.x },
        ) as tf.Tensor;
      const gf = tf
        .engine()
        .runKernel(
          tf.DepthwiseConv2dNativeBackpropFilter,
          { x, dy },
          { ...attrs, filterShape: c.filter },
        ) as tf.Tensor;
      return [gx.dataSync() as Float32Array, gf.dataSync() as Float32Array];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(ids);
    expectClose(dx, ref.dx, 'dx');
    expectClose(df, ref.df, 'dfilter');
  });
});

describe('kernel hygiene', () => {
  it('registers all four kernels for wasm, and registering again changes nothing', () => {
    const names = [
      tf.Conv2DBackpropFilter,
      tf.Conv2DBackpropInput,
      tf.DepthwiseConv2dNativeBackpropFilter,
      tf.DepthwiseConv2dNativeBackpropInput,
    ];
    const funcs = names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc);
    expect(funcs.every((f) => typeof f === 'function')).toBe(true);
    registerWasmConvGradients();
    expect(names.map((n) => tf.getKernel(n, 'wasm')?.kernelFunc)).toEqual(funcs);
  });

  it('rejects NCHW with a clear message and frees what it made', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const ids = tf.backend().numDataIds();
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 2, 3, 3]);
    expect(() =>
      tf
        .engine()
        .runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] },
        ),
    ).toThrow(/NHWC/);
    tf.dispose([x, dy]);
    expect(tf.backend().numDataIds()).toBe(ids);
  });
});

describe('wasm memory', () => {
  it('repeated gradient steps neither keep tensors nor grow the wasm heap (XNNPACK operators are freed with their filters)', async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    const heapBytes = (): number =>
      (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const x = tf.tensor4d(randomValues(4 * 12 * 12 * 3, 1), [4, 12, 12, 3]);
    const f = tf.tensor4d(randomValues(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
    const d = tf.tensor4d(randomValues(3 * 3 * 4 * 2, 3), [3, 3, 4, 2]);
    const step = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(
        tf.square(
          tf.depthwiseConv2d(
            tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'),
            c as tf.Tensor4D,
            1,
            'same',
          ),
        ),
      ),
    );
    const run = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const g = step([x, f, d]);
        await g[0]!.data();
        tf.dispose(g);
      }
    };
    await run(5);
    const tensors = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    const heap = heapBytes();
    await run(40);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(ids);
    expect(heapBytes()).toBe(heap);
    tf.dispose([x, f, d]);
  });
});

describe('training a small CNN on wasm', () => {
  function buildModel(): tf.Sequential {
    const model = tf.sequential();
    model.add(
      tf.layers.conv2d({
        inputShape: [10, 10, 2],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
    );
    model.add(
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: 2,
        depthMultiplier: 2,
        padding: 'same',
        activation: 'relu',
        depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    );
    model.add(
      tf.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        strides: 2,
        padding: 'valid',
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      }),
    );
    model.add(tf.layers.flatten());
    model.add(
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
    );
    return model;
  }

  async function train(
    backend: Backend,
    init: { values: Float32Array; shape: number[] }[],
  ): Promise<number[]> {
    expect(await tf.setBackend(backend)).toBe(true);
    const before = tf.memory().numTensors;
    const ids = tf.backend().numDataIds();
    const model = buildModel();
    const weights = init.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(weights);
    tf.dispose(weights);
    const xs = tf.tensor4d(randomValues(24 * 10 * 10 * 2, 77), [24, 10, 10, 2]);
    const labels = tf.tidy(() =>
      tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 24 }, (_, i) => i % 3),
          'int32',
        ),
        3,
      ),
    );
    const optimizer = tf.train.adam(0.02);
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) {
      const loss = optimizer.minimize(
        () =>
          tf.losses.softmaxCrossEntropy(labels, model.apply(xs, { training: true }) as tf.Tensor),
        true,
      );
      losses.push((await loss!.data())[0] ?? NaN);
      loss!.dispose();
    }
    optimizer.dispose();
    tf.dispose([xs, labels]);
    model.dispose();
    expect(tf.memory().numTensors, `${backend} tensors after training`).toBe(before);
    expect(tf.backend().numDataIds(), `${backend} backend data ids after training`).toBe(ids);
    return losses;
  }

  it('loss falls and follows the cpu losses step by step', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    const template = buildModel();
    const init = template
      .getWeights()
      .map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
    template.dispose();
    const cpu = await train('cpu', init);
    const wasm = await train('wasm', init);
    expect(wasm[wasm.length - 1]!).toBeLessThan(wasm[0]! * 0.5);
    wasm.forEach((l, i) =>
      expect(Math.abs(l - cpu[i]!), `step ${i}: wasm ${l} vs cpu ${cpu[i]}`).toBeLessThan(
        1e-4 * Math.max(1, Math.abs(cpu[i]!)),
      ),
    );
  });
});
