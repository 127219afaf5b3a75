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
    // Nonsense is ignored, not trusted.
    const bad = parseMetadata(JSON.stringify({ labels: [], imageSize: 'big', valueRange: [1, 0] }));
    expect([bad.labels, bad.imageSize, bad.valueRange]).toEqual([null, null, null]);
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
