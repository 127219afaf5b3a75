import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './load';
import { completeCard, resolveSource } from './sources';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const TM_DIR = 'scripts/tm-backbone/export-sample';
const fileOf = (dir: string, name: string, as = name) =>
  new File([new Uint8Array(readFileSync(`${dir}/${name}`))], as, { lastModified: 1 });

/** Resolves dropped files and finishes the card as the load-model job does. */
async function open(files: File[], valueRange?: [number, number]) {
  const resolved = await resolveSource({ kind: 'files', files }, valueRange);
  const native = await buildModel(resolved.artifacts);
  try {
    return {
      ...resolved,
      card: completeCard(resolved.card, native, resolved.hints),
      native: native.layers.map((l) => l.name),
    };
  } finally {
    native.dispose();
  }
}

describe('a Teachable Machine export, dropped with its metadata.json', () => {
  it('opens into its inner layers with [-1, 1], pooled features and its classes as the source task', async () => {
    // metadata.json first: the model's JSON is still found by name.
    const { card, native } = await open([
      fileOf(TM_DIR, 'metadata.json'),
      fileOf(TM_DIR, 'model.json'),
      fileOf(TM_DIR, 'weights.bin'),
    ]);
    expect(native[0]).toBe('input_1');
    expect(native).toHaveLength(158);
    expect(card.valueRange).toEqual([-1, 1]);
    expect(card.valueRangeFrom).toBe('metadata');
    expect(card.featureLayer).toBe('global_average_pooling2d_GlobalAveragePooling2D4');
    expect(card.sourceClasses).toEqual([
      'one',
      'two',
      'nothing',
      'three',
      'four',
      'five',
      'six',
      'seven',
      'eight',
      'nine',
    ]);
    expect(card.inputSize).toBe(224);
    expect(card.channels).toBe(3);
    expect(card.resolutions).toEqual([96, 128, 160, 192, 224]);
    expect(card.name).toBe('tm-my-image-model (yours)');
    expect(card.provenanceSummary).toMatch(
      /^A Teachable Machine image model, from dropped files\. Pixels in \[-1, 1\]/,
    );
    expect(card.provenance.join(' ')).toMatch(
      /sequential_13: 156 layers, sequential_15: 2 layers; holding model4/,
    );
  }, 60_000);

  it('is recognised by its structure when metadata.json is missing', async () => {
    const { card } = await open([fileOf(TM_DIR, 'model.json'), fileOf(TM_DIR, 'weights.bin')]);
    expect(card.valueRange).toEqual([-1, 1]);
    expect(card.valueRangeFrom).toBe('recognised');
    expect(card.featureLayer).toBe('global_average_pooling2d_GlobalAveragePooling2D4');
    expect(card.sourceClasses).toBeUndefined();
  }, 60_000);

  it('ignores labels that do not fit the outputs, and says so', async () => {
    const meta = new File(
      [JSON.stringify({ tmVersion: '2.4.5', labels: ['a', 'b'] })],
      'metadata.json',
    );
    const { card } = await open([
      meta,
      fileOf(TM_DIR, 'model.json'),
      fileOf(TM_DIR, 'weights.bin'),
    ]);
    expect(card.sourceClasses).toBeUndefined();
    expect(card.provenance.join(' ')).toMatch(/names 2 classes but the network has 10 outputs/);
  }, 60_000);
});

describe("a user's model without metadata", () => {
  const CNN = 'public/models/teaching-cnn';

  it('keeps the cautious card: [0, 1] assumed and the user asked, features before the last dense layer', async () => {
    const { card } = await open([fileOf(CNN, 'model.json'), fileOf(CNN, 'weights.bin')]);
    expect(card.valueRange).toEqual([0, 1]);
    expect(card.valueRangeFrom).toBe('assumed');
    expect(card.provenanceSummary).toMatch(
      /Pixel range unknown: \[0, 1\] assumed — choose it under Pixel range/,
    );
    expect(card.featureLayer).toBe('fc');
    expect(card.id).toMatch(/^custom-[0-9a-z]+$/);
  });

  it("takes the user's pixel range and keeps the same id for the same files", async () => {
    const files = [fileOf(CNN, 'model.json'), fileOf(CNN, 'weights.bin')];
    const first = await open(files);
    const again = await open(files, [-1, 1]);
    expect(again.card.valueRange).toEqual([-1, 1]);
    expect(again.card.valueRangeFrom).toBe('user');
    expect(again.card.id).toBe(first.card.id);
    const other = await open([fileOf(TM_DIR, 'model.json'), fileOf(TM_DIR, 'weights.bin')]);
    expect(other.card.id).not.toBe(first.card.id);
  }, 60_000);

  it('notes a metadata.json that is not JSON and loads the model anyway', async () => {
    const { card } = await open([
      fileOf(CNN, 'model.json'),
      fileOf(CNN, 'weights.bin'),
      new File(['{oops'], 'metadata.json'),
    ]);
    expect(card.provenance.join(' ')).toMatch(/metadata\.json is not valid JSON.*ignored/);
    expect(card.valueRangeFrom).toBe('assumed');
  });
});

describe('a model exported by Thaw', () => {
  /** The export's shape: input adapter, the network as a nested model, pooling, the new head. */
  async function thawExport(): Promise<File[]> {
    const x = tf.input({ shape: [16, 16, 3], name: 'input_1' });
    const c = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' })
      .apply(x);
    const r = tf.layers.reLU({ name: 'conv_relu' }).apply(c) as tf.SymbolicTensor;
    const backbone = tf.model({ inputs: x, outputs: r, name: 'thaw_backbone' });
    const image = tf.input({ shape: [16, 16, 3], name: 'image' });
    let y = tf.layers
      .conv2d({ filters: 3, kernelSize: 1, name: 'thaw_input_adapter', trainable: false })
      .apply(image) as tf.SymbolicTensor;
    y = backbone.apply(y) as tf.SymbolicTensor;
    y = tf.layers.globalAveragePooling2d({ name: 'thaw_pool' }).apply(y) as tf.SymbolicTensor;
    y = tf.layers
      .dense({ units: 2, activation: 'softmax', name: 'thaw_head' })
      .apply(y) as tf.SymbolicTensor;
    const model = tf.model({ inputs: image, outputs: y, name: 'thaw_classifier' });
    const files: File[] = [];
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        const json = {
          format: 'layers-model',
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        };
        files.push(new File([JSON.stringify(json)], 'model.json'));
        files.push(new File([a.weightData as ArrayBuffer], 'weights.bin'));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    model.dispose();
    return files;
  }

  it('opens like a Teachable Machine model: inner layers, [-1, 1], pooled features, its classes kept', async () => {
    const files = await thawExport();
    const meta = {
      packageName: '@teachablemachine/image',
      modelName: 'my-run',
      labels: ['cat', 'dog'],
      imageSize: 16,
    };
    const { card, native } = await open([
      ...files,
      new File([JSON.stringify(meta)], 'metadata.json'),
    ]);
    expect(native).toEqual([
      'image',
      'thaw_input_adapter',
      'conv',
      'conv_relu',
      'thaw_pool',
      'thaw_head',
    ]);
    expect(card.valueRange).toEqual([-1, 1]);
    expect(card.featureLayer).toBe('thaw_pool');
    expect(card.sourceClasses).toEqual(['cat', 'dog']);
    expect(card.inputSize).toBe(16);
    // Without its metadata the adapter still gives it away.
    const bare = await open(files);
    expect(bare.card.valueRange).toEqual([-1, 1]);
    expect(bare.card.valueRangeFrom).toBe('recognised');
  });
});
