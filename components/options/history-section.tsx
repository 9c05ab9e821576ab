import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { Job, Mailbox, SyncRun } from '@/lib/domain';
import { type MessageOutput, sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { formatCount, formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { Panel } from '../ui/panel';
import { JobProgress } from '../ui/progress';
import { StatusBadge } from '../ui/status-badge';
import { MessageLookup } from './message-lookup';
import { mailboxPartId, runRowId } from './navigation';
import { useJobs, useRuns } from './queries';
import { RunReview } from './run-review';
import { RUN_KIND_NAMES, RUN_STATUS_NAMES, skippedWords } from '../words';

/** Runs listed at first per mailbox, newest first; the rest on demand. */
const RUNS_SHOWN = 20;
const STATUS_TONE = { running: 'busy', succeeded: 'ok', failed: 'error', cancelled: 'warn' } as const;

/** Whether "Undo" is offered for a run (R18): a backfill that ended (finished, failed or cancelled) and is not undone yet. */
export function canUndo(run: SyncRun): boolean {
  return run.kind === 'backfill' && run.status !== 'running' && run.undoneAt === null;
}

/** Sync history (R17, R18, R24): every run with its counts, undo per backfill, the review sample, and "why wasn't this logged?". */
export function HistorySection(props: { mailboxes: readonly Mailbox[] }) {
  return (
    <Panel id="history" title="Sync history" description="Every sync and backfill with what it did. Undo a backfill, review what it logged, or ask why a message was not logged.">
      {props.mailboxes.length === 0 && <p>No mailbox connected yet.</p>}
      {props.mailboxes.map((mailbox, index) => (
        <MailboxHistory key={mailbox.id} mailbox={mailbox} index={index} />
      ))}
      {props.mailboxes.length > 0 && <MessageLookup mailboxes={props.mailboxes} />}
    </Panel>
  );
}

function MailboxHistory(props: { mailbox: Mailbox; index: number }) {
  const runs = useRuns(props.mailbox.id);
  const [reviewing, setReviewing] = useState<SyncRun | null>(null);
  const [showAll, setShowAll] = useState(false);
  const shown = showAll ? runs.data : runs.data?.slice(0, RUNS_SHOWN);
  const headingId = `${mailboxPartId('history', props.index)}-heading`;
  return (
    <section id={mailboxPartId('history', props.index)} className="subsection" aria-labelledby={headingId}>
      <h3 id={headingId}>{props.mailbox.address}</h3>
      {runs.isPending && <p role="status">Loading the sync history…</p>}
      {runs.isError && (
        <Notice tone="error" title="Could not read the sync history" action={<Button onClick={() => runs.refetch()}>Try again</Button>}>
          <ErrorMessage error={runs.error} />
        </Notice>
      )}
      {runs.isSuccess && runs.data.length === 0 && <p>No sync has run yet.</p>}
      {runs.isSuccess && runs.data.length > 0 && (
        <div className="table-scroll">
          <table className="runs">
            <caption className="visually-hidden">Runs of {props.mailbox.address}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col" className="num">Fetched</th>
                <th scope="col" className="num">Matched</th>
                <th scope="col" className="num">Pushed</th>
                <th scope="col">Skipped</th>
                <th scope="col" className="num">Duplicates</th>
                <th scope="col" className="num">Errors</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown?.map((run) => (
                <RunRow key={run.id} run={run} reviewing={reviewing?.id === run.id} onReview={() => setReviewing(reviewing?.id === run.id ? null : run)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {runs.isSuccess && runs.data.length > RUNS_SHOWN && (
        <Button variant="ghost" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
          {showAll ? `Show the latest ${RUNS_SHOWN} runs only` : `Show all ${runs.data.length} runs`}
        </Button>
      )}
      {reviewing && <RunReview mailbox={props.mailbox} run={reviewing} onClose={() => setReviewing(null)} />}
    </section>
  );
}

function RunRow(props: { run: SyncRun; reviewing: boolean; onReview: () => void }) {
  const { run } = props;
  const c = run.counts;
  const label = `${RUN_KIND_NAMES[run.kind].toLowerCase()} of ${formatWhen(run.startedAt)}`;
  return (
    <tr id={runRowId(run.id)}>
      <td>{formatWhen(run.startedAt)}</td>
      <td>{RUN_KIND_NAMES[run.kind]}</td>
      <td>
        <StatusBadge tone={run.undoneAt !== null ? 'warn' : STATUS_TONE[run.status]}>{run.undoneAt !== null ? 'Undone' : RUN_STATUS_NAMES[run.status]}</StatusBadge>
        {run.error && <ErrorMessage error={{ message: run.error.message, action: run.error.action }} />}
      </td>
      <td className="num">{formatCount(c.fetched)}</td>
      <td className="num">{formatCount(c.matched)}</td>
      <td className="num">{formatCount(c.pushed)}</td>
      <td>{skippedWords(c.skipped)}</td>
      <td className="num">{formatCount(c.duplicates)}</td>
      <td className="num">{formatCount(c.errors)}</td>
      <td className="run-actions">
        {run.kind !== 'preview' && run.status !== 'running' && (
          <Button variant="ghost" aria-expanded={props.reviewing} aria-label={`Review the ${label}`} onClick={props.onReview}>
            Review
          </Button>
        )}
        {(canUndo(run) || run.undoneAt !== null) && <UndoRun run={run} label={label} />}
      </td>
    </tr>
  );
}

/** Whether a job stopped for good: done, failed or cancelled. */
function ended(job: Job | undefined): job is Job {
  return job !== undefined && ['done', 'failed', 'cancelled'].includes(job.status);
}

/** "Undo" (R18) with a confirmation, then the undo job's progress and result. */
function UndoRun(props: { run: SyncRun; label: string }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const undo = useMutation({
    mutationFn: () => sendToBackground('undoRun', { mailboxId: props.run.mailboxId, runId: props.run.id }),
    onSuccess: () => {
      setConfirming(false);
      return queryClient.invalidateQueries({ queryKey: ['jobs'] });
    },
  });
  const jobId = undo.data?.job.id ?? null;
  const undoJob = (latest: MessageOutput<'getJobs'> | undefined) => latest?.jobs.find((j) => j.id === jobId && j.params.runId === props.run.id);
  const jobs = useJobs((latest) => jobId !== null && !ended(undoJob(latest)));
  const job = undoJob(jobs.data);
  const progress = jobs.data?.progress.find((p) => p.jobId === jobId);
  const finished = ended(job);
  const undone = job?.status === 'done';
  // The run's row then says when it was undone.
  useEffect(() => {
    if (undone) void queryClient.invalidateQueries({ queryKey: ['runs', props.run.mailboxId] });
  }, [undone, queryClient, props.run.mailboxId]);

  if (props.run.undoneAt !== null) return <span className="undone">Removed from the CRM {formatWhen(props.run.undoneAt)}</span>;
  return (
    <div className="undo">
      {!confirming && (!undo.isSuccess || (finished && !undone)) && (
        <Button variant="secondary" aria-label={`Undo the ${props.label}`} onClick={() => setConfirming(true)}>
          Undo
        </Button>
      )}
      {confirming && (
        <div role="group" aria-label={`Confirm undoing the ${props.label}`} className="confirm">
          <p>Remove from the CRM the {formatCount(props.run.counts.pushed)} emails this backfill logged?</p>
          <div className="button-row">
            <Button variant="danger" pending={undo.isPending} onClick={() => undo.mutate()}>
              Remove them from the CRM
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Keep them
            </Button>
          </div>
        </div>
      )}
      <MutationStatus mutation={undo} pending="Starting the undo…" />
      {undo.isSuccess && !finished && (
        <JobProgress label={`Undoing the ${props.label}`} done={progress?.done ?? 0} total={progress?.total ?? null} etaMs={progress?.etaMs ?? null} />
      )}
      {job?.status === 'failed' && <ErrorMessage error={job.lastError ?? { message: 'The undo stopped before it finished.' }} />}
      {job?.status === 'cancelled' && <p role="status">The undo was cancelled; what it removed stays removed.</p>}
    </div>
  );
}
