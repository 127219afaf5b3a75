/** The bundled photo backbone works with the studio's graph, cut points, plans and resizing. */
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogEntry, DEFAULT_MODEL_ID } from './catalog';
import { layerGraph } from './graph';
import { buildModel } from './load';
import { applyPlan } from './plan';
import { resizeArtifacts } from './resize';

const DIR = join(__dirname, '../../public/models/mobilenet-v2-035');

function artifacts(): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(join(DIR, 'model.json'), 'utf8'));
  const bin = readFileSync(join(DIR, 'weights.bin'));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap(
      (g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights,
    ),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    format: 'layers-model',
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('photo backbone (MobileNetV2 α=0.35, ImageNet)', () => {
  it('is the default model and its card names the hash of the file it serves', () => {
    expect(DEFAULT_MODEL_ID).toBe('mobilenet-v2-035');
    const card = catalogEntry(DEFAULT_MODEL_ID)!;
    const sha = createHash('sha256')
      .update(readFileSync(join(DIR, 'weights.bin')))
      .digest('hex');
    expect(card.provenance.join(' ')).toContain(sha.slice(0, 16));
    expect(card.valueRange).toEqual([-1, 1]);
  });

  it('has block boundaries at block_N_add, none inside a residual block, and the feature layer is a cut point', async () => {
    const model = await buildModel(artifacts());
    const graph = layerGraph(model);
    const cut = Object.fromEntries(graph.steps.map((s, i) => [s.layer.name, graph.cut[i]]));
    for (const n of [2, 4, 5, 7, 8, 9, 11, 12, 14, 15]) expect(cut[`block_${n}_add`]).toBe(true);
    expect(cut['block_2_project_BN']).toBe(false); // a skip connection crosses it
    expect(cut['block_16_project_BN']).toBe(true); // block 16 has no residual
    expect(cut['out_relu']).toBe(true);
    expect(cut['global_average_pooling2d']).toBe(true);
    expect(model.countParams()).toBe(410_208);
    // Fine-tuning block 16: its conv and BatchNorm scales train, moving statistics never.
    const groups = applyPlan(model.layers, {
      block_16_expand: 'fine-tune',
      block_16_expand_BN: 'fine-tune',
    });
    expect(groups.fineTune.map((v) => v.name.replace(/_\d+$/, '')).sort()).toEqual([
      'block_16_expand/kernel',
      'block_16_expand_BN/beta',
      'block_16_expand_BN/gamma',
    ]);
    model.dispose();
  });

  it('rebuilds for 96 px with the same weights: 1280 features from a 3×3 map', async () => {
    const model = await buildModel(resizeArtifacts(artifacts(), 96));
    const out = tf.tidy(() => model.predict(tf.zeros([1, 96, 96, 3])) as tf.Tensor);
    expect(out.shape).toEqual([1, 1280]);
    expect(model.getLayer('out_relu').outputShape).toEqual([null, 3, 3, 1280]);
    out.dispose();
    model.dispose();
  });
});
