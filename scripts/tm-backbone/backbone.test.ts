// The bundled photo backbone (public/models/mobilenet-v2-035/) is the base network of a
// Teachable Machine image export: same bytes, same numbers.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const MODEL_DIR = join(__dirname, '../../public/models/mobilenet-v2-035');
const EXPORT_DIR = join(__dirname, 'export-sample');

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}
interface ModelJson {
  modelTopology: {
    class_name: string;
    config: {
      name: string;
      layers: { name: string; class_name: string; config: Record<string, unknown> }[];
    };
  };
  format?: string;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}
interface Provenance {
  sha256: Record<string, string>;
  baseWeightsSha256: string;
  parameters: number;
  layers: number;
  inputSize: number;
  valueRange: [number, number];
  featureLayer: string;
  mapLayer: string;
  licence: string;
  exports: { repo: string; path: string; commit: string; baseWeightsSha256: string }[];
}
interface Reference {
  export: { sha256: Record<string, string> };
  input: { seeds: number[]; shape: number[] };
  outputs: { seed: number; first32: number[]; sum: number }[];
}

const read = (dir: string, file: string) => readFileSync(join(dir, file));
const readJson = <T>(dir: string, file: string) =>
  JSON.parse(read(dir, file).toString('utf8')) as T;
const sha256 = (buf: Uint8Array) => createHash('sha256').update(buf).digest('hex');
const provenance = readJson<Provenance>(MODEL_DIR, 'provenance.json');
const reference = readJson<Reference>(__dirname, 'reference.json');

/** Same generator as make-reference.mjs: mulberry32(seed), values 2u − 1 in HWC order. */
function inputImage(seed: number, size = 224): Float32Array {
  let a = seed >>> 0;
  const data = new Float32Array(size * size * 3);
  for (let i = 0; i < data.length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = 2 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 1;
  }
  return data;
}

function handler(dir: string, edit: (json: ModelJson) => void = () => {}): tf.io.IOHandler {
  return {
    load: async () => {
      const json = readJson<ModelJson>(dir, 'model.json');
      edit(json);
      const group = json.weightsManifest[0]!;
      const bin = read(dir, group.paths[0]!);
      return {
        modelTopology: json.modelTopology,
        weightSpecs: group.weights as tf.io.WeightsManifestEntry[],
        weightData: bin.buffer.slice(
          bin.byteOffset,
          bin.byteOffset + bin.byteLength,
        ) as ArrayBuffer,
        format: json.format,
      };
    },
  };
}

let extracted: tf.LayersModel;
let exportBase: tf.LayersModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
  extracted = await tf.loadLayersModel(handler(MODEL_DIR));
  const exported = await tf.loadLayersModel(handler(EXPORT_DIR));
  // The export's first layer: the nested MobileNetV2 Model followed by global pooling.
  exportBase = exported.layers[0] as tf.Sequential;
});

describe('MobileNetV2 α=0.35 extracted from a Teachable Machine export', () => {
  it('has the SHA-256 its provenance records, equal to the base bytes of the export', () => {
    for (const [file, hash] of Object.entries(provenance.sha256)) {
      expect(sha256(read(MODEL_DIR, file)), file).toBe(hash);
    }
    const json = readJson<ModelJson>(MODEL_DIR, 'model.json');
    const weightsFile = json.weightsManifest[0]!.paths[0]!;
    expect(provenance.sha256[weightsFile]).toBe(provenance.baseWeightsSha256);

    // The export's weights minus its head (the Dense layers TM trains) are the same bytes.
    const exportJson = readJson<ModelJson>(EXPORT_DIR, 'model.json');
    const bin = read(EXPORT_DIR, 'weights.bin');
    const baseNames = new Set(json.weightsManifest[0]!.weights.map((w) => w.name));
    const parts: Uint8Array[] = [];
    let offset = 0;
    for (const w of exportJson.weightsManifest[0]!.weights) {
      const bytes = w.shape.reduce((a, b) => a * b, 1) * 4;
      if (baseNames.has(w.name)) parts.push(bin.subarray(offset, offset + bytes));
      else expect(w.name).toMatch(/^dense_/);
      offset += bytes;
    }
    expect(offset).toBe(bin.byteLength);
    expect(parts).toHaveLength(260);
    expect(sha256(Buffer.concat(parts))).toBe(provenance.baseWeightsSha256);

    expect(provenance.exports.length).toBeGreaterThanOrEqual(3);
    expect(
      new Set(provenance.exports.map((e) => e.repo.split('/')[0])).size,
    ).toBeGreaterThanOrEqual(3);
    for (const e of provenance.exports)
      expect(e.baseWeightsSha256).toBe(provenance.baseWeightsSha256);
    expect(provenance.licence).toMatch(/Apache-2\.0/);
  });

  it('keeps the committed export byte-for-byte as published', () => {
    // A formatter or an editor touching these files would break the proof.
    expect(Object.keys(reference.export.sha256)).toHaveLength(3);
    for (const [file, hash] of Object.entries(reference.export.sha256)) {
      expect(sha256(read(EXPORT_DIR, file)), file).toBe(hash);
    }
    const source = provenance.exports.find(
      (e) => e.repo === 'danielcasto/AI-Hackathon-2022' && e.path === 'model/',
    ) as { weightsBinSha256?: string } | undefined;
    expect(source?.weightsBinSha256).toBe(reference.export.sha256['weights.bin']);
  });

  it('is a standard float32 layers model ending at the pooled 1280-d features', () => {
    const json = readJson<ModelJson>(MODEL_DIR, 'model.json');
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Model');
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0]!.weights).toHaveLength(260);
    expect(
      json.weightsManifest[0]!.weights.every((w) => w.dtype === 'float32' && !w.quantization),
    ).toBe(true);

    expect(extracted.layers).toHaveLength(156);
    expect(provenance.layers).toBe(156);
    expect(extracted.countParams()).toBe(410_208);
    expect(provenance.parameters).toBe(410_208);
    expect(extracted.inputs[0]!.shape).toEqual([null, 224, 224, 3]);
    expect(provenance.inputSize).toBe(224);
    expect(provenance.valueRange).toEqual([-1, 1]);
    const names = extracted.layers.map((l) => l.name);
    expect(names.slice(0, 4)).toEqual(['input_1', 'Conv1_pad', 'Conv1', 'bn_Conv1']);
    expect(names.slice(-4)).toEqual(['Conv_1', 'Conv_1_bn', 'out_relu', provenance.featureLayer]);
    expect(provenance.featureLayer).toBe('global_average_pooling2d');
    expect(extracted.getLayer(provenance.featureLayer).outputShape).toEqual([null, 1280]);
    expect(extracted.getLayer(provenance.mapLayer).outputShape).toEqual([null, 7, 7, 1280]);
    expect(names.filter((n) => /^block_\d+_add$/.test(n))).toHaveLength(10);
  });

  it("gives the export's base output on fixed inputs", async () => {
    expect(reference.outputs).toHaveLength(3);
    for (const ref of reference.outputs) {
      const x = tf.tensor4d(inputImage(ref.seed), [1, 224, 224, 3]);
      const a = await (exportBase.predict(x) as tf.Tensor).data();
      const b = await (extracted.predict(x) as tf.Tensor).data();
      x.dispose();
      expect(a).toHaveLength(1280);
      expect(b).toHaveLength(1280);
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      expect(maxDiff).toBeLessThanOrEqual(1e-5);
      // And the numbers recorded from the export by make-reference.mjs.
      for (let i = 0; i < 32; i++) expect(a[i]).toBeCloseTo(ref.first32[i]!, 5);
      expect(Array.from(b).reduce((s, v) => s + v, 0)).toBeCloseTo(ref.sum, 2);
    }
  });

  it('takes other square input sizes by changing batch_input_shape alone', async () => {
    const resized = await tf.loadLayersModel(
      handler(MODEL_DIR, (json) => {
        json.modelTopology.config.layers[0]!.config.batch_input_shape = [null, 96, 96, 3];
      }),
    );
    expect(resized.getLayer(provenance.mapLayer).outputShape).toEqual([null, 3, 3, 1280]);
    const y = resized.predict(tf.tensor4d(inputImage(1, 96), [1, 96, 96, 3])) as tf.Tensor;
    expect(y.shape).toEqual([1, 1280]);
    const values = await y.data();
    expect(values.every(Number.isFinite)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0);
    resized.dispose();
  });
});
