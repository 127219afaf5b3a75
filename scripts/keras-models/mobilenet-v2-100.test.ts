// The bundled MobileNetV2 α=1.0 (public/models/mobilenet-v2-100/): the files its card names,
// the numbers of an independent numpy forward pass, and the α=0.35 network's layer names, so
// every block, cut and plan of the studio applies to it unchanged.
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogEntry, DEFAULT_MODEL_ID } from '../../src/model/catalog';
import { layerGraph } from '../../src/model/graph';
import { buildModel } from '../../src/model/load';
import { applyPlan } from '../../src/model/plan';
import { resizeArtifacts } from '../../src/model/resize';
import { groupBlocks, type BlockLayer } from '../../src/strategy/blocks';
import m035 from '../../src/strategy/fixtures/mobilenet-v2-035-layers.json';
import m100 from '../../src/strategy/fixtures/mobilenet-v2-100-layers.json';

const MODELS = join(__dirname, '../../public/models');
const DIR = join(MODELS, 'mobilenet-v2-100');

interface ModelJson {
  modelTopology: { config: { layers: { name: string; class_name: string }[] } };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}
interface Reference {
  input: { seeds: number[]; shape: number[] };
  outputs: { seed: number; first32: number[]; sum: number; size: number }[];
}

const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const sha256 = (buf: Uint8Array) => createHash('sha256').update(buf).digest('hex');

function artifacts(dir = DIR): tf.io.ModelArtifacts {
  const json = readJson<ModelJson>(join(dir, 'model.json'));
  const bin = readFileSync(join(dir, 'weights.bin'));
  return {
    modelTopology: json.modelTopology as unknown as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
    format: 'layers-model',
  };
}

/** Same generator as scripts/tm-backbone and reference.py: mulberry32(seed), 2u − 1, HWC. */
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

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('MobileNetV2 α=1.0 (ImageNet), bundled', () => {
  it('is in the catalog, not the default, and its card and provenance name the files served', () => {
    const card = catalogEntry('mobilenet-v2-100')!;
    expect(card).toMatchObject({
      name: 'MobileNetV2 1.0 (ImageNet)',
      source: 'bundled',
      url: '/models/mobilenet-v2-100/model.json',
      inputSize: 224,
      valueRange: [-1, 1],
      featureLayer: 'global_average_pooling2d',
    });
    expect(DEFAULT_MODEL_ID).toBe('mobilenet-v2-035');
    expect(catalogEntry('mobilenet-v2')).toBeDefined(); // nsfwjs' network stays available
    const weights = readFileSync(join(DIR, 'weights.bin'));
    const prov = readJson<{ sha256: Record<string, string>; parameters: number }>(
      join(DIR, 'provenance.json'),
    );
    expect(prov.sha256['weights.bin']).toBe(sha256(weights));
    expect(prov.sha256['model.json']).toBe(sha256(readFileSync(join(DIR, 'model.json'))));
    expect(card.provenance.join(' ')).toContain(sha256(weights).slice(0, 16));
    expect(card.provenance.join(' ')).toContain(prov.parameters.toLocaleString('en-US'));
  });

  it('has the layer names and kinds of the α=0.35 network, layer for layer', () => {
    const layers = (dir: string) =>
      readJson<ModelJson>(join(MODELS, dir, 'model.json')).modelTopology.config.layers.map(
        (l) => `${l.name}:${l.class_name}`,
      );
    expect(layers('mobilenet-v2-100')).toEqual(layers('mobilenet-v2-035'));
  });

  it('computes the features of a numpy forward pass over the source checkpoint tensors', async () => {
    const ref = readJson<Reference>(join(__dirname, 'reference.json'));
    const model = await buildModel(artifacts());
    expect(model.countParams()).toBe(2_257_984);
    for (const { seed, first32, sum, size } of ref.outputs) {
      const out = tf.tidy(() => {
        const x = tf.tensor4d(inputImage(seed), [1, 224, 224, 3]);
        return model.predict(x) as tf.Tensor;
      });
      const values = out.dataSync();
      out.dispose();
      expect(values.length).toBe(size);
      let total = 0;
      for (const v of values) total += v;
      expect(total).toBeCloseTo(sum, 0);
      first32.forEach((v, i) => expect(Math.abs(values[i]! - v)).toBeLessThan(1e-3));
    }
    model.dispose();
  });

  it('has block boundaries at block_N_add, plans that train only what they name, and rebuilds at 96 px', async () => {
    const before = tf.memory().numTensors;
    const model = await buildModel(artifacts());
    const graph = layerGraph(model);
    const cut = Object.fromEntries(graph.steps.map((s, i) => [s.layer.name, graph.cut[i]]));
    for (const n of [2, 4, 5, 7, 8, 9, 11, 12, 14, 15]) expect(cut[`block_${n}_add`]).toBe(true);
    expect(cut['block_2_project_BN']).toBe(false);
    expect(cut['out_relu']).toBe(true);
    const groups = applyPlan(model.layers, { Conv_1: 'fine-tune', Conv_1_bn: 'fine-tune' });
    expect(groups.fineTune.map((v) => v.name.replace(/_\d+$/, '')).sort()).toEqual([
      'Conv_1/kernel',
      'Conv_1_bn/beta',
      'Conv_1_bn/gamma',
    ]);
    model.dispose();
    const small = await buildModel(resizeArtifacts(artifacts(), 96));
    const out = tf.tidy(() => small.predict(tf.zeros([1, 96, 96, 3])) as tf.Tensor);
    expect(out.shape).toEqual([1, 1280]);
    expect(small.getLayer('out_relu').outputShape).toEqual([null, 3, 3, 1280]);
    out.dispose();
    small.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('falls into the same blocks as the α=0.35 network, with its own sizes (layer-list fixture)', () => {
    const blocks = (layers: unknown) =>
      groupBlocks(layers as BlockLayer[]).map((b) => [b.name, b.first, b.last] as const);
    expect(blocks(m100)).toEqual(blocks(m035));
    const top = groupBlocks(m100 as BlockLayer[]);
    expect(top.reduce((sum, b) => sum + b.params, 0)).toBe(2_257_984);
    expect(top.at(-1)!.outputShape).toBe('1280');
  });

  it('comes back byte for byte from its converter, which also rebuilds the α=0.35 topology', () => {
    // The Python the runner tests use: $THAW_PYTHON, else Debian's (numpy comes with torch).
    const python =
      process.env.THAW_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
    const run = spawnSync(python, [join(__dirname, 'convert.py'), '--self-test'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('α=0.35 topology equals the bundled model: True');
    expect(run.stdout).toContain('npy round trip: equal');
    expect(run.status).toBe(0);
  });
});
