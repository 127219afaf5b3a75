/**
 * Opens nested models. Teachable Machine and Keras exports are a `Sequential` (or
 * functional model) whose layers are themselves models — a functional MobileNet, a
 * `Sequential` head — so tfjs lists them as two or three opaque layers. Here the topology
 * JSON is rewritten into one flat functional model whose layers are the inner layers,
 * each with its own name, so every inner layer gets its own mode, cut points and block
 * boundaries. Only the JSON changes: the weight buffer is shared, and since tfjs names a
 * weight `<layer>/<weight>`, the weight specs still match the flat model's layers.
 */
import type * as tf from '@tensorflow/tfjs';

type Json = Record<string, unknown>;

interface LayerJson {
  class_name: string;
  config: Json;
  name?: string;
  inbound_nodes?: unknown;
}

/** A reference to a tensor in the flat model: [layer, node index, tensor index]. */
type Ref = [string, number, number];

interface FlatLayer {
  name: string;
  class_name: string;
  config: Json;
  inbound_nodes: unknown[][][];
}

/** One model that was opened, with the names of the flat layers it held (nested ones included). */
export interface OpenedModel {
  name: string;
  className: string;
  /** How deep it sat: 1 = a layer of the top-level model. */
  depth: number;
  layers: string[];
}

export interface Expansion {
  artifacts: tf.io.ModelArtifacts;
  /** The nested models that were opened, in the order they were met (outermost first). */
  opened: OpenedModel[];
  /** Why a nested model was left as it is (null when it was opened or had nothing nested). */
  keptNested: string | null;
}

const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);

/** A nested structure this expansion cannot flatten; the model is then left as it is. */
class NotExpandable extends Error {}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function isLayerJson(v: unknown): v is LayerJson {
  return isObject(v) && typeof v.class_name === 'string' && isObject(v.config);
}

const isContainer = (layer: LayerJson) => CONTAINERS.has(layer.class_name);

function nameOf(layer: LayerJson): string {
  const name = layer.config.name ?? layer.name;
  if (typeof name !== 'string' || name === '')
    throw new NotExpandable(`a ${layer.class_name} layer has no name`);
  return name;
}

/** The layer list of a Sequential (`config.layers`, or `config` itself in old Keras files). */
function sequentialLayers(model: LayerJson): LayerJson[] {
  const raw: unknown = Array.isArray(model.config) ? model.config : model.config.layers;
  if (!Array.isArray(raw) || !raw.every(isLayerJson))
    throw new NotExpandable(`${String(model.config.name)} has no layer list`);
  return raw;
}

function functionalLayers(model: LayerJson): LayerJson[] {
  const raw = model.config.layers;
  if (!Array.isArray(raw) || !raw.every(isLayerJson))
    throw new NotExpandable(`${String(model.config.name)} has no layer list`);
  return raw;
}

/** `input_layers` / `output_layers`: [[name, node, tensor], …] (or one triple). */
function endpoints(value: unknown, what: string): [string, number, number][] {
  if (!Array.isArray(value)) throw new NotExpandable(`no ${what}`);
  const list = typeof value[0] === 'string' ? [value] : value;
  return list.map((e: unknown) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string') throw new NotExpandable(`bad ${what}`);
    return [e[0], Number(e[1] ?? 0), Number(e[2] ?? 0)];
  });
}

function hasNested(model: LayerJson): boolean {
  try {
    const layers =
      model.class_name === 'Sequential' ? sequentialLayers(model) : functionalLayers(model);
    return layers.some(isContainer);
  } catch {
    return false;
  }
}

const INPUT_SHAPE_KEYS = [
  'batch_input_shape',
  'batchInputShape',
  'input_shape',
  'inputShape',
  'batch_shape',
];

/** A layer config without the input shape that only a model's first layer uses. */
function withoutInputShape(config: Json): Json {
  const copy = structuredClone(config);
  for (const key of INPUT_SHAPE_KEYS) delete copy[key];
  return copy;
}

class FlatBuilder {
  layers: FlatLayer[] = [];
  inputs: Ref[] = [];
  opened: OpenedModel[] = [];
  private names = new Set<string>();

  emit(layer: FlatLayer): Ref {
    if (this.names.has(layer.name))
      throw new NotExpandable(`two inner layers are both named "${layer.name}"`);
    this.names.add(layer.name);
    this.layers.push(layer);
    return [layer.name, 0, 0];
  }

  /** An input layer for a model whose first layer declares its input shape. */
  emitInput(name: string, config: Json): Ref {
    const shape =
      config.batch_input_shape ??
      config.batch_shape ??
      (Array.isArray(config.input_shape) ? [null, ...(config.input_shape as unknown[])] : null);
    if (!Array.isArray(shape)) throw new NotExpandable(`${name} declares no input shape`);
    const ref = this.emit({
      name,
      class_name: 'InputLayer',
      config: {
        batch_input_shape: shape,
        dtype: config.dtype ?? 'float32',
        sparse: config.sparse ?? false,
        name,
      },
      inbound_nodes: [],
    });
    this.inputs.push(ref);
    return ref;
  }

  /** Expands any model; `inputs` are the flat tensors it reads (null at the very start). */
  model(model: LayerJson, inputs: Ref[] | null, depth: number): Ref[] {
    const start = this.layers.length;
    const entry: OpenedModel = {
      name: nameOf(model),
      className: model.class_name,
      depth,
      layers: [],
    };
    if (depth > 0) this.opened.push(entry);
    const outputs =
      model.class_name === 'Sequential'
        ? [this.sequential(model, inputs?.[0] ?? null, depth)]
        : this.functional(model, inputs, depth);
    entry.layers = this.layers.slice(start).map((l) => l.name);
    return outputs;
  }

  private plain(layer: LayerJson, inbound: unknown[][]): Ref {
    const name = nameOf(layer);
    return this.emit({
      name,
      class_name: layer.class_name,
      config: { ...withoutInputShape(layer.config), name },
      inbound_nodes: [inbound],
    });
  }

  private sequential(model: LayerJson, input: Ref | null, depth: number): Ref {
    let current = input;
    for (const layer of sequentialLayers(model)) {
      if (layer.class_name === 'InputLayer') {
        current ??= this.emitInput(nameOf(layer), layer.config);
        continue;
      }
      if (isContainer(layer)) {
        const outs = this.model(layer, current ? [current] : null, depth + 1);
        if (outs.length !== 1)
          throw new NotExpandable(
            `${nameOf(layer)} has ${outs.length} outputs inside a Sequential`,
          );
        current = outs[0]!;
        continue;
      }
      current ??= this.emitInput(`${nameOf(layer)}_input`, layer.config);
      current = this.plain(layer, [[...current, {}]]);
    }
    if (!current) throw new NotExpandable(`${nameOf(model)} is empty`);
    return current;
  }

  private functional(model: LayerJson, inputs: Ref[] | null, depth: number): Ref[] {
    const layers = functionalLayers(model);
    const inputLayers = endpoints(model.config.input_layers, 'input_layers');
    const outputLayers = endpoints(model.config.output_layers, 'output_layers');
    if (inputs && inputs.length !== inputLayers.length)
      throw new NotExpandable(
        `${nameOf(model)} takes ${inputLayers.length} inputs, gets ${inputs.length}`,
      );
    /** Inner layer name → its output tensors in the flat model, by tensor index. */
    const produced = new Map<string, (tensor: number) => Ref>();
    inputLayers.forEach(([name], i) => {
      if (inputs) produced.set(name, () => inputs[i]!);
    });
    let pending = layers;
    while (pending.length > 0) {
      const waiting: LayerJson[] = [];
      for (const layer of pending) {
        const name = nameOf(layer);
        if (layer.class_name === 'InputLayer') {
          if (!produced.has(name)) {
            if (inputs) throw new NotExpandable(`input ${name} of ${nameOf(model)} is not fed`);
            const ref = this.emitInput(name, layer.config);
            produced.set(name, () => ref);
          }
          continue;
        }
        const nodes = layer.inbound_nodes;
        if (!Array.isArray(nodes) || nodes.length !== 1)
          throw new NotExpandable(
            `${name} is called ${Array.isArray(nodes) ? nodes.length : 0} times (shared layers are not opened)`,
          );
        const node: unknown = nodes[0];
        if (!Array.isArray(node)) throw new NotExpandable(`${name} has an unknown inbound format`);
        const refs: [string, number, number, unknown][] = [];
        for (const entry of node) {
          if (!Array.isArray(entry) || typeof entry[0] !== 'string')
            throw new NotExpandable(`${name} has an unknown inbound format`);
          const source = produced.get(entry[0]);
          if (!source) break;
          const kwargs: unknown = entry[3] ?? {};
          refs.push([...source(Number(entry[2] ?? 0)), kwargs]);
        }
        if (refs.length < node.length) {
          waiting.push(layer);
          continue;
        }
        if (isContainer(layer)) {
          const outs = this.model(
            layer,
            refs.map(([n, i, t]) => [n, i, t]),
            depth + 1,
          );
          produced.set(name, (t) => {
            const out = outs[t];
            if (!out) throw new NotExpandable(`${name} has no output ${t}`);
            return out;
          });
        } else {
          this.plain(layer, refs);
          produced.set(name, (t) => [name, 0, t]);
        }
      }
      if (waiting.length === pending.length)
        throw new NotExpandable(`the layers of ${nameOf(model)} do not form a graph`);
      pending = waiting;
    }
    return outputLayers.map(([name, , tensor]) => {
      const source = produced.get(name);
      if (!source) throw new NotExpandable(`output ${name} of ${nameOf(model)} is not a layer`);
      return source(tensor);
    });
  }
}

/** The model JSON inside a topology: `model_config` (Keras files) or the topology itself. */
function rootOf(topology: unknown): LayerJson | null {
  if (!isObject(topology)) return null;
  const root = isObject(topology.model_config) ? topology.model_config : topology;
  return isLayerJson(root) ? root : null;
}

/**
 * Weight specs of Keras-converted files may carry the nested model's name in front of the
 * layer's (`mobilenetv2_1.00_224/Conv1/kernel`); tfjs names them `Conv1/kernel`.
 */
function renameWeights(
  specs: tf.io.WeightsManifestEntry[] | undefined,
  opened: readonly OpenedModel[],
  layers: ReadonlySet<string>,
): tf.io.WeightsManifestEntry[] | undefined {
  if (!specs) return specs;
  const containers = new Set(opened.map((o) => o.name));
  let changed = false;
  const renamed = specs.map((spec) => {
    const parts = spec.name.split('/');
    let i = 0;
    while (parts.length - i > 2 && containers.has(parts[i]!) && !layers.has(parts[i]!)) i++;
    if (i === 0 || !layers.has(parts[i]!)) return spec;
    changed = true;
    return { ...spec, name: parts.slice(i).join('/') };
  });
  return changed ? renamed : specs;
}

/**
 * Expands nested models into one flat functional model. A model with nothing nested, or
 * whose nesting cannot be flattened (shared layers, duplicate names), is returned as it is.
 */
export function expandNested(artifacts: tf.io.ModelArtifacts): Expansion {
  const topology = artifacts.modelTopology;
  const root = rootOf(topology);
  if (!root || !CONTAINERS.has(root.class_name) || !hasNested(root))
    return { artifacts, opened: [], keptNested: null };
  const builder = new FlatBuilder();
  let outputs: Ref[];
  try {
    outputs = builder.model(root, null, 0);
  } catch (err) {
    if (err instanceof NotExpandable)
      return {
        artifacts,
        opened: [],
        keptNested: `Its nested models were kept closed: ${err.message}.`,
      };
    throw err;
  }
  let inputs = builder.inputs;
  if (root.class_name !== 'Sequential') {
    const order = endpoints(root.config.input_layers, 'input_layers').map(([n]) => n);
    inputs = [...inputs].sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  }
  const flatRoot = {
    class_name: 'Model',
    config: {
      name: typeof root.config.name === 'string' ? root.config.name : 'model',
      layers: builder.layers,
      input_layers: inputs,
      output_layers: outputs,
    },
  };
  const top = topology as Json;
  const modelTopology = isObject(top.model_config)
    ? { ...top, model_config: flatRoot }
    : { ...top, ...flatRoot };
  const names = new Set(builder.layers.map((l) => l.name));
  return {
    artifacts: {
      ...artifacts,
      modelTopology,
      weightSpecs: renameWeights(artifacts.weightSpecs, builder.opened, names),
    },
    opened: builder.opened,
    keptNested: null,
  };
}
