/**
 * A layers model as an ordered list of steps that can be run piece by piece with a
 * per-layer `training` flag — so frozen parts run in inference mode (BatchNorm with its
 * moving statistics) while trained parts get gradients, and a frozen prefix can be
 * computed once and cached. Also finds the cut points: positions after which exactly
 * one tensor flows on (a residual connection crossing the position makes it no cut).
 */
import * as tf from '@tensorflow/tfjs';
import { foldedBlockAt, readerCounts } from './fold';

export interface GraphStep {
  layer: tf.layers.Layer;
  /** Ids of the symbolic tensors this layer reads. */
  inputs: number[];
  output: number;
}

export interface LayerGraph {
  steps: GraphStep[];
  inputId: number;
  outputId: number;
  /** cut[i]: after step i, the only live tensor is step i's output. */
  cut: boolean[];
}

/** Orders a single-input, single-output model's layers into runnable steps. */
export function layerGraph(model: tf.LayersModel): LayerGraph {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new Error('Only models with one input and one output are supported.');
  }
  const steps: GraphStep[] = [];
  for (const layer of model.layers) {
    const node = layer.inboundNodes[0];
    if (!node) throw new Error(`Layer ${layer.name} is not connected.`);
    const output = node.outputTensors[0];
    if (!output || node.outputTensors.length !== 1)
      throw new Error(`Layer ${layer.name} has several outputs; not supported.`);
    steps.push({ layer, inputs: node.inputTensors.map((t) => t.id), output: output.id });
  }
  const inputId = (model.inputs[0] as tf.SymbolicTensor).id;
  const outputId = (model.outputs[0] as tf.SymbolicTensor).id;
  // Last step that reads each tensor; the model output is read "after the end".
  const lastUse = new Map<number, number>();
  steps.forEach((s, i) => s.inputs.forEach((id) => lastUse.set(id, i)));
  lastUse.set(outputId, steps.length);
  const producedAt = new Map<number, number>();
  producedAt.set(inputId, -1);
  steps.forEach((s, i) => producedAt.set(s.output, i));
  const cut = steps.map((step, i) => {
    let live = 0;
    for (const [id, used] of lastUse) {
      const made = producedAt.get(id) ?? -1;
      if (made <= i && used > i) live += id === step.output ? 1 : 2;
    }
    return live === 1;
  });
  return { steps, inputId, outputId, cut };
}

/** For outputs that are only read: fold conv + batch norm (+ ReLU) blocks (model/fold.ts). */
export const FOLD = { fold: true } as const;

const readersOf = new WeakMap<LayerGraph, Map<number, number>>();

/**
 * Runs steps `from..to` (inclusive) on `input`, the value of the tensor read by step
 * `from` (or of the step before it). `training(layer)` decides each layer's mode.
 * With `fold`, a convolution + batch norm (+ ReLU) block whose layers all run in inference
 * mode is computed as one fused convolution (model/fold.ts): for outputs that are read,
 * never differentiated. Intermediate tensors are left to the caller's `tf.tidy`.
 */
export function runSteps(
  graph: LayerGraph,
  input: tf.Tensor,
  from: number,
  to: number,
  training: (layer: tf.layers.Layer) => boolean,
  opts: { fold?: boolean } = {},
): tf.Tensor {
  let readers = opts.fold ? readersOf.get(graph) : undefined;
  if (opts.fold && !readers) {
    readers = readerCounts(graph);
    readersOf.set(graph, readers);
  }
  const values = new Map<number, tf.Tensor>();
  const before = from === 0 ? graph.inputId : (graph.steps[from - 1] as GraphStep).output;
  values.set(before, input);
  let last = input;
  for (let i = from; i <= to; i++) {
    const step = graph.steps[i] as GraphStep;
    if (step.layer.getClassName() === 'InputLayer') {
      // InputLayer: passes the model input through.
      values.set(step.output, values.get(graph.inputId) ?? input);
      last = values.get(step.output) as tf.Tensor;
      continue;
    }
    const block = readers ? foldedBlockAt(graph, i, to, readers) : null;
    const blockInput = block && step.inputs.length === 1 ? values.get(step.inputs[0]!) : undefined;
    if (block && blockInput && !block.layers.some(training)) {
      last = block.run(blockInput);
      values.set((graph.steps[block.last] as GraphStep).output, last);
      i = block.last;
      continue;
    }
    const args = step.inputs.map((id) => {
      const v = values.get(id);
      if (!v)
        throw new Error(
          `Cannot run ${step.layer.name} from step ${from}: an input comes from before the start.`,
        );
      return v;
    });
    last = step.layer.apply(args.length === 1 ? (args[0] as tf.Tensor) : args, {
      training: training(step.layer),
    }) as tf.Tensor;
    values.set(step.output, last);
  }
  return last;
}
