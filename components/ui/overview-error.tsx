import { MessagingError } from '@/lib/messaging';
import { Button } from './button';
import { ErrorMessage } from './error-message';
import { Notice } from './notice';

/**
 * Shown when the overview could not be read: says why in plain words, with the fixing action,
 * and offers a retry unless the error says trying again cannot help.
 */
export function OverviewError(props: { error: Error; onRetry: () => void }) {
  const typed = props.error instanceof MessagingError ? props.error : null;
  const silent = !typed || typed.code === 'no_answer';
  return (
    <Notice
      tone="error"
      title={silent ? "The extension's background did not answer" : 'The extension could not load its settings'}
      action={
        (!typed || typed.retryable) && (
          <Button onClick={props.onRetry}>Try again</Button>
        )
      }
    >
      <ErrorMessage error={props.error} />
    </Notice>
  );
}
