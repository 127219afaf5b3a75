/**
 * What the studio reads back from the browser's storage (IndexedDB): the settings, the
 * runs and the dataset. Written by the studio itself, but read as any outside file is —
 * a damaged or tampered record is refused with the field and its range, never applied.
 */
import * as v from 'valibot';
import { count, list, object, parseWith, text, TEXT_MAX } from './common';
import { runRecord, skippedFiles } from './run-record';
import { storedSettings } from './settings';

/** The name messages give the browser's storage. */
export const STORAGE_NAME = "this browser's storage";

export { storedSettings };

export const storedDataset = object({
  id: v.literal('current', 'must be "current"'),
  name: text(),
  files: list(
    object({
      path: text(TEXT_MAX, true),
      file: v.instance(Blob, 'must be a file'),
    }),
  ),
  skipped: skippedFiles,
  savedAt: count,
});

const settingsRecord = object({ settings: storedSettings });
const runsRecord = object({ runs: list(runRecord) });
const datasetRecord = object({ dataset: storedDataset });

/** Stored settings, checked; the message names `settings.<field>`. */
export function parseStoredSettings(input: unknown): v.InferOutput<typeof storedSettings> {
  return parseWith(settingsRecord, { settings: input }, STORAGE_NAME).settings;
}

/** Stored runs, checked; the message names `runs[i].<field>`. */
export function parseStoredRuns(input: unknown[]): v.InferOutput<typeof runRecord>[] {
  return parseWith(runsRecord, { runs: input }, STORAGE_NAME).runs;
}

/** The stored dataset, checked; the message names `dataset.<field>`. */
export function parseStoredDataset(input: unknown): v.InferOutput<typeof storedDataset> {
  return parseWith(datasetRecord, { dataset: input }, STORAGE_NAME).dataset;
}
