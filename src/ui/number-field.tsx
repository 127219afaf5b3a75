import { createContext, useContext, useEffect, useId, useState } from 'react';

/**
 * Where a group of fields reports what is wrong with each (`null` once it is fine): the
 * train panel provides one, so a run never starts while a number on screen is refused.
 */
export const FieldProblems = createContext<((name: string, problem: string | null) => void) | null>(
  null,
);

interface Props {
  /** Accessible name; also the visible label unless `label` is given. */
  name: string;
  label?: string;
  value: number;
  min: number;
  max?: number;
  step: number | 'any';
  integer?: boolean;
  disabled: boolean;
  onChange: (v: number) => void;
}

/** What is wrong with `draft` for a field with these limits, in the words the user reads; null if fine. */
export function numberProblem(
  draft: string,
  min: number,
  max: number | undefined,
  integer = false,
): string | null {
  const range = `${integer ? 'a whole number' : 'a number'} from ${min}${max !== undefined ? ` to ${max}` : ''}`;
  const v = Number(draft);
  if (draft.trim() === '' || !Number.isFinite(v)) return `Enter ${range}.`;
  if (v < min || (max !== undefined && v > max)) return `Out of range: enter ${range}.`;
  if (integer && !Number.isInteger(v)) return `Enter ${range}.`;
  return null;
}

/**
 * A number input that keeps what the user types: a value out of range is shown as
 * invalid, with the allowed range, instead of silently snapping back — and, inside a
 * `FieldProblems` provider, reported so that nothing runs with the last valid value.
 */
export function NumberField({
  name,
  label,
  value,
  min,
  max,
  step,
  integer,
  disabled,
  onChange,
}: Props) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  const problem = numberProblem(draft, min, max, integer);
  const report = useContext(FieldProblems);
  // A disabled field does not take part (e.g. Patience with early stopping off).
  const reported = disabled ? null : problem;
  useEffect(() => {
    if (!report) return;
    report(name, reported);
    return () => report(name, null);
  }, [report, name, reported]);
  const errorId = useId();
  return (
    <label className="field">
      <span>{label ?? name}</span>
      <input
        type="number"
        aria-label={name}
        aria-invalid={problem !== null}
        aria-describedby={problem ? errorId : undefined}
        value={draft}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        onChange={(e) => {
          setDraft(e.target.value);
          if (numberProblem(e.target.value, min, max, integer) === null)
            onChange(Number(e.target.value));
        }}
      />
      {problem && (
        <span className="field-error" id={errorId}>
          {problem}
        </span>
      )}
    </label>
  );
}
