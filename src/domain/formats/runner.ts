/**
 * What the PyTorch runner reads and writes: `job.json` (the studio's export, format
 * `thaw-training-job`) and the run it writes back — `run.json` (`thaw-run`) beside a
 * tfjs layers `model.json`. Numbers are held to the ranges of the studio's fields.
 */
import * as v from 'valibot';
import { INPUT_SIZE_RANGE } from '../ranges';
import {
  count,
  dictionary,
  FormatError,
  finite,
  header,
  list,
  numberIn,
  object,
  parseWith,
  share,
  text,
  TEXT_MAX,
} from './common';
import { layerPlan, runnerParams, trainParams } from './params';
import { epochMetrics, evaluationEntries } from './run-record';

export const JOB_FORMAT = 'thaw-training-job';
export const RUN_FORMAT = 'thaw-run';
const MODES = ['frozen', 'fine-tune', 'reinit'] as const;

const classNames = v.pipe(
  list(text(undefined, true)),
  v.minLength(2, 'must list at least two class names'),
  v.check((names) => new Set(names).size === names.length, 'must not name a class twice'),
);

const valueRange = v.pipe(
  v.tuple([finite, finite], 'must be [low, high]'),
  v.check(([lo, hi]) => lo < hi, 'must have low < high'),
);

/** `job.json` (format v1, runner/README.md), as the runner checks it. */
export const jobJsonSchema = object({
  format: v.literal(JOB_FORMAT),
  version: v.literal(1),
  name: text(),
  modelId: text(),
  model: text(TEXT_MAX, true),
  featureLayer: text(undefined, true),
  modes: dictionary(v.picklist(MODES, 'must be "frozen", "fine-tune" or "reinit"')),
  classNames,
  inputSize: numberIn(INPUT_SIZE_RANGE),
  channels: v.picklist([1, 3], 'must be 1 or 3'),
  valueRange,
  decode: object({
    resize: v.literal('cover-crop', 'must be "cover-crop"'),
    extensions: list(text(), 100),
    minSide: numberIn({ min: 1, max: INPUT_SIZE_RANGE.max, integer: true }),
  }),
  params: trainParams,
  reference: v.nullable(text(TEXT_MAX)),
});

export type JobJson = v.InferOutput<typeof jobJsonSchema>;

/** A checked `job.json`; throws a sentence naming the file, the field and its range. */
export function parseJobJson(input: unknown, file = 'job.json'): JobJson {
  const head = header(input);
  if (!head || head.format !== JOB_FORMAT)
    throw new FormatError(
      `"${file}" is not a Thaw training job ("format" must be "${JOB_FORMAT}").`,
    );
  if (head.version !== 1)
    throw new FormatError(
      `"${file}" is job version ${String(head.version).slice(0, 40)}; this studio writes version 1.`,
    );
  return parseWith(jobJsonSchema, input, file);
}

/** `run.json` as the runner writes it (fields the studio does not use are let through unread). */
export const runJsonSchema = object({
  format: v.optional(v.literal(RUN_FORMAT)),
  version: v.optional(v.literal(1)),
  name: text(),
  modelId: text(),
  classNames,
  plan: layerPlan,
  params: runnerParams,
  history: v.pipe(list(epochMetrics, 100_000), v.minLength(1, 'must list at least one epoch')),
  bestEpoch: count,
  valAccuracy: v.nullable(share),
  testAccuracy: v.nullable(share),
  layers: object({ weighted: count, frozen: count, fineTuned: count, reinitialized: count }),
  evaluation: v.nullable(object(evaluationEntries)),
  timings: object({
    seconds: numberIn({ min: 0 }),
    processes: numberIn({ min: 1, max: 1_000_000, integer: true }),
    device: text(100),
  }),
  /** Images the runner could not read, and why (optional: runners before it wrote none). */
  skipped: v.optional(list(object({ path: text(TEXT_MAX), reason: text(TEXT_MAX) }))),
});

export type RunJson = v.InferOutput<typeof runJsonSchema>;

/** A checked `run.json`; throws a sentence naming the file, the field and its range. */
export function parseRunJson(input: unknown, file = 'run.json'): RunJson {
  const head = header(input);
  if (!head)
    throw new FormatError(`"${file}" is not a JSON object: it was not written by the Thaw runner.`);
  if (head.format !== undefined && head.format !== RUN_FORMAT)
    throw new FormatError(
      `"${file}" was not written by the Thaw runner ("format" is not "${RUN_FORMAT}").`,
    );
  if (head.version !== undefined && head.version !== 1)
    throw new FormatError(
      `"${file}" is run version ${String(head.version).slice(0, 40)}; this studio reads version 1.`,
    );
  const run = parseWith(runJsonSchema, input, file);
  if (run.bestEpoch > run.history.length)
    throw new FormatError(
      `"${file}": bestEpoch must be between 0 and ${run.history.length}, the epochs in history (got ${run.bestEpoch}).`,
    );
  return run;
}

/** The parts of a tfjs layers `model.json` the import reads. */
export const layersModelJson = object({
  modelTopology: object({
    config: v.optional(
      v.looseObject({
        layers: v.optional(
          list(
            v.looseObject({
              class_name: text(),
              config: v.looseObject({
                batch_input_shape: v.optional(list(v.nullable(finite), 8)),
              }),
            }),
          ),
        ),
      }),
    ),
  }),
  weightsManifest: list(
    object({
      paths: list(text(TEXT_MAX)),
      weights: list(object({ name: text(TEXT_MAX, true), shape: list(count, 8), dtype: text(20) })),
    }),
  ),
});

export type LayersModelJson = v.InferOutput<typeof layersModelJson>;

export function parseLayersModelJson(input: unknown, file = 'model.json'): LayersModelJson {
  return parseWith(layersModelJson, input, file);
}
