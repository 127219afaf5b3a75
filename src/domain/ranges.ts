/**
 * The allowed range of every number the user can set, in one place: the number fields
 * show and enforce them, and the file formats (project, experiment, run import, job,
 * stored settings) refuse a file whose numbers fall outside them.
 */

export interface NumberRange {
  min: number;
  /** No upper limit when absent. */
  max?: number;
  /** Whole numbers only. */
  integer?: boolean;
}

/** Ranges of the training parameters (`TrainParams`), by field. */
export const PARAM_RANGES = {
  learningRate: { min: 1e-7, max: 10 },
  fineTuneLearningRate: { min: 1e-9, max: 10 },
  epochs: { min: 1, max: 500, integer: true },
  batchSize: { min: 1, max: 1024, integer: true },
  /** A seed is an unsigned 32-bit integer (as the runner takes it). */
  seed: { min: 0, max: 2 ** 32 - 1, integer: true },
  /** Validation and test shares together must leave images for training (< 1). */
  validationFraction: { min: 0, max: 0.9 },
  testFraction: { min: 0, max: 0.9 },
  conservation: { min: 0 },
  distillation: { min: 0 },
  patience: { min: 1, max: 100, integer: true },
  minDelta: { min: 0 },
} as const satisfies Record<string, NumberRange>;

/** Memory budget for decoded images, in MB (the Memory note's field). */
export const IMAGE_BUDGET_MB = {
  min: 16,
  max: 16_384,
  integer: true,
} as const satisfies NumberRange;

/** Input side of a network in pixels (a model's resolution). */
export const INPUT_SIZE_RANGE = { min: 8, max: 4096, integer: true } as const satisfies NumberRange;

/** "between 1e-7 and 10", "at least 0": the range in the words a message uses. */
export function rangeWords(range: NumberRange): string {
  return range.max === undefined
    ? `at least ${range.min}`
    : `between ${range.min} and ${range.max}`;
}

/** Whether `value` is a number the range allows. */
export function inRange(value: unknown, range: NumberRange): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= range.min &&
    (range.max === undefined || value <= range.max) &&
    (!range.integer || Number.isInteger(value))
  );
}
