import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasThawInputAdapter, looksLikeTeachableMachine, parseMetadata } from './metadata';

const TM_DIR = 'scripts/tm-backbone/export-sample';
const topologyOf = (path: string) =>
  (JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: unknown }).modelTopology;

describe('parseMetadata', () => {
  it("reads a Teachable Machine export's labels, image size and package fields", () => {
    const m = parseMetadata(readFileSync(`${TM_DIR}/metadata.json`, 'utf8'));
    expect(m.labels).toEqual([
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
    expect(m.imageSize).toBe(224);
    expect(m.modelName).toBe('tm-my-image-model');
    expect(m.packageName).toBe('@teachablemachine/image');
    expect(m.tmVersion).toBe('2.4.5');
    expect(m.teachableMachine).toBe(true);
    expect(m.valueRange).toBeNull();
  });

  it('takes a stated value range, and knows a file without package fields is not Teachable Machine', () => {
    const m = parseMetadata(JSON.stringify({ labels: ['a', 'b'], valueRange: [0, 255] }));
    expect(m.teachableMachine).toBe(false);
    expect(m.valueRange).toEqual([0, 255]);
    expect(
      parseMetadata(JSON.stringify({ userMetadata: { valueRange: [-1, 1] } })).valueRange,
    ).toEqual([-1, 1]);
    const none = parseMetadata(JSON.stringify({ labels: [], imageSize: null }));
    expect([none.labels, none.imageSize, none.valueRange]).toEqual([null, null, null]);
  });

  it('refuses a field that is not what the format says, naming the file, field and range', () => {
    const refused = (json: unknown) => () =>
      parseMetadata(JSON.stringify(json), 'my/metadata.json');
    expect(refused({ imageSize: 'big' })).toThrow(
      '"my/metadata.json": imageSize must be a whole number between 8 and 4096 (got "big").',
    );
    expect(refused({ imageSize: 1e9 })).toThrow(
      'imageSize must be between 8 and 4096 (got 1000000000)',
    );
    expect(refused({ imageSize: -5 })).toThrow('imageSize must be between 8 and 4096 (got -5)');
    expect(refused({ imageSize: 0 })).toThrow('imageSize must be between 8 and 4096 (got 0)');
    expect(refused({ valueRange: [1, 0] })).toThrow('valueRange must have low < high');
    expect(refused({ valueRange: ['0', 255] })).toThrow('valueRange[0] must be a number (got "0")');
    expect(refused({ labels: 'cat,dog' })).toThrow('labels must be a list (got "cat,dog")');
    expect(refused({ labels: [['cat']] })).toThrow('labels[0] must be text (got a list of 1)');
    expect(refused({ modelName: 'm'.repeat(10 * 2 ** 20) })).toThrow(
      'modelName must be text of at most 1000 characters (got text of 10485760 characters)',
    );
    expect(refused({ userMetadata: { valueRange: [0] } })).toThrow(
      '"my/metadata.json": userMetadata.valueRange[1] is missing.',
    );
    expect(() => parseMetadata('{"imageSize": 1e999}')).toThrow(
      'imageSize must be a whole number between 8 and 4096 (got Infinity)',
    );
  });

  it('ignores __proto__ keys without polluting any prototype', () => {
    const m = parseMetadata('{"__proto__": {"polluted": "yes"}, "labels": ["a", "b"]}');
    expect(m.labels).toEqual(['a', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names a file that is not JSON or not an object', () => {
    expect(() => parseMetadata('{"labels": [', 'metadata.json')).toThrow(
      /metadata\.json is not valid JSON/,
    );
    expect(() => parseMetadata('[1, 2]')).toThrow(/not a metadata object/);
  });
});

describe('recognising a model by its structure', () => {
  it('recognises a Teachable Machine image model without its metadata', () => {
    expect(looksLikeTeachableMachine(topologyOf(`${TM_DIR}/model.json`))).toBe(true);
  });

  it('does not take a flat MobileNetV2 or a small CNN for one', () => {
    expect(looksLikeTeachableMachine(topologyOf('public/models/mobilenet-v2-035/model.json'))).toBe(
      false,
    );
    expect(looksLikeTeachableMachine(topologyOf('public/models/teaching-cnn/model.json'))).toBe(
      false,
    );
    expect(looksLikeTeachableMachine(null)).toBe(false);
  });

  it("finds Thaw's input adapter, nested or not", () => {
    const topology = {
      class_name: 'Model',
      config: {
        layers: [
          { name: 'image', class_name: 'InputLayer', config: { name: 'image' } },
          {
            name: 'thaw_input_adapter',
            class_name: 'Conv2D',
            config: { name: 'thaw_input_adapter' },
          },
        ],
      },
    };
    expect(hasThawInputAdapter(topology)).toBe(true);
    expect(hasThawInputAdapter(topologyOf(`${TM_DIR}/model.json`))).toBe(false);
  });
});
