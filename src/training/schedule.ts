/** Learning-rate schedules for the custom loop. Pure: a step number in, a rate out. */

export type ScheduleKind = 'constant' | 'cosine';

/**
 * The learning rate for a 0-based `step` of a run of `totalSteps`.
 * Warm-up (optional) ramps linearly, base·(step+1)/warmupSteps, so the first step is
 * already non-zero and the last warm-up step reaches `base`: a fresh head's large early
 * gradients then cannot wreck fine-tuned pretrained weights.
 * 'cosine' then anneals base·½(1 + cos(π·t)) with t = (step − warmupSteps)/(totalSteps −
 * warmupSteps), from `base` to 0 at `totalSteps` (one cycle of SGDR without restarts:
 * Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient Descent with Warm Restarts").
 * Steps past the end stay at the end value.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  base: number,
  kind: ScheduleKind,
  warmupSteps = 0,
): number {
  if (!Number.isFinite(step) || step < 0)
    throw new RangeError(`Step ${step} is not a step number.`);
  if (!Number.isFinite(totalSteps) || totalSteps < 1) {
    throw new RangeError(`A schedule needs at least one step (got ${totalSteps}).`);
  }
  if (!Number.isFinite(warmupSteps) || warmupSteps < 0) {
    throw new RangeError(`Warm-up steps must be 0 or more (got ${warmupSteps}).`);
  }
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  switch (kind) {
    case 'constant':
      return base;
    case 'cosine': {
      // A warm-up as long as the run leaves nothing to anneal: t jumps to the end.
      const span = totalSteps - warmupSteps;
      const t = span <= 0 ? 1 : Math.min(1, (step - warmupSteps) / span);
      return base * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown schedule: ${String(unknown)}`);
    }
  }
}
