/**
 * One optimizer per learning-rate group: the fast group (new head, Re-initialize layers)
 * at `learningRate`, the slow group (Fine-tune layers) at `fineTuneLearningRate`, both
 * following the run's schedule.
 */
import * as tf from '@tensorflow/tfjs';
import { SGD_MOMENTUM, type TrainParams } from '../domain';
import { learningRateAt } from './schedule';

export interface GroupOptimizers {
  /** Sets both groups' rates for a 0-based step of a run of `totalSteps`. */
  schedule: (step: number, totalSteps: number) => void;
  /** Applies the gradients that exist (a variable the loss does not reach has none). */
  apply: (grads: tf.NamedTensorMap) => void;
  /** The rate each group trains at now. */
  rates: () => { fast: number; slow: number | null };
  /** Sets each group's rate directly (the learning-rate range test; `schedule` would override it). */
  setRates: (fast: number, slow?: number) => void;
  dispose: () => void;
}

type RateParams = Pick<
  TrainParams,
  'learningRate' | 'fineTuneLearningRate' | 'optimizer' | 'schedule'
>;

export function createOptimizers(
  params: RateParams,
  fast: readonly tf.Variable[],
  slow: readonly tf.Variable[],
): GroupOptimizers {
  const make = (lr: number) =>
    params.optimizer === 'sgd' ? tf.train.momentum(lr, SGD_MOMENTUM) : tf.train.adam(lr);
  const groups = [
    {
      vars: fast,
      base: params.learningRate,
      opt: make(params.learningRate),
      rate: params.learningRate,
    },
    ...(slow.length > 0
      ? [
          {
            vars: slow,
            base: params.fineTuneLearningRate,
            opt: make(params.fineTuneLearningRate),
            rate: params.fineTuneLearningRate,
          },
        ]
      : []),
  ];
  return {
    schedule: (step, totalSteps) => {
      for (const g of groups) {
        const rate = learningRateAt(step, totalSteps, g.base, params.schedule);
        if (rate !== g.rate) setRate(g.opt, rate);
        g.rate = rate;
      }
    },
    apply: (grads) => {
      for (const g of groups) {
        const list = g.vars.flatMap((v) =>
          grads[v.name] ? [{ name: v.name, tensor: grads[v.name]! }] : [],
        );
        g.opt.applyGradients(list);
      }
    },
    rates: () => ({ fast: groups[0]!.rate, slow: groups[1]?.rate ?? null }),
    setRates: (fast, slow) =>
      [fast, slow].forEach((rate, i) => {
        const g = groups[i];
        if (!g || rate === undefined || rate === g.rate) return;
        setRate(g.opt, rate);
        g.rate = rate;
      }),
    dispose: () => groups.forEach((g) => disposeOptimizer(g.opt)),
  };
}

function setRate(opt: tf.Optimizer, lr: number): void {
  // Both optimizers read their rate on every step: SGD keeps it as a scalar (`setLearningRate`),
  // Adam in a plain field. (`instanceof` cannot tell them apart: tfjs optimizers answer it by
  // class name, and Adam claims to be a MomentumOptimizer.)
  const sgd = opt as unknown as { setLearningRate?: (lr: number) => void };
  if (typeof sgd.setLearningRate === 'function') sgd.setLearningRate(lr);
  else (opt as unknown as { learningRate: number }).learningRate = lr;
}

/** Disposes an optimizer fully: tfjs 4.22's MomentumOptimizer.dispose() forgets the learning-rate scalar `c` of its SGD base. */
function disposeOptimizer(opt: tf.Optimizer): void {
  opt.dispose();
  const fields = opt as unknown as Record<string, unknown>;
  for (const key of ['c', 'm']) {
    const t = fields[key];
    if (t instanceof tf.Tensor && !t.isDisposed) t.dispose();
  }
}
