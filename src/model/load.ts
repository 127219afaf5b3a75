/**
 * One loader path for every model: a tfjs layers `model.json` and its weight shards —
 * fetched from a URL (bundled, remote or pasted) or read from dropped files — become
 * in-memory artifacts, checked, then built into a `LayersModel` on the current backend.
 * Keeping the artifacts lets the same network be rebuilt fresh for every run, on any
 * backend, at any input size, without a second download.
 */
import * as tf from '@tensorflow/tfjs';

/** A remote model that has not answered by then has failed (offline, blocked, …). */
/** A network's files in memory (topology, weight specs, weights), and the network built from them. */
export type ModelArtifacts = tf.io.ModelArtifacts;
export type Network = tf.LayersModel;

export const FETCH_TIMEOUT_MS = 10_000;

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Checks that a parsed model.json is a trainable layers model; names the problem if not. */
export function checkModelJson(json: unknown, where: string): asserts json is Required<ModelJson> {
  if (typeof json !== 'object' || json === null)
    throw new Error(`${where} is not a model.json object.`);
  const m = json as ModelJson;
  const topology = m.modelTopology as Record<string, unknown> | undefined;
  if (m.format === 'graph-model' || (topology && 'node' in topology)) {
    throw new Error(
      `${where} is a graph model (a frozen TensorFlow graph). It can run but cannot be fine-tuned: Thaw needs a layers model.`,
    );
  }
  if (!topology || !('model_config' in topology || 'class_name' in topology)) {
    throw new Error(`${where} has no Keras layers topology ("modelTopology.model_config").`);
  }
  if (!Array.isArray(m.weightsManifest))
    throw new Error(`${where} has no "weightsManifest" listing its weight files.`);
}

function fetchWithTimeout(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
  return fetch(input, { ...init, signal: controller.signal }).finally(() => clearTimeout(timer));
}

/** Fetches a layers model's files from a URL. Fails within seconds, with a message that names the problem. */
export async function fetchModelArtifacts(url: string): Promise<tf.io.ModelArtifacts> {
  let json: unknown;
  try {
    const res = await fetchWithTimeout(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new Error(`model.json is not valid JSON (${(err as Error).message})`, { cause: err });
    }
  } catch (err) {
    const reason =
      (err as Error).name === 'AbortError'
        ? `no answer within ${FETCH_TIMEOUT_MS / 1000} s`
        : (err as Error).message;
    const crossOrigin =
      typeof location !== 'undefined' && new URL(url, location.href).origin !== location.origin;
    const offline = /Failed to fetch|NetworkError|no answer/i.test(reason)
      ? crossOrigin
        ? ' — are you offline, or does that server refuse other sites? It must answer with Access-Control-Allow-Origin (and, for this isolated page, may not send Cross-Origin-Resource-Policy: same-origin).'
        : ' — are you offline?'
      : '';
    throw new Error(`Could not load the model from ${url}: ${reason}${offline}`, { cause: err });
  }
  checkModelJson(json, url);
  const handler = tf.io.http(url, { fetchFunc: fetchWithTimeout });
  try {
    return await (handler.load as () => Promise<tf.io.ModelArtifacts>)();
  } catch (err) {
    throw new Error(`Could not load the weights of ${url}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The name of the file beside model.json that Teachable Machine (and Thaw) export with it. */
export const METADATA_FILE = 'metadata.json';

/** The model's JSON among dropped files: model.json, else any .json that is not the metadata. */
export function modelJsonFile(files: readonly File[]): File | undefined {
  return (
    files.find((f) => f.name === 'model.json') ??
    files.find((f) => f.name.endsWith('.json') && f.name !== METADATA_FILE)
  );
}

/** The text of a dropped metadata.json, or null when none was dropped. */
export async function metadataFromFiles(files: readonly File[]): Promise<string | null> {
  const file = files.find((f) => f.name === METADATA_FILE);
  return file ? await file.text() : null;
}

/**
 * The text of the metadata.json beside a model.json URL, or null when there is none
 * (404, or a page instead of a file). Never fails: the model loads without it.
 */
export async function fetchMetadata(modelUrl: string): Promise<string | null> {
  try {
    const res = await fetchWithTimeout(new URL(METADATA_FILE, modelUrl).href);
    if (!res.ok || /text\/html/i.test(res.headers.get('content-type') ?? '')) return null;
    return await res.text();
  } catch {
    return null;
  }
}

/** Reads a dropped model.json and its weight shards (matched by file name). */
export async function artifactsFromFiles(files: readonly File[]): Promise<tf.io.ModelArtifacts> {
  const jsonFile = modelJsonFile(files);
  if (!jsonFile) throw new Error('No model.json among the dropped files.');
  let json: unknown;
  try {
    json = JSON.parse(await jsonFile.text());
  } catch (err) {
    throw new Error(`${jsonFile.name} is not valid JSON (${(err as Error).message}).`, {
      cause: err,
    });
  }
  checkModelJson(json, jsonFile.name);
  const byName = new Map(files.map((f) => [f.name, f]));
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    for (const path of group.paths) {
      const name = path.split('/').pop() ?? path;
      const file = byName.get(name);
      if (!file)
        throw new Error(
          `Weight file "${name}" listed in ${jsonFile.name} is missing: drop it together with ${jsonFile.name}.`,
        );
      buffers.push(await file.arrayBuffer());
    }
  }
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const weightData = tf.io.concatenateArrayBuffers(buffers);
  const expected = weightSpecs.reduce((n, w) => n + byteSize(w), 0);
  if (weightData.byteLength < expected) {
    throw new Error(
      `The weight files hold ${weightData.byteLength} bytes but ${jsonFile.name} lists ${expected}: a shard is truncated or from another model.`,
    );
  }
  return {
    modelTopology: json.modelTopology as object,
    weightSpecs,
    weightData,
    format: 'layers-model',
  };
}

function byteSize(w: tf.io.WeightsManifestEntry): number {
  const n = w.shape.reduce((a, d) => a * d, 1);
  const q = w.quantization?.dtype;
  const bytes =
    q === 'uint8' ? 1 : q === 'uint16' || q === 'float16' ? 2 : w.dtype === 'bool' ? 1 : 4;
  return n * bytes;
}

/** Builds a model from artifacts on the active backend. */
export async function buildModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new Error(`The model could not be built: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The layer to take features from when nothing else is known: the input of the final
 * fully-connected layer (trailing activations and dropout skipped) — "drop the last
 * fully-connected layer and use the rest as a fixed feature extractor".
 */
export function defaultFeatureLayer(model: tf.LayersModel): string {
  const layers = model.layers;
  let i = layers.length - 1;
  const skip = (names: string[]) => {
    while (i > 0 && names.includes(layers[i]!.getClassName())) i--;
  };
  skip(['Activation', 'Softmax', 'Dropout']);
  if (layers[i]?.getClassName() === 'Dense') i--;
  skip(['Dropout']);
  return layers[Math.max(0, i)]!.name;
}

const HEAD_CLASSES = new Set(['Dense', 'Dropout', 'Activation', 'Softmax']);

/**
 * The layer just before a classifier head of dense layers (a Teachable Machine or Keras
 * export: base → pooled features → Dense … → Dense): the base's own features rather than
 * a hidden layer of the old head. Null when the model does not end in such a head.
 */
export function featureLayerBeforeHead(model: tf.LayersModel): string | null {
  const layers = model.layers;
  let i = layers.length - 1;
  let dense = 0;
  while (i > 0 && HEAD_CLASSES.has(layers[i]!.getClassName())) {
    if (layers[i]!.getClassName() === 'Dense') dense++;
    i--;
  }
  const layer = layers[i];
  if (dense === 0 || !layer || layer.getClassName() === 'InputLayer') return null;
  return layer.name;
}
