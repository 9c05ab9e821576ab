import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { Job, Mailbox } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { JobProgress } from '../ui/progress';
import { type BadgeTone, StatusBadge } from '../ui/status-badge';
import { BackfillPanel } from './backfill-panel';
import { type Disconnected, DisconnectPanel } from './disconnect-panel';
import { MailboxOptionsLinks } from './options-links';
import type { LaneJob } from './use-jobs';
import { JOB_NAMES, KIND_NAMES, mailboxName, PROVIDER_NAMES, SCOPE_NAMES } from '../words';

/**
 * Why the mailbox's "Sync now" and "Backfill" are blocked, or null: exactly where the engine refuses
 * them (R12, and the seed: "Provider errors block further sync and backfill"). An error a retry may
 * clear does not block: "Sync now" is that retry.
 */
export function syncBlocker(mailbox: Mailbox): string | null {
  if (mailbox.status === 'reconnect_needed') return `Fix the connection first: ${mailbox.lastError?.message ?? `${PROVIDER_NAMES[mailbox.provider]} needs you to sign in again.`}`;
  const error = mailbox.lastError;
  if (mailbox.status !== 'error' || !error || error.action === 'retry') return null;
  return error.action === 'wait' ? `They can start once the provider's wait ends: ${error.message}` : `Fix the connection first: ${error.message}`;
}

/**
 * Why the mailbox's "Backfill" is blocked, or null: where Sync now is, and also in the error state
 * a retry may clear (the seed: no backfill while a provider error is unresolved), until "Sync now",
 * that retry, succeeds. The engine's `backfill` refuses it the same way.
 */
export function backfillBlocker(mailbox: Mailbox): string | null {
  return syncBlocker(mailbox) ?? (mailbox.status === 'error' ? 'Run Sync now first; backfill once it succeeds.' : null);
}

/** When a quota or rate-limit wait ends: the engine's persisted wait, else the provider's Retry-After. */
function waitEnds(mailbox: Mailbox, jobs: LaneJob[]): number | null {
  const waits = jobs.filter(({ job }) => job.status === 'blocked' || job.status === 'waiting').map(({ job }) => job.notBefore);
  if (waits.length > 0) return Math.max(...waits);
  const error = mailbox.lastError;
  return error?.retryAfterMs != null ? error.at + error.retryAfterMs : null;
}

const RUNNING_WORDS: Partial<Record<Job['kind'], string>> = { backfill: 'Backfilling', incremental: 'Syncing', preview: 'Previewing', undo: 'Undoing' };

/** The badge: the state a rep reads first. Errors win over work in progress. */
function badge(mailbox: Mailbox, jobs: LaneJob[]): { tone: BadgeTone; words: string } {
  if (mailbox.status === 'reconnect_needed') return { tone: 'error', words: 'Reconnect needed' };
  if (mailbox.status === 'error') {
    if (mailbox.lastError?.action === 'wait') return { tone: 'warn', words: 'Waiting for the provider' };
    if (mailbox.lastError?.action === 'grant_permission') return { tone: 'error', words: 'Access missing' };
    return { tone: 'error', words: 'Provider error' };
  }
  const running = jobs.find(({ job }) => job.status === 'running' || job.status === 'queued');
  if (running) return { tone: 'busy', words: RUNNING_WORDS[running.job.kind] ?? 'Working' };
  if (mailbox.status === 'syncing') return { tone: 'busy', words: 'Syncing' };
  return { tone: 'ok', words: 'Connected' };
}

/** The latest error in plain words, with the button that fixes it (R12). */
function MailboxError(props: { mailbox: Mailbox; jobs: LaneJob[] }) {
  const { mailbox } = props;
  const queryClient = useQueryClient();
  const reconnect = useMutation({
    mutationFn: () => sendToBackground('reconnectMailbox', { id: mailbox.id }),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['overview'] }), queryClient.invalidateQueries({ queryKey: ['jobs'] })]),
  });
  const error = mailbox.lastError;
  if (!error && mailbox.status !== 'reconnect_needed') return null;
  const message = error ?? { message: `${PROVIDER_NAMES[mailbox.provider]} needs you to sign in again.`, action: 'reconnect' as const };
  if (message.action === 'wait') {
    const ends = waitEnds(mailbox, props.jobs);
    return (
      <Notice tone="warning" title={ends ? `Paused until ${formatWhen(ends)}` : 'Paused for the provider’s limit'}>
        <p>
          {message.message} Sync resumes on its own{ends ? ` at ${formatWhen(ends)}` : ' when the provider allows it'}.
        </p>
      </Notice>
    );
  }
  const fix = mailbox.status === 'reconnect_needed' || message.action === 'reconnect' ? 'Reconnect' : message.action === 'grant_permission' ? 'Grant access' : null;
  return (
    <Notice
      tone="error"
      title={fix === 'Grant access' ? 'Access missing' : fix ? 'Sign-in needed' : 'Sync stopped'}
      action={
        fix && (
          <Button pending={reconnect.isPending} onClick={() => reconnect.mutate()}>
            {fix}
          </Button>
        )
      }
    >
      {/* With a button that fixes it, the action needs no words of its own. */}
      <ErrorMessage error={fix ? { message: message.message } : message} />
      {error && <p className="small muted">Since {formatWhen(error.at)}.</p>}
      <MutationStatus mutation={reconnect} pending="Waiting for the sign-in…" />
    </Notice>
  );
}

/** One open job: live progress while it runs, its wait otherwise, and "Cancel". */
function JobRow({ job, progress }: LaneJob) {
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => sendToBackground('cancelJob', { jobId: job.id }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
  const label = `${JOB_NAMES[job.kind]}${job.params.days ? ` of the last ${job.params.days} days` : ''}`;
  const waiting = job.status === 'waiting' || job.status === 'blocked';
  return (
    <div className="job">
      {waiting ? (
        <p className="small">
          {label} waits until {formatWhen(job.notBefore)}
          {job.lastError ? `: ${job.lastError.message}` : '.'}
        </p>
      ) : (
        <JobProgress label={label} done={progress?.done ?? 0} total={progress?.total ?? null} etaMs={progress?.etaMs ?? null} />
      )}
      <div className="job-actions">
        <Button variant="secondary" pending={cancel.isPending} onClick={() => cancel.mutate()}>
          Cancel
        </Button>
        <MutationStatus mutation={cancel} pending="Cancelling…" />
      </div>
    </div>
  );
}

/**
 * One mailbox, read at a glance (R36): who it is, its state, the latest error with its fix, the
 * job running now, then the everyday actions, each within two clicks.
 */
export function MailboxCard(props: { mailbox: Mailbox; jobs: LaneJob[]; previewJob: Job | null; onDisconnected: (result: Disconnected) => void }) {
  const { mailbox, jobs } = props;
  const queryClient = useQueryClient();
  const ids = { title: useId(), blocked: useId(), backfillBlocked: useId(), panel: useId() };
  const [open, setOpen] = useState<'backfill' | 'disconnect' | null>(null);
  const syncNow = useMutation({
    mutationFn: () => sendToBackground('syncNow', { mailboxId: mailbox.id }),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['jobs'] }), queryClient.invalidateQueries({ queryKey: ['overview'] })]),
  });
  const state = badge(mailbox, jobs);
  const blocker = syncBlocker(mailbox);
  // Backfill alone is blocked while Sync now is the retry of the error.
  const backfillOnly = blocker ? null : backfillBlocker(mailbox);
  const shown = jobs.filter(({ job }) => job.status !== 'blocked');
  const toggle = (panel: 'backfill' | 'disconnect') => setOpen((current) => (current === panel ? null : panel));

  return (
    <li className="card" aria-labelledby={ids.title}>
      <div className="card-head">
        <h2 id={ids.title} className="card-title">
          {mailboxName(mailbox)}
        </h2>
        <StatusBadge tone={state.tone}>{state.words}</StatusBadge>
      </div>
      <p className="card-meta small muted">
        {SCOPE_NAMES[mailbox.scope]} · {KIND_NAMES[mailbox.kind]} · {mailbox.lastSyncedAt ? `Last synced ${formatWhen(mailbox.lastSyncedAt)}` : 'Not synced yet'}
      </p>
      {mailbox.identity && (
        <p className="card-meta small muted">
          Sends as {mailbox.identity.displayName}
          {mailbox.identity.replyTo ? `, replies to ${mailbox.identity.replyTo}` : ''}
        </p>
      )}
      <MailboxError mailbox={mailbox} jobs={jobs} />
      {mailbox.crmRecordError && (
        <Notice tone="warning" title="CRM record not updated">
          <p className="small">{mailbox.crmRecordError}</p>
        </Notice>
      )}
      {shown.map((lane) => (
        <JobRow key={lane.job.id} {...lane} />
      ))}
      <div className="button-row card-actions">
        <Button variant="secondary" pending={syncNow.isPending} disabled={blocker !== null} aria-describedby={blocker ? ids.blocked : undefined} onClick={() => syncNow.mutate()}>
          Sync now
        </Button>
        <Button
          variant="secondary"
          disabled={blocker !== null || backfillOnly !== null}
          aria-describedby={blocker ? ids.blocked : backfillOnly ? ids.backfillBlocked : undefined}
          aria-expanded={open === 'backfill'}
          aria-controls={open === 'backfill' ? ids.panel : undefined}
          onClick={() => toggle('backfill')}
        >
          Backfill
        </Button>
        <Button variant="ghost" className="danger-text" aria-expanded={open === 'disconnect'} aria-controls={open === 'disconnect' ? ids.panel : undefined} onClick={() => toggle('disconnect')}>
          Disconnect
        </Button>
      </div>
      {blocker && (
        <p id={ids.blocked} className="small blocked-reason">
          Sync now and Backfill are blocked. {blocker}
        </p>
      )}
      {backfillOnly && (
        <p id={ids.backfillBlocked} className="small blocked-reason">
          Backfill is blocked. {backfillOnly}
        </p>
      )}
      {/* "Sync started." would read as good news next to the error the sync ran into. */}
      <MutationStatus mutation={syncNow} pending="Starting a sync…" success={mailbox.lastError ? undefined : 'Sync started.'} />
      {open === 'backfill' && !blocker && !backfillOnly && <BackfillPanel id={ids.panel} mailbox={mailbox} previewJob={props.previewJob} onStarted={() => setOpen(null)} />}
      {open === 'disconnect' && <DisconnectPanel id={ids.panel} mailbox={mailbox} onCancel={() => setOpen(null)} onDisconnected={props.onDisconnected} />}
      <MailboxOptionsLinks mailbox={mailbox} />
    </li>
  );
}
