import type { ButtonHTMLAttributes } from 'react';

export type ButtonVariant = 'primary' | 'secondary' | 'danger' | 'ghost';

/**
 * A button of the design system. `type="button"` unless told otherwise, so a button inside a form
 * never submits it by accident; `pending` disables it and marks it busy while its action runs,
 * and its accessible name stays the visible text.
 */
export function Button({ variant = 'primary', pending = false, type = 'button', className, disabled, ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; pending?: boolean }) {
  return (
    <button
      {...rest}
      type={type}
      className={[`btn btn-${variant}`, className].filter(Boolean).join(' ')}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
    />
  );
}
