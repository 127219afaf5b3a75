/**
 * A model's `metadata.json` as Teachable Machine (and Thaw's own export) writes it beside
 * `model.json`: class labels, input size, package fields, and optionally a pixel range.
 * Every field is optional; one that is present must be what the format says.
 */
import * as v from 'valibot';
import { INPUT_SIZE_RANGE } from '../ranges';
import { finite, list, numberIn, object, parseWith, text } from './common';

const valueRange = v.pipe(
  v.tuple([finite, finite], 'must be [low, high]'),
  v.check(([lo, hi]) => lo < hi, 'must have low < high'),
);

const optionalText = v.optional(v.nullable(text()));

export const metadataJson = object({
  labels: v.optional(list(text(), 100_000)),
  imageSize: v.optional(v.nullable(numberIn(INPUT_SIZE_RANGE))),
  modelName: optionalText,
  packageName: optionalText,
  packageVersion: optionalText,
  tmVersion: optionalText,
  valueRange: v.optional(valueRange),
  userMetadata: v.optional(
    v.nullable(v.looseObject({ valueRange: v.optional(valueRange) }, 'must be an object')),
  ),
});

export type MetadataJson = v.InferOutput<typeof metadataJson>;

/** A checked metadata.json; throws a sentence naming `file`, the field and what it must be. */
export function parseMetadataJson(input: unknown, file = 'metadata.json'): MetadataJson {
  return parseWith(metadataJson, input, file);
}
