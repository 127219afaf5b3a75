/**
 * Conservation training (DESIGN.md §1): keep the trained layers close to where they
 * started — L2-SP on the fine-tuned weights, and an output-level term on the features —
 * and measure how far each layer moved (drift ‖w − w₀‖/‖w₀‖).
 */
import * as tf from '@tensorflow/tfjs';
import { distillation, l2sp, relativeDrift } from './losses';

export interface Conservation {
  /** The penalty to add to the loss for a batch (inside the gradient function), or null when there is none. */
  penalty: (features: tf.Tensor2D, indices: readonly number[]) => tf.Scalar | null;
  /** ‖w − w₀‖/‖w₀‖ per layer over the trained variables. */
  drift: () => Promise<Record<string, number>>;
  dispose: () => void;
}

export interface ConservationInput {
  fineTune: readonly tf.Variable[];
  reinit: readonly tf.Variable[];
  /** λ of L2-SP over the fine-tuned variables. */
  l2sp: number;
  /** Output-level term: weight, and the original network's features for given samples. */
  distillation?: { weight: number; targets: (indices: readonly number[]) => tf.Tensor2D };
}

export function createConservation(input: ConservationInput): Conservation {
  const trained = [...input.fineTune, ...input.reinit];
  // w₀: the values the trained layers start from (anchors of L2-SP and of the drift meter).
  const anchors = trained.map((v) => tf.keep(v.clone()));
  const fineTuneAnchors = anchors.slice(0, input.fineTune.length);
  return {
    penalty: (features, indices) => {
      let total: tf.Scalar | null = null;
      if (input.l2sp > 0 && input.fineTune.length > 0)
        total = l2sp(input.fineTune, fineTuneAnchors, input.l2sp);
      const d = input.distillation;
      if (d && d.weight > 0) {
        const term = distillation(features, d.targets(indices), 'features-l2').mul(d.weight);
        total = total ? total.add(term) : (term as tf.Scalar);
      }
      return total;
    },
    drift: async () => {
      const byLayer = new Map<string, { now: Float32Array[]; start: Float32Array[] }>();
      for (let i = 0; i < trained.length; i++) {
        const layer = trained[i]!.name.split('/')[0] ?? trained[i]!.name;
        const entry = byLayer.get(layer) ?? { now: [], start: [] };
        entry.now.push((await trained[i]!.data()) as Float32Array);
        entry.start.push((await anchors[i]!.data()) as Float32Array);
        byLayer.set(layer, entry);
      }
      return Object.fromEntries(
        [...byLayer].map(([layer, { now, start }]) => [
          layer,
          relativeDrift(concat(now), concat(start)),
        ]),
      );
    },
    dispose: () => tf.dispose(anchors),
  };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
