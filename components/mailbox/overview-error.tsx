import { Notice } from '../ui/notice';

/** Shown when the background did not answer: says so in plain words and offers a retry. */
export function OverviewError(props: { error: Error; onRetry: () => void }) {
  return (
    <Notice
      tone="error"
      title="The extension's background did not answer"
      action={
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      }
    >
      <p>{props.error.message}</p>
    </Notice>
  );
}
