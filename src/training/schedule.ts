/** Learning-rate schedules for the custom loop. Pure: a step number in, a rate out. */

export type ScheduleKind = 'constant' | 'cosine';

/**
 * The learning rate for a 0-based `step` of a run of `totalSteps`. 'cosine' anneals
 * base·½(1 + cos(π·t)) with t = step/totalSteps, from `base` to 0 at `totalSteps` (one
 * cycle of SGDR without restarts: Loshchilov & Hutter 2017, "SGDR: Stochastic Gradient
 * Descent with Warm Restarts"). Steps past the end stay at the end value.
 */
export function learningRateAt(
  step: number,
  totalSteps: number,
  base: number,
  kind: ScheduleKind,
): number {
  if (!Number.isFinite(step) || step < 0)
    throw new RangeError(`Step ${step} is not a step number.`);
  if (!Number.isFinite(totalSteps) || totalSteps < 1) {
    throw new RangeError(`A schedule needs at least one step (got ${totalSteps}).`);
  }
  switch (kind) {
    case 'constant':
      return base;
    case 'cosine':
      return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, step / totalSteps)));
    default: {
      const unknown: never = kind;
      throw new Error(`Unknown schedule: ${String(unknown)}`);
    }
  }
}
