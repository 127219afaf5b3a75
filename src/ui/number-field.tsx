import { useEffect, useState } from 'react';

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

/**
 * A number input that keeps what the user types: a value out of range is shown as
 * invalid, with the allowed range, instead of silently snapping back.
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
  const parsed = Number(draft);
  const valid =
    draft.trim() !== '' &&
    Number.isFinite(parsed) &&
    parsed >= min &&
    (max === undefined || parsed <= max) &&
    (!integer || Number.isInteger(parsed));
  return (
    <label className="field">
      <span>{label ?? name}</span>
      <input
        type="number"
        aria-label={name}
        aria-invalid={!valid}
        value={draft}
        min={min}
        max={max}
        step={step}
        disabled={disabled}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = Number(e.target.value);
          if (
            e.target.value.trim() !== '' &&
            Number.isFinite(v) &&
            v >= min &&
            (max === undefined || v <= max) &&
            (!integer || Number.isInteger(v))
          )
            onChange(v);
        }}
      />
      {!valid && (
        <span className="field-error">
          {integer ? 'a whole number ' : ''}from {min}
          {max !== undefined ? ` to ${max}` : ''}
        </span>
      )}
    </label>
  );
}
