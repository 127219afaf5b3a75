/**
 * What every file format shares: numbers held to the fields' ranges, bounded text, and
 * one way to turn what is wrong with a file into a sentence that names the file, the
 * field and what it must be. Files are parsed whole before anything of them is used.
 */
import * as v from 'valibot';
import { rangeWords, type NumberRange } from '../ranges';

/** Longest name (model, dataset, class, layer, run id) a file may hold. */
export const NAME_MAX = 1000;
/** Longest file path or message a file may hold. */
export const TEXT_MAX = 4096;

/** A number in `range`: "must be a whole number between 1 and 500". */
export function numberIn(range: NumberRange) {
  const words = `must be ${range.integer ? 'a whole number' : 'a number'} ${rangeWords(range)}`;
  const outOfRange = `must be ${rangeWords(range)}`;
  return v.pipe(
    v.number(words),
    v.finite(words),
    v.check((n) => !range.integer || Number.isInteger(n), words),
    v.minValue(range.min, outOfRange),
    v.maxValue(range.max ?? Infinity, outOfRange),
  );
}

/** Any finite number (a measured loss, an accuracy a file reports). */
export const finite = v.pipe(v.number('must be a number'), v.finite('must be a finite number'));
/** A share between 0 and 1 (an accuracy, a precision). */
export const share = numberIn({ min: 0, max: 1 });
/** A count: a whole number from 0. */
export const count = numberIn({ min: 0, integer: true });

/** Text of at most `max` characters; `nonEmpty` refuses "". */
export function text(max = NAME_MAX, nonEmpty = false) {
  return v.pipe(
    v.string(`must be text`),
    v.maxLength(max, `must be text of at most ${max} characters`),
    v.check((s) => !nonEmpty || s.trim() !== '', 'must not be empty'),
  );
}

export const bool = v.boolean('must be true or false');

const notList = v.custom<Record<string, unknown>>(
  (x) => typeof x === 'object' && x !== null && !Array.isArray(x),
  'must be an object',
);

/** An object mapping names to `value` (never a list). */
export function dictionary<T extends v.GenericSchema>(value: T) {
  return v.pipe(notList, v.record(v.string(), value));
}

/** A list of `item`s, at most `max` of them. */
export function list<T extends v.GenericSchema>(item: T, max = 1_000_000) {
  return v.pipe(v.array(item, 'must be a list'), v.maxLength(max, `must list at most ${max}`));
}

/** An object with these fields (never a list); fields it does not name are dropped. */
export function object<T extends v.ObjectEntries>(entries: T) {
  return v.pipe(notList, v.object(entries, 'must be an object'));
}

/** A value as a message shows it: never more than a few dozen characters. */
export function shown(value: unknown): string {
  if (typeof value === 'string')
    return value.length > 40 ? `text of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** `settings.params.learningRate`, `runs[0].epochs[2].valLoss`, `plan.modes["a b"]`. */
export function pathText(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key))
      out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key).slice(0, 60))}]`;
  }
  return out;
}

/** The sentence for what is wrong with `file`: the first problem, and how many more there are. */
export function problemText(file: string, issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0]!;
  const path = pathText(first);
  const missing = first.input === undefined && path !== '';
  const what = missing
    ? `${path} is missing`
    : `${path || 'the file'} ${first.message} (got ${shown(first.input)})`;
  const more = issues.length - 1;
  return `"${file}": ${what}.${more > 0 ? ` It has ${more} more problem${more === 1 ? '' : 's'}.` : ''}`;
}

/** Thrown when a file does not match its format; the message is the sentence a user reads. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/**
 * Parses `input` (already out of JSON, or read back from storage) against `schema`, all of
 * it, or throws a `FormatError` naming `file`, the field and the allowed range. The output
 * is a new object holding only the fields the format knows.
 */
export function parseWith<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  file: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortPipeEarly: true });
  if (!result.success) throw new FormatError(problemText(file, result.issues));
  return result.output;
}

/** JSON text → value, or a `FormatError` naming the file. */
export function parseJsonText(source: string, file: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch (err) {
    throw new FormatError(`"${file}" is not valid JSON (${(err as Error).message}).`);
  }
}

/**
 * The `format` and `version` a file states, checked before the rest so that a foreign or
 * newer file is told apart from a damaged one.
 */
export function header(input: unknown): { format: unknown; version: unknown } | null {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
  const o = input as Record<string, unknown>;
  return { format: o.format, version: o.version };
}
