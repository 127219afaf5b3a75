/**
 * The learning-rate range test (Smith 2017, §3.3; fastai's `lr_find`): on the training split
 * and the user's plan, the rate grows exponentially from `LR_FIND.start` to `LR_FIND.end`,
 * one step each, until the smoothed loss climbs past `divergeFactor` × its lowest value.
 *
 * - The head sweep trains the new head (and Re-initialize layers) alone; with no
 *   Re-initialize layer it runs on the network's features computed once, so it is cheap.
 * - When the plan fine-tunes layers, a second sweep varies the fine-tune rate alone: the head
 *   (and Re-initialize layers) first train `warmupSteps` steps at the head's suggested rate
 *   (the user's rate when the head sweep gave none), then are held, so the loss moves only
 *   with the fine-tuned layers — it falls where their rate helps and climbs where it starts to
 *   destroy their pretrained weights. (A head still training at its own rate would add its
 *   noise to that curve and end the sweep early.)
 * - Suggestion: the rate at the lowest smoothed loss ÷ 10 (fastai's `lr_min`), the first ten
 *   steps left out.
 *
 * It works on its own copy of the network, built from the pretrained artifacts, and puts the
 * trained layers' weights back after each sweep: nothing the user trained is touched. The
 * frozen prefix is cached exactly as training caches it, so the next run reuses it.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32, shuffleInPlace } from '../data/split';
import {
  INFERENCE_BATCH,
  LR_FIND,
  PARAM_RANGES,
  type LrGroup,
  type LrPoint,
  type LrSweep,
  type NumberRange,
} from '../domain';
import { FOLD, runSteps } from '../model/graph';
import { applyPlan, modeOfLayer } from '../model/plan';
import { evenlySpaced, standardization, type EngineRun, type PrefixCache } from './engine';
import { isBatchNorm, setUpRun, toVectors } from './setup';
import { createHead, type Head } from './head';
import { chunks } from './evaluation';
import { rowsTensor } from './loop';
import { smoother, suggestRate, sweepRate } from './lr-suggest';
import { createOptimizers } from './optimizers';

export interface LrFindOptions {
  start: number;
  end: number;
  steps: number;
  divergeFactor: number;
  smoothing: number;
  warmupSteps: number;
  heldOut: number;
}

export type LrFindRun = Pick<
  EngineRun,
  | 'artifacts'
  | 'spec'
  | 'plan'
  | 'images'
  | 'labels'
  | 'numClasses'
  | 'split'
  | 'params'
  | 'cacheKey'
  | 'cache'
  | 'cacheBudgetBytes'
  | 'backends'
  | 'shouldStop'
  | 'onPrefixProgress'
> & {
  options?: Partial<LrFindOptions>;
  /** After each step of a sweep: how many steps it has taken, of at most `total`. */
  onStep?: (group: LrGroup, done: number, total: number) => void;
};

export interface LrFindOutcome {
  head: LrSweep;
  fineTune: LrSweep | null;
  stopped: boolean;
  /** The frozen prefix cache to keep (as after a training run). */
  cache: PrefixCache | null;
}

/** Batches of the training split, reshuffled each pass, for as many steps as asked. */
function batchStream(train: readonly number[], batchSize: number, seed: number) {
  const random = mulberry32(seed);
  const size = Math.max(1, Math.min(batchSize, train.length));
  let order: number[] = [];
  return (): number[] => {
    if (order.length < size) order = [...order, ...shuffleInPlace([...train], random)];
    return order.splice(0, size);
  };
}

export async function findLearningRate(run: LrFindRun): Promise<LrFindOutcome> {
  const o: LrFindOptions = { ...LR_FIND, ...run.options };
  if (run.split.train.length === 0) throw new Error('The training split has no images.');
  // The engine's prefix and feature passes read a run without training callbacks.
  const asEngineRun: EngineRun = { ...run, onBatches: () => {}, onEpoch: () => {} };
  let model: tf.LayersModel | null = null;
  const saved: { write: (t: tf.Tensor) => void; value: tf.Tensor }[] = [];
  try {
    // The frozen prefix and the trainable rest, as a training run sets them up.
    const setup = await setUpRun(asEngineRun, false);
    if ('stopped' in setup) return stoppedOutcome(run.cache);
    model = setup.model;
    const { graph, end, k, cache, headOnly, load, inputBatch, initial } = setup;
    const featureScale = standardization(initial, run.split.train);
    const layers = graph.steps.slice(0, end + 1).map((s) => s.layer);
    const groups = applyPlan(layers, run.plan.modes);
    const modeByLayer = new Map(layers.map((l) => [l, modeOfLayer(run.plan.modes, l)]));
    const trainingFlag = (layer: tf.layers.Layer) => {
      const mode = modeByLayer.get(layer);
      return (
        mode === 'reinit' ||
        (mode === 'fine-tune' && (run.params.batchNormTraining || !isBatchNorm(layer)))
      );
    };
    // Every weight of the trained layers (BatchNorm statistics included), to put back after each sweep.
    for (const layer of layers.filter((l) => modeByLayer.get(l) !== 'frozen'))
      for (const w of layer.weights)
        saved.push({ write: (t) => w.write(t), value: tf.keep(w.read().clone()) });
    const restore = () => saved.forEach((s) => s.write(s.value));

    const { params } = run;
    const labelsOf = (idx: readonly number[]) =>
      tf.oneHot(
        tf.tensor1d(
          idx.map((i) => run.labels[i]!),
          'int32',
        ),
        run.numClasses,
      ) as tf.Tensor2D;
    const dim = initial.dim;
    /** Features of a batch: the ones computed once, or through the trained layers (after `load`). */
    const cachedFeatures = (idx: readonly number[]) =>
      rowsTensor(initial.data, dim, [dim], idx) as tf.Tensor2D;
    const bodyFeatures = (idx: readonly number[]) =>
      toVectors(
        headOnly ? inputBatch(idx) : runSteps(graph, inputBatch(idx), k + 1, end, trainingFlag),
      );
    const newHead = () => createHead(dim, run.numClasses, params.head, params.seed, featureScale);
    /** Features in inference mode (the held-out loss): computed once, or through the trained layers. */
    const inferenceFeatures = (idx: readonly number[]) =>
      toVectors(
        headOnly
          ? inputBatch(idx)
          : runSteps(graph, inputBatch(idx), k + 1, end, () => false, FOLD),
      );
    // The loss each step records: on held-out validation images when there are any (a rate too
    // large shows there even while the training batches still fit), else the step's batch.
    const held = evenlySpaced(run.split.validation, o.heldOut);
    const heldLoss = async (head: Head, features: (idx: readonly number[]) => tf.Tensor2D) => {
      let sum = 0;
      for (const idx of chunks(held, INFERENCE_BATCH)) {
        if (features !== cachedFeatures) await load?.(idx);
        const l = tf.tidy(() =>
          head.loss(labelsOf(idx), head.scores(features(idx))).mul(idx.length),
        );
        sum += (await l.data())[0]!;
        l.dispose();
      }
      return sum / held.length;
    };
    const lossOf: LrSweep['lossOf'] = held.length > 0 ? 'validation' : 'training batches';

    /** One sweep: `vars` train at `rate(step)`, everything else is held; the loss is recorded when `record`. */
    const sweep = async (
      group: LrGroup,
      head: Head,
      features: (idx: readonly number[]) => tf.Tensor2D,
      evaluate: (idx: readonly number[]) => tf.Tensor2D,
      vars: tf.Variable[],
      rate: (step: number) => number,
      steps: number,
      record: boolean,
    ): Promise<{ points: LrPoint[]; ended: LrSweep['ended'] }> => {
      const optimizers = createOptimizers(params, vars, []);
      const next = batchStream(run.split.train, params.batchSize, params.seed);
      const smooth = smoother(o.smoothing);
      const points: LrPoint[] = [];
      let lowest = Infinity;
      try {
        for (let step = 0; step < steps; step++) {
          if (run.shouldStop()) return { points, ended: 'stopped' };
          const r = rate(step);
          optimizers.setRates(r);
          const idx = next();
          if (features !== cachedFeatures) await load?.(idx);
          const value = tf.tidy(() => {
            const y = labelsOf(idx);
            const { value, grads } = tf.variableGrads(
              () => head.loss(y, head.scores(features(idx))),
              vars,
            );
            optimizers.apply(grads);
            return value;
          });
          const batchLoss = (await value.data())[0]!;
          value.dispose();
          if (!record) continue;
          const loss = held.length > 0 ? await heldLoss(head, evaluate) : batchLoss;
          const smoothed = smooth(loss);
          if (!Number.isFinite(smoothed)) return { points, ended: 'diverged' };
          points.push({ rate: r, loss, smoothed });
          run.onStep?.(group, points.length, steps);
          lowest = Math.min(lowest, smoothed);
          if (smoothed > o.divergeFactor * lowest) return { points, ended: 'diverged' };
          await new Promise<void>((resolve) => setTimeout(resolve, 0));
        }
        return { points, ended: 'last rate' };
      } finally {
        optimizers.dispose();
      }
    };
    const rateAt = (step: number) => sweepRate(step, o.steps, o.start, o.end);
    const summary = (
      group: LrGroup,
      s: { points: LrPoint[]; ended: LrSweep['ended'] },
      range: NumberRange,
    ): LrSweep => ({
      group,
      points: s.points,
      ended: s.ended,
      lossOf,
      ...(s.ended === 'stopped'
        ? { suggested: null, minimum: null, steepest: null, climbsFrom: null }
        : suggestRate(s.points, range)),
    });

    const finish = (h: LrSweep, f: LrSweep | null): LrFindOutcome => ({
      head: h,
      fineTune: f,
      stopped: h.ended === 'stopped' || f?.ended === 'stopped',
      cache: k > 0 ? cache : run.cache,
    });

    // 1. The head (and Re-initialize layers), the Fine-tune layers held.
    const reinit = groups.reinit.length > 0;
    const headFeatures = reinit ? bodyFeatures : cachedFeatures;
    const headEvaluate = reinit ? inferenceFeatures : cachedFeatures;
    let head = newHead();
    let headSweep: LrSweep;
    try {
      const fast = [head.kernel, head.bias, ...groups.reinit];
      const s = await sweep('head', head, headFeatures, headEvaluate, fast, rateAt, o.steps, true);
      headSweep = summary('head', s, PARAM_RANGES.learningRate);
    } finally {
      head.dispose();
      restore();
    }
    if (headSweep.ended === 'stopped' || groups.fineTune.length === 0)
      return finish(headSweep, null);

    // 2. The Fine-tune layers alone, on a head trained first (at its suggested rate) and then held.
    const headRate = headSweep.suggested ?? params.learningRate;
    head = newHead();
    try {
      const fast = [head.kernel, head.bias, ...groups.reinit];
      const warm = await sweep(
        'head',
        head,
        headFeatures,
        headEvaluate,
        fast,
        () => headRate,
        o.warmupSteps,
        false,
      );
      const s =
        warm.ended === 'stopped'
          ? warm
          : await sweep(
              'fine-tune',
              head,
              bodyFeatures,
              inferenceFeatures,
              groups.fineTune,
              rateAt,
              o.steps,
              true,
            );
      return finish(headSweep, {
        ...summary('fine-tune', s, PARAM_RANGES.fineTuneLearningRate),
        headRate,
      });
    } finally {
      head.dispose();
      restore();
    }
  } finally {
    tf.dispose(saved.map((s) => s.value));
    model?.dispose();
  }
}

function stoppedOutcome(cache: PrefixCache | null): LrFindOutcome {
  const head: LrSweep = {
    group: 'head',
    points: [],
    suggested: null,
    minimum: null,
    steepest: null,
    climbsFrom: null,
    ended: 'stopped',
    lossOf: 'validation',
  };
  return { head, fineTune: null, stopped: true, cache };
}
