/**
 * What a model says about itself beyond its layers: the `metadata.json` that Teachable
 * Machine (and Thaw's own export) writes beside `model.json` — class labels, image size,
 * package fields — and the structures that give a Teachable Machine model away when that
 * file is missing. Teachable Machine's library feeds pixels as x/127 − 1, so a model in
 * its format expects inputs in [-1, 1].
 */
import { parseMetadataJson } from '../domain/formats/metadata';

export const TM_PACKAGE = '@teachablemachine/image';
/** The first layer of a model exported by Thaw: maps Teachable Machine's [-1, 1] input to the network's own. */
export const THAW_INPUT_ADAPTER = 'thaw_input_adapter';

export interface ModelMetadata {
  /** Class names in the order of the model's outputs. */
  labels: string[] | null;
  imageSize: number | null;
  modelName: string | null;
  packageName: string | null;
  packageVersion: string | null;
  tmVersion: string | null;
  /** A pixel range stated outright (not a Teachable Machine field; read when present). */
  valueRange: [number, number] | null;
  /** Written by Teachable Machine's image library, or in its shape: inputs are [-1, 1]. */
  teachableMachine: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: string | null | undefined): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v : null;

/**
 * Parses a metadata.json against its format; throws a sentence naming the file (`where`),
 * the field and what it must be when it is not JSON, not an object, or a field is wrong.
 */
export function parseMetadata(source: string, where = 'metadata.json'): ModelMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (err) {
    throw new Error(`${where} is not valid JSON (${(err as Error).message}).`, { cause: err });
  }
  if (!isObject(raw)) throw new Error(`${where} is not a metadata object.`);
  const json = parseMetadataJson(raw, where);
  const packageName = text(json.packageName);
  const tmVersion = text(json.tmVersion);
  return {
    labels: json.labels && json.labels.length > 0 ? json.labels : null,
    imageSize: json.imageSize ?? null,
    modelName: text(json.modelName),
    packageName,
    packageVersion: text(json.packageVersion),
    tmVersion,
    valueRange: json.valueRange ?? json.userMetadata?.valueRange ?? null,
    teachableMachine: packageName === TM_PACKAGE || tmVersion !== null,
  };
}

interface LayerJson {
  class_name?: unknown;
  name?: unknown;
  config?: unknown;
}

function layersOf(model: LayerJson): LayerJson[] {
  const config = model.config;
  const raw = Array.isArray(config) ? config : isObject(config) ? config.layers : null;
  return Array.isArray(raw) ? (raw.filter(isObject) as LayerJson[]) : [];
}

const layerName = (l: LayerJson) =>
  String((isObject(l.config) ? l.config.name : undefined) ?? l.name ?? '');

/** Every layer name in a topology, nested models included. */
function allNames(model: LayerJson, into = new Set<string>()): Set<string> {
  for (const layer of layersOf(model)) {
    into.add(layerName(layer));
    allNames(layer, into);
  }
  return into;
}

function rootOf(topology: unknown): LayerJson | null {
  if (!isObject(topology)) return null;
  return isObject(topology.model_config) ? topology.model_config : topology;
}

const HEAD_CLASSES = new Set(['Dense', 'Dropout', 'Activation', 'Softmax']);

/**
 * Teachable Machine's image model: a Sequential whose first layer holds a truncated
 * MobileNet (v2 ends in `out_relu`, v1 in `conv_pw_13_relu`) and whose last is a
 * Sequential of dense layers (its head). Read from the nested topology, before expansion.
 */
export function looksLikeTeachableMachine(topology: unknown): boolean {
  const root = rootOf(topology);
  if (!root || root.class_name !== 'Sequential') return false;
  const top = layersOf(root);
  const [base, head] = [top[0], top[top.length - 1]];
  if (top.length < 2 || !base || !head || head.class_name !== 'Sequential') return false;
  const names = allNames(base);
  const mobilenet = names.has('out_relu') || names.has('conv_pw_13_relu');
  const headLayers = layersOf(head);
  return (
    mobilenet &&
    headLayers.length > 0 &&
    headLayers.every((l) => HEAD_CLASSES.has(String(l.class_name))) &&
    headLayers[headLayers.length - 1]?.class_name === 'Dense'
  );
}

/** A model exported by Thaw starts with its input adapter. */
export function hasThawInputAdapter(topology: unknown): boolean {
  const root = rootOf(topology);
  return root ? allNames(root).has(THAW_INPUT_ADAPTER) : false;
}
