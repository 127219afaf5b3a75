/**
 * `project.json`, the table of contents of a project file: settings, the dataset's files
 * (each an entry of the zip), every run, and where each run's weights sit in its
 * `weights/<runId>.bin`.
 */
import * as v from 'valibot';
import {
  count,
  FormatError,
  header,
  list,
  numberIn,
  object,
  parseWith,
  text,
  TEXT_MAX,
} from './common';
import { runRecord, skippedFiles } from './run-record';
import { studioSettings } from './settings';

export const PROJECT_FORMAT = 'thaw-project';
export const PROJECT_VERSION = 1;
const FILE = 'project.json';

const arrayMeta = object({
  name: text(TEXT_MAX, true),
  shape: list(count, 8),
  offset: count,
  length: count,
});

export const projectJson = object({
  format: v.literal(PROJECT_FORMAT),
  version: v.literal(PROJECT_VERSION),
  savedAt: v.optional(text()),
  settings: v.nullable(studioSettings),
  dataset: v.nullable(
    object({
      name: text(),
      skipped: skippedFiles,
      files: list(object({ path: text(TEXT_MAX, true), entry: text(), type: text() })),
    }),
  ),
  runs: list(runRecord),
  weights: list(
    object({
      runId: text(undefined, true),
      featureDim: numberIn({ min: 1, max: 1_000_000, integer: true }),
      numClasses: numberIn({ min: 1, max: 100_000, integer: true }),
      arrays: list(arrayMeta),
    }),
  ),
});

export type ProjectJson = v.InferOutput<typeof projectJson>;

/**
 * A parsed `project.json`, all of it checked; throws a sentence naming the file and the
 * field when it is foreign, of another version, or out of range anywhere.
 */
export function parseProjectJson(input: unknown): ProjectJson {
  const head = header(input);
  if (!head || head.format !== PROJECT_FORMAT)
    throw new FormatError(`This zip is not a Thaw project (wrong format in ${FILE}).`);
  if (head.version !== PROJECT_VERSION)
    throw new FormatError(
      `This project has version ${String(head.version).slice(0, 40)}; this studio opens version ${PROJECT_VERSION}.`,
    );
  return parseWith(projectJson, input, FILE);
}
