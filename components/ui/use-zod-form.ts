import { type ChangeEvent, type FormEvent, useState } from 'react';
import type { z } from 'zod';
import { MessagingError } from '@/lib/messaging';

/** Field messages keyed by field name; an issue about the whole form is kept under `form`. */
export type FieldErrors = Partial<Record<string, string>>;

/** Each field's first message, by the first segment of each issue's path. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : 'form';
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * The fields the background refused (`MessagingError.fields`, keyed by issue path like `owner` or
 * `token`), each by its path's first segment as `fieldErrors` does; null for any other error.
 */
export function refusedFields(error: unknown): FieldErrors | null {
  if (!(error instanceof MessagingError) || !error.fields) return null;
  const errors: FieldErrors = {};
  for (const [path, message] of Object.entries(error.fields)) errors[path.split('.')[0] || 'form'] ??= message;
  return errors;
}

/**
 * A form's values checked by a zod schema on submit (issue 10 §4): `submit(onValid)` gives the
 * form's submit handler, which calls `onValid` with the parsed values or shows each problem on its
 * field. Changing a field clears its message. `text(name)` binds a text control (TextField,
 * TextAreaField, SelectField) to a string field: its value, its message and its change.
 */
export function useZodForm<S extends z.ZodType<unknown, Record<string, unknown>>>(schema: S, initial: z.input<S>) {
  type Values = z.input<S>;
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});

  const set = <K extends keyof Values & string>(name: K, value: Values[K]) => {
    setValues((current) => ({ ...current, [name]: value }));
    setErrors((current) => {
      if (current[name] === undefined && current.form === undefined) return current;
      const { [name]: _field, form: _form, ...rest } = current;
      return rest;
    });
  };

  const submit = (onValid: (parsed: z.output<S>) => void) => (event?: FormEvent) => {
    event?.preventDefault();
    const result = schema.safeParse(values);
    if (!result.success) {
      setErrors(fieldErrors(result.error.issues));
      return;
    }
    setErrors({});
    onValid(result.data);
  };

  type TextName = { [K in keyof Values & string]: Values[K] extends string ? K : never }[keyof Values & string];
  const text = <K extends TextName>(name: K) => ({
    value: values[name] as string,
    error: errors[name],
    onChange: (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>) => set(name, event.target.value as Values[K]),
  });

  return { values, set, text, errors, submit, setErrors };
}
