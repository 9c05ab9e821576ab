import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes, useId } from 'react';

interface FieldText {
  label: ReactNode;
  error?: string | null;
  hint?: ReactNode;
}

/**
 * Ids for a control and the texts that describe it: the hint, and the error when there is one.
 * The control is `aria-invalid` exactly when an error is shown, and described by both texts.
 */
function useFieldIds(given: string | undefined, error: string | null | undefined, hint: ReactNode) {
  const own = useId();
  const id = given ?? own;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return { id, hintId, errorId, control: { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } };
}

function FieldTexts(props: { hint: ReactNode; hintId: string; error: string | null | undefined; errorId: string }) {
  return (
    <>
      {props.hint && (
        <p id={props.hintId} className="field-hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={props.errorId} className="field-error">
          {props.error}
        </p>
      )}
    </>
  );
}

/** A labelled control: the label above it, then its hint and error. */
function LabelledField(props: { label: ReactNode; ids: ReturnType<typeof useFieldIds>; hint: ReactNode; error: string | null | undefined; children: ReactNode }) {
  const { ids } = props;
  return (
    <div className="field">
      <label className="field-label" htmlFor={ids.id}>
        {props.label}
      </label>
      {props.children}
      <FieldTexts hint={props.hint} hintId={ids.hintId} error={props.error} errorId={ids.errorId} />
    </div>
  );
}

/** A text input with its real label, an optional hint and the error on the field. */
export function TextField({ label, error, hint, id, ...inputProps }: FieldText & InputHTMLAttributes<HTMLInputElement>) {
  const ids = useFieldIds(id, error, hint);
  return (
    <LabelledField label={label} ids={ids} hint={hint} error={error}>
      <input type="text" {...inputProps} {...ids.control} />
    </LabelledField>
  );
}

/** A multi-line text field with its label, hint and error. */
export function TextAreaField({ label, error, hint, id, ...textareaProps }: FieldText & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const ids = useFieldIds(id, error, hint);
  return (
    <LabelledField label={label} ids={ids} hint={hint} error={error}>
      <textarea rows={3} {...textareaProps} {...ids.control} />
    </LabelledField>
  );
}

/** A select with its label, hint and error; `options` are its choices in order. */
export function SelectField({ label, error, hint, id, options, ...selectProps }: FieldText & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[] }) {
  const ids = useFieldIds(id, error, hint);
  return (
    <LabelledField label={label} ids={ids} hint={hint} error={error}>
      <select {...selectProps} {...ids.control}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </LabelledField>
  );
}

/** A checkbox with its label after it and an optional hint. */
export function CheckboxField({ label, hint, id, ...inputProps }: Omit<FieldText, 'error'> & InputHTMLAttributes<HTMLInputElement>) {
  const ids = useFieldIds(id, null, hint);
  return (
    <div className="field-check-wrap">
      <div className="field-check">
        <input {...inputProps} type="checkbox" {...ids.control} />
        <label htmlFor={ids.id}>{label}</label>
      </div>
      <FieldTexts hint={hint} hintId={ids.hintId} error={null} errorId={ids.errorId} />
    </div>
  );
}

/**
 * One choice among a few, as radio buttons in a fieldset whose legend names the question. An
 * error is shown under the group, which is then invalid and described by it.
 */
export function RadioGroup<V extends string>(props: {
  legend: ReactNode;
  name: string;
  value: V;
  options: { value: V; label: ReactNode; hint?: ReactNode }[];
  onChange: (value: V) => void;
  error?: string | null;
  disabled?: boolean;
}) {
  const base = useId();
  const errorId = `${base}-error`;
  return (
    <fieldset className="radio-group" role="radiogroup" aria-invalid={props.error ? true : undefined} aria-describedby={props.error ? errorId : undefined} disabled={props.disabled}>
      <legend>{props.legend}</legend>
      {props.options.map((option) => {
        const id = `${base}-${option.value}`;
        return (
          <div key={option.value} className="radio-option">
            <input
              type="radio"
              id={id}
              name={props.name}
              value={option.value}
              checked={props.value === option.value}
              onChange={() => props.onChange(option.value)}
              aria-describedby={option.hint ? `${id}-hint` : undefined}
            />
            <label htmlFor={id}>{option.label}</label>
            {option.hint && (
              <span id={`${id}-hint`} className="field-hint">
                {option.hint}
              </span>
            )}
          </div>
        );
      })}
      {props.error && (
        <p id={errorId} className="field-error">
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
