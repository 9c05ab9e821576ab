import type { ErrorAction } from '@/lib/domain';

/** What the user can do about an error, next to its message (R12); nothing when no action helps. */
const ACTION_HINTS: Record<ErrorAction, string | null> = {
  reconnect: 'Sign in again to fix this.',
  grant_permission: 'Allow the access the extension asks for, then try again.',
  wait: 'Wait a while, then try again.',
  retry: 'Try again.',
  none: null,
};

/**
 * An error in plain words with the action that fixes it: a typed error (the background's
 * `MessagingError`, a stored `ProviderError`) carries its `action`; any other error shows its message only.
 */
export function ErrorMessage(props: { error: { message: string; action?: ErrorAction } }) {
  const hint = props.error.action ? ACTION_HINTS[props.error.action] : null;
  return (
    <p className="error-text">
      {props.error.message}
      {hint && <span className="error-action"> {hint}</span>}
    </p>
  );
}
