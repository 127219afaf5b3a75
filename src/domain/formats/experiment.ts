/**
 * The experiment file (`thaw-experiment`, version 1): a run or a sweep as JSON — model,
 * plan, parameters, seeds, a manifest of the dataset with file hashes, and the results.
 */
import * as v from 'valibot';
import { INPUT_SIZE_RANGE, PARAM_RANGES } from '../ranges';
import {
  count,
  FormatError,
  header,
  list,
  numberIn,
  object,
  parseWith,
  share,
  text,
  TEXT_MAX,
} from './common';
import { layerPlan, trainParams } from './params';

export const EXPERIMENT_FORMAT = 'thaw-experiment';
export const EXPERIMENT_VERSION = 1;

export const experimentJson = object({
  format: v.literal(EXPERIMENT_FORMAT),
  version: v.literal(EXPERIMENT_VERSION),
  kind: v.picklist(['run', 'sweep'], 'must be "run" or "sweep"'),
  createdAt: text(),
  modelId: text(undefined, true),
  resolution: v.nullable(numberIn(INPUT_SIZE_RANGE)),
  plan: layerPlan,
  params: trainParams,
  seeds: list(numberIn(PARAM_RANGES.seed), 10_000),
  depths: v.optional(list(v.nullable(text()), 10_000)),
  dataset: object({
    name: text(),
    files: list(
      object({
        path: text(TEXT_MAX, true),
        className: text(),
        bytes: count,
        sha256: v.pipe(
          v.string('must be a SHA-256 in hex'),
          v.regex(/^[0-9a-f]{64}$/i, 'must be a SHA-256 in hex (64 characters 0-9, a-f)'),
        ),
      }),
    ),
  }),
  results: list(
    object({ label: text(), valAccuracy: share, testAccuracy: v.nullable(share) }),
    10_000,
  ),
});

export type ExperimentJson = v.InferOutput<typeof experimentJson>;

/** A parsed experiment file, all of it checked; throws a sentence naming `file` and the field. */
export function parseExperimentJson(input: unknown, file = 'experiment file'): ExperimentJson {
  const head = header(input);
  if (!head || head.format !== EXPERIMENT_FORMAT)
    throw new FormatError(
      `"${file}" is not a Thaw experiment file (no "format": "${EXPERIMENT_FORMAT}").`,
    );
  if (head.version !== EXPERIMENT_VERSION)
    throw new FormatError(
      `"${file}" is an experiment file of version ${String(head.version).slice(0, 40)}; this studio reads version ${EXPERIMENT_VERSION}.`,
    );
  return parseWith(experimentJson, input, file);
}
