/**
 * The two bundled photo backbones as in-memory artifacts, read the way the studio gets
 * them: the α=0.35 ImageNet MobileNetV2 from public/models/, the nsfwjs MobileNetV2 1.0
 * unwrapped from its npm package (scripts/bundled-models.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogEntry } from '../../src/model/catalog';
import { readNsfwjsMobileNetV2 } from '../bundled-models';

export interface Backbone {
  /** Catalog id. */
  id: string;
  /** Short name for the table. */
  label: string;
  artifacts: tf.io.ModelArtifacts;
  /** The catalog's feature layer and value range. */
  featureLayer: string;
  valueRange: [number, number];
}

const toArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function fromJson(json: ModelJson, read: (path: string) => Uint8Array): tf.io.ModelArtifacts {
  const bytes = json.weightsManifest.flatMap((g) => g.paths.map(read));
  const all = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bytes) {
    all.set(b, at);
    at += b.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: toArrayBuffer(all),
    format: 'layers-model',
  };
}

function entry(id: string) {
  const e = catalogEntry(id);
  if (!e) throw new Error(`catalog has no "${id}"`);
  return e;
}

/** Keras MobileNetV2 α=0.35 ImageNet (the default photo model), from public/models/. */
export function imagenet035(root: string): Backbone {
  const e = entry('mobilenet-v2-035');
  const dir = join(root, 'public/models/mobilenet-v2-035');
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  return {
    id: e.id,
    label: 'MobileNetV2 α=0.35 ImageNet',
    artifacts: fromJson(json, (p) => readFileSync(join(dir, p))),
    featureLayer: e.featureLayer,
    valueRange: e.valueRange,
  };
}

/** nsfwjs' MobileNetV2 1.0 (uint8-quantised), from the npm package. */
export function nsfwjs100(): Backbone {
  const e = entry('mobilenet-v2');
  const files = readNsfwjsMobileNetV2();
  const json = JSON.parse(files.modelJson) as ModelJson;
  return {
    id: e.id,
    label: 'MobileNetV2 1.0 nsfwjs',
    artifacts: fromJson(json, (p) => {
      const b = files.weights.get(p);
      if (!b) throw new Error(`nsfwjs: no weight file ${p}`);
      return b;
    }),
    featureLayer: e.featureLayer,
    valueRange: e.valueRange,
  };
}
