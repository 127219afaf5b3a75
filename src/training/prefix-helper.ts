/**
 * One prefix helper: a worker that holds its own copy of the network and answers batches
 * of the frozen prefix (training/prefix.ts). It runs single-threaded wasm (cpu where wasm
 * does not start): each helper is one core's worth of work, and helpers run side by side.
 * This module is the helper's logic; worker/prefix-helper-worker.ts only wires it to
 * `postMessage`.
 */
import * as tf from '@tensorflow/tfjs';
import { layerGraph, type LayerGraph } from '../model/graph';
import { buildModel } from '../model/load';
import type { InputSpec } from '../model/preprocess';
import { prefixRows } from './prefix';
import { INFERENCE_BATCH } from '../domain';
import { switchTo } from './switch';

export type ToPrefixHelper =
  | { type: 'model'; artifacts: tf.io.ModelArtifacts; spec: InputSpec }
  | { type: 'run'; id: number; k: number; pixels: Uint8Array[] };

export type FromPrefixHelper =
  | { type: 'ready'; backend: string }
  /** `ms`: the helper's own time for the batch. */
  | { type: 'rows'; id: number; values: Float32Array; shape: number[]; ms: number }
  /** `id` null: the model could not be prepared. */
  | { type: 'failed'; id: number | null; message: string };

export type PostToPool = (message: FromPrefixHelper, transfer?: Transferable[]) => void;

/** The helper's message handler; `post` sends its answers. */
export function prefixHelper(post: PostToPool): (message: ToPrefixHelper) => Promise<void> {
  let backend: Promise<string> | null = null;
  let held: { model: tf.LayersModel; graph: LayerGraph; spec: InputSpec } | null = null;
  // One message at a time, in order: a batch never runs on a half-built model.
  let queue: Promise<void> = Promise.resolve();
  const start = () =>
    (backend ??= (async () => {
      // One thread: the helpers themselves are the parallelism. (The flag exists once the
      // wasm backend is imported, as in the helper's worker.)
      if (tf.findBackendFactory('wasm')) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      for (const name of ['wasm', 'cpu'] as const) if (await switchTo(name)) return name;
      throw new Error('no CPU backend starts in this worker');
    })());
  const handle = async (message: ToPrefixHelper) => {
    if (message.type === 'model') {
      try {
        const name = await start();
        held?.model.dispose();
        held = null;
        const model = await buildModel(message.artifacts);
        held = { model, graph: layerGraph(model), spec: message.spec };
        // A batch of blank images through every layer: the first batch of a pass is the
        // slow one (each block's kernel set up, the wasm memory grown and first touched: a
        // second at 224 px against 0.15 s for the next). Done now, while the user sets up the
        // run, not in the pass.
        const { size } = message.spec;
        const blank = Array.from(
          { length: INFERENCE_BATCH },
          () => new Uint8Array(size * size * 3),
        );
        await prefixRows(held.graph, blank, message.spec, held.graph.steps.length - 1);
        post({ type: 'ready', backend: name });
      } catch (e) {
        post({ type: 'failed', id: null, message: e instanceof Error ? e.message : String(e) });
      }
      return;
    }
    try {
      if (!held) throw new Error('no network yet');
      const t0 = performance.now();
      const rows = await prefixRows(held.graph, message.pixels, held.spec, message.k);
      const ms = performance.now() - t0;
      post({ type: 'rows', id: message.id, ...rows, ms }, [rows.values.buffer]);
    } catch (e) {
      post({ type: 'failed', id: message.id, message: e instanceof Error ? e.message : String(e) });
    }
  };
  return (message) => (queue = queue.then(() => handle(message)));
}
