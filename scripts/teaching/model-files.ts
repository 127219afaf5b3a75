/**
 * Writes and reads a tfjs layers model as standard files (`model.json` + `weights.bin`)
 * without tfjs-node: the artifacts come from a custom save handler, and reading goes
 * through `tf.io.fromMemory`, the same path the studio's loader takes for any URL.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WEIGHTS_FILE = 'weights.bin';

export interface ModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Serialises a model into the `model.json` object and the bytes of its one weight file. */
export async function modelFiles(
  model: tf.LayersModel,
): Promise<{ modelJson: ModelJson; weights: Uint8Array }> {
  let files: { modelJson: ModelJson; weights: Uint8Array } | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || !artifacts.weightSpecs || !artifacts.weightData)
        throw new Error('model.save gave no topology or weights');
      const modelJson: ModelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology as object,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      };
      files = {
        modelJson,
        weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!files) throw new Error('model.save did not call the save handler');
  return files;
}

/** Writes `model.json` and `weights.bin` into `dir` (created if missing). */
export async function writeModel(
  model: tf.LayersModel,
  dir: string,
): Promise<{ modelJson: ModelJson; weights: Uint8Array }> {
  const files = await modelFiles(model);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(files.modelJson) + '\n');
  writeFileSync(join(dir, WEIGHTS_FILE), files.weights);
  return files;
}

/** Loads a model written by `writeModel` (one weights group, file names relative to `dir`). */
export async function readModel(dir: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const buffers = json.weightsManifest.flatMap((g) =>
    g.paths.map((p) => readFileSync(join(dir, p))),
  );
  const bytes = Buffer.concat(buffers);
  const weightData = bytes.buffer.slice(
    bytes.byteOffset,
    bytes.byteOffset + bytes.byteLength,
  ) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
  );
}
