import { useId } from 'react';
import { formatCount, formatDuration } from './format';

/** The words of a job's progress: what is done of how many, and the time left when known. */
export function progressText(done: number, total: number | null, etaMs: number | null): string {
  const counts = total === null ? `${formatCount(done)} messages so far` : `${formatCount(done)} of ${formatCount(Math.max(total, done))} messages`;
  return etaMs === null ? counts : `${counts}, ${formatDuration(etaMs)} left`;
}

/**
 * A running job's progress (R10) as a real `progressbar` named by its visible label: its values
 * are the counts, and its value text (also shown) says them with the ETA. Without a total it is
 * indeterminate.
 */
export function JobProgress(props: { label: string; done: number; total: number | null; etaMs: number | null }) {
  const { done, total, etaMs } = props;
  // The provider's estimate may fall short of what was fetched: the bar then shows full, not over.
  const max = total === null ? null : Math.max(total, done);
  const text = progressText(done, total, etaMs);
  const labelId = useId();
  const percent = max ? Math.min(100, (done / max) * 100) : max === 0 ? 100 : 0;
  return (
    <div className="progress">
      <p id={labelId} className="progress-label">
        {props.label}
      </p>
      <div
        className="progress-track"
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={0}
        aria-valuemax={max ?? undefined}
        aria-valuenow={max === null ? undefined : done}
        aria-valuetext={text}
        data-indeterminate={max === null ? '' : undefined}
      >
        <div className="progress-fill" style={max === null ? undefined : { width: `${percent}%` }} />
      </div>
      <p className="progress-text" aria-hidden="true">
        {text}
      </p>
    </div>
  );
}
