/**
 * The studio's settings (model, input size, plan, parameters, memory budget) as they are
 * stored in the browser and carried by a project file.
 */
import * as v from 'valibot';
import { IMAGE_BUDGET_MB, INPUT_SIZE_RANGE } from '../ranges';
import { numberIn, object, text } from './common';
import { layerPlan, trainParams } from './params';

const MB = 2 ** 20;

export const settingsEntries = {
  modelId: text(undefined, true),
  resolution: v.nullable(numberIn(INPUT_SIZE_RANGE)),
  plan: layerPlan,
  params: trainParams,
  /** Bytes, a whole number of MB in the Memory note's range. */
  imageBudgetBytes: v.optional(
    numberIn({
      min: IMAGE_BUDGET_MB.min * MB,
      max: IMAGE_BUDGET_MB.max * MB,
      integer: true,
    }),
  ),
};

/** Settings as a project file carries them. */
export const studioSettings = object(settingsEntries);

/** Settings as the browser stores them (one record, `id: 'studio'`). */
export const storedSettings = object({
  id: v.literal('studio', 'must be "studio"'),
  ...settingsEntries,
});
