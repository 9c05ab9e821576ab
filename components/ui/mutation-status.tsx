import type { ErrorAction } from '@/lib/domain';
import { ErrorMessage } from './error-message';

/** What MutationStatus reads of a TanStack `useMutation` result. */
interface MutationState {
  isPending: boolean;
  isSuccess: boolean;
  error: (Error & { action?: ErrorAction }) | null;
}

/**
 * The state of one async action (issue 10 §4): a pending text and a success text as polite status,
 * or the typed error's plain words and fixing action as an alert. Nothing while idle.
 */
export function MutationStatus(props: { mutation: MutationState; pending?: string; success?: string }) {
  const { mutation } = props;
  if (mutation.isPending) {
    return (
      <p className="mutation-status" role="status">
        {props.pending ?? 'Working…'}
      </p>
    );
  }
  if (mutation.error) {
    return (
      <div className="mutation-status" role="alert">
        <ErrorMessage error={mutation.error} />
      </div>
    );
  }
  if (mutation.isSuccess && props.success) {
    return (
      <p className="mutation-status mutation-status-success" role="status">
        {props.success}
      </p>
    );
  }
  return null;
}
