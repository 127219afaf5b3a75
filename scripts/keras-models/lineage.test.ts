// A second, independent witness for the MobileNetV2 α=1.0 ImageNet weights: the network
// inside the npm package nsfwjs was trained onward from Keras' ImageNet MobileNetV2 1.0 and
// is stored uint8-quantised. Its 17 depthwise kernels are still the ImageNet ones — equal to
// ours within quantisation noise — while a kernel of the same shape from another block is
// not; every pointwise kernel still correlates strongly with ours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNsfwjsMobileNetV2 } from '../bundled-models';

interface Spec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min: number; scale: number };
}
interface Tensor {
  values: Float64Array;
  /** Standard deviation of uniform rounding noise: scale / √12 (0 for float32). */
  noise: number;
}

function tensors(json: string, bin: Uint8Array): Map<string, Tensor> {
  const specs = (JSON.parse(json) as { weightsManifest: { weights: Spec[] }[] }).weightsManifest[0]!
    .weights;
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const out = new Map<string, Tensor>();
  let offset = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const values = new Float64Array(n);
    const q = s.quantization;
    if (q) {
      if (q.dtype !== 'uint8') throw new Error(`${s.name}: ${q.dtype}`);
      for (let i = 0; i < n; i++) values[i] = bin[offset + i]! * q.scale + q.min;
      offset += n;
    } else {
      for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      offset += 4 * n;
    }
    out.set(s.name, { values, noise: q ? q.scale / Math.sqrt(12) : 0 });
  }
  return out;
}

const rms = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
const relDiff = (a: Float64Array, b: Float64Array) => rms(a.map((v, i) => v - b[i]!)) / rms(b);
function correlation(a: Float64Array, b: Float64Array): number {
  const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('MobileNetV2 α=1.0 weights against the network inside nsfwjs', () => {
  const dir = join(__dirname, '../../public/models/mobilenet-v2-100');
  const ours = tensors(
    readFileSync(join(dir, 'model.json'), 'utf8'),
    new Uint8Array(readFileSync(join(dir, 'weights.bin'))),
  );
  const files = readNsfwjsMobileNetV2();
  const theirs = tensors(files.modelJson, files.weights.get('group1-shard1of1.bin')!);
  const depthwise = [...ours.keys()].filter((n) => n.endsWith('/depthwise_kernel'));

  it('has the same 17 depthwise kernels, within uint8 quantisation noise', () => {
    expect(depthwise).toHaveLength(17);
    for (const name of depthwise) {
      const a = theirs.get(name)!;
      const b = ours.get(name)!;
      const noise = a.noise / rms(b.values);
      expect(relDiff(a.values, b.values), name).toBeLessThan(2 * noise + 0.005);
    }
    // Control: a same-shaped depthwise kernel from another block is nowhere near.
    const other = relDiff(
      theirs.get('block_8_depthwise/depthwise_kernel')!.values,
      ours.get('block_9_depthwise/depthwise_kernel')!.values,
    );
    expect(other).toBeGreaterThan(1);
  });

  it('has pointwise kernels that still correlate with ours in every block (r > 0.9)', () => {
    const kernels = [...ours.keys()].filter((n) => n.endsWith('/kernel'));
    expect(kernels).toHaveLength(35);
    for (const name of kernels)
      expect(correlation(theirs.get(name)!.values, ours.get(name)!.values), name).toBeGreaterThan(
        0.9,
      );
  });
});
