import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { artifactsFromFiles, buildModel, defaultFeatureLayer } from './load';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A small layers model's files, as a user would drop them. */
async function modelFiles(): Promise<{ json: Record<string, unknown>; weights: Uint8Array }> {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'conv' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ units: 4, name: 'fc' }),
      tf.layers.dropout({ rate: 0.2, name: 'drop' }),
      tf.layers.dense({ units: 3, name: 'out' }),
      tf.layers.activation({ activation: 'softmax', name: 'softmax' }),
    ],
  });
  let json: Record<string, unknown> = {};
  let weights = new Uint8Array();
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      json = {
        format: 'layers-model',
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }],
      };
      weights = new Uint8Array(a.weightData as ArrayBuffer);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return { json, weights };
}

const file = (name: string, content: string | Uint8Array) =>
  new File([typeof content === 'string' ? content : new Uint8Array(content)], name);

describe('artifactsFromFiles', () => {
  it('loads a dropped model.json with its shard through the same build path', async () => {
    const { json, weights } = await modelFiles();
    const model = await buildModel(
      await artifactsFromFiles([file('model.json', JSON.stringify(json)), file('w.bin', weights)]),
    );
    expect(model.layers.map((l) => l.name)).toEqual([
      'conv',
      'flat',
      'fc',
      'drop',
      'out',
      'softmax',
    ]);
    // "Drop the last fully-connected layer": features come from its input.
    expect(defaultFeatureLayer(model)).toBe('fc');
    model.dispose();
  });

  it('names a missing shard', async () => {
    const { json } = await modelFiles();
    await expect(artifactsFromFiles([file('model.json', JSON.stringify(json))])).rejects.toThrow(
      'Weight file "w.bin" listed in model.json is missing',
    );
  });

  it('names malformed JSON', async () => {
    await expect(
      artifactsFromFiles([file('model.json', '{"format": "layers-model", ')]),
    ).rejects.toThrow(/model\.json is not valid JSON/);
  });

  it('refuses a graph model as not fine-tunable', async () => {
    const graph = {
      format: 'graph-model',
      modelTopology: { node: [], versions: {} },
      weightsManifest: [],
    };
    await expect(artifactsFromFiles([file('model.json', JSON.stringify(graph))])).rejects.toThrow(
      /graph model.*cannot be fine-tuned/,
    );
  });

  it('names a truncated shard', async () => {
    const { json, weights } = await modelFiles();
    await expect(
      artifactsFromFiles([
        file('model.json', JSON.stringify(json)),
        file('w.bin', weights.slice(0, 10)),
      ]),
    ).rejects.toThrow(/truncated/);
  });

  it('asks for model.json when only weights are dropped', async () => {
    await expect(artifactsFromFiles([file('w.bin', new Uint8Array(4))])).rejects.toThrow(
      'No model.json',
    );
  });
});
