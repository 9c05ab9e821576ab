import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { type Job, type Mailbox, type SkipReason } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { openOptionsPage } from '@/lib/platform';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { formatCount, formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { useZodForm } from '../ui/use-zod-form';
import { backfillDaysField, DaysField } from './days-field';
import { PROVIDER_NAMES, SKIP_REASON_LABELS } from '../words';

/** R10: the first backfill's longest window until matching is verified (the engine holds to it too). */
const FIRST_BACKFILL_MAX_DAYS = 14;
/** Contacts listed in a preview before "and N more". */
const PREVIEW_CONTACTS = 8;

const daysForm = z.object({ days: backfillDaysField });

/**
 * The backfill of one mailbox (R10, R11): the window in days, "Preview" first (what would be pushed
 * per contact, what would be skipped and why), then "Start backfill". The first backfill is held
 * to 14 days until matching is verified; above 60 days the engine asks to confirm its estimate.
 */
export function BackfillPanel(props: { id: string; mailbox: Mailbox; previewJob: Job | null; onStarted: () => void }) {
  const { mailbox, previewJob } = props;
  const queryClient = useQueryClient();
  const verified = mailbox.checklist.matching_verified !== undefined;
  const form = useZodForm(daysForm, { days: String(mailbox.backfillDays) });
  const [confirm, setConfirm] = useState<{ days: number; estimate: number | null } | null>(null);
  const refreshJobs = () => queryClient.invalidateQueries({ queryKey: ['jobs'] });
  const preview = useMutation({ mutationFn: (days: number) => sendToBackground('preview', { mailboxId: mailbox.id, days }), onSettled: refreshJobs });
  const backfill = useMutation({
    mutationFn: (input: { days: number; confirmed: boolean }) => sendToBackground('backfill', { mailboxId: mailbox.id, ...input }),
    onSuccess: (answer) => {
      if ('confirm' in answer) return setConfirm(answer.confirm);
      setConfirm(null);
      props.onStarted();
    },
    onSettled: refreshJobs,
  });
  const checklist = useMutation({ mutationFn: () => openOptionsPage('checklist') });
  const start = form.submit(({ days }) => {
    if (days > FIRST_BACKFILL_MAX_DAYS && !verified) {
      form.setErrors({ days: `The first backfill is held to ${FIRST_BACKFILL_MAX_DAYS} days until matching is verified.` });
      return;
    }
    setConfirm(null);
    backfill.mutate({ days, confirmed: false });
  });
  const previewRunning = previewJob !== null && ['queued', 'running', 'waiting'].includes(previewJob.status);

  return (
    <div id={props.id} className="card-panel" role="group" aria-label={`Backfill ${mailbox.address}`}>
      <DaysField label="Days to import" value={form.values.days} onChange={(days) => form.set('days', days)} error={form.errors.days} disabled={backfill.isPending} />
      {!verified && (
        <div className="hold-note small">
          <p>
            The first backfill is held to {FIRST_BACKFILL_MAX_DAYS} days until matching is verified: check a preview, review the imported sample, then tick
            &ldquo;Matching verified&rdquo; in the launch checklist.
          </p>
          <Button variant="ghost" pending={checklist.isPending} onClick={() => checklist.mutate()}>
            Open the launch checklist
          </Button>
          <MutationStatus mutation={checklist} />
        </div>
      )}
      <div className="button-row">
        <Button variant={previewJob?.status === 'done' ? 'secondary' : 'primary'} pending={preview.isPending} disabled={previewRunning} onClick={form.submit(({ days }) => preview.mutate(days))}>
          Preview
        </Button>
        <Button variant={previewJob?.status === 'done' ? 'primary' : 'secondary'} pending={backfill.isPending} disabled={confirm !== null} onClick={start}>
          Start backfill
        </Button>
      </div>
      <MutationStatus mutation={preview} pending="Starting the preview…" />
      <MutationStatus mutation={backfill} pending="Starting the backfill…" />
      {confirm && (
        <Notice
          tone="warning"
          title={`Import ${confirm.days} days of history?`}
          action={
            <>
              <Button pending={backfill.isPending} onClick={() => backfill.mutate({ days: confirm.days, confirmed: true })}>
                Confirm backfill
              </Button>
              <Button variant="secondary" onClick={() => setConfirm(null)}>
                Not now
              </Button>
            </>
          }
        >
          <p>
            {confirm.estimate === null
              ? `${PROVIDER_NAMES[mailbox.provider]} gave no estimate for this window.`
              : `${PROVIDER_NAMES[mailbox.provider]} estimates about ${formatCount(confirm.estimate)} messages in this window.`}{' '}
            Large backfills can bring in old conversations your team may not want on current CRM records.
          </p>
        </Notice>
      )}
      {previewRunning && <p className="small muted">Preview running; its result shows here when it ends.</p>}
      {previewJob?.status === 'failed' && previewJob.lastError && (
        <Notice tone="error" title="The preview stopped">
          <ErrorMessage error={previewJob.lastError} />
        </Notice>
      )}
      {previewJob?.status === 'done' && previewJob.runId && <PreviewResult mailboxId={mailbox.id} runId={previewJob.runId} days={previewJob.params.days ?? null} />}
    </div>
  );
}

/** What a preview run found (R11): per contact what would be pushed, and what would be skipped, by reason. */
function PreviewResult(props: { mailboxId: string; runId: string; days: number | null }) {
  const runs = useQuery({ queryKey: ['runs', props.mailboxId], queryFn: () => sendToBackground('getRuns', { mailboxId: props.mailboxId }) });
  const sample = useQuery({ queryKey: ['runSample', props.runId], queryFn: () => sendToBackground('getRunSample', { runId: props.runId, perContact: 1 }) });
  const run = runs.data?.runs.find((r) => r.id === props.runId);
  const failure = runs.error ?? sample.error;
  if (failure) {
    return (
      <div role="alert">
        <ErrorMessage error={failure} />
      </div>
    );
  }
  if (!run || !sample.data) return <p className="small muted">Loading the preview…</p>;
  const skipped = (Object.entries(run.counts.skipped) as [SkipReason, number][]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const contacts = [...sample.data.contacts].sort((a, b) => b.total - a.total);
  const skippedTotal = skipped.reduce((sum, [, n]) => sum + n, 0);
  return (
    <section className="preview" aria-labelledby={`${props.runId}-title`}>
      <h3 id={`${props.runId}-title`}>
        Preview{props.days ? ` of the last ${props.days} days` : ''}
        {run.finishedAt ? `, ${formatWhen(run.finishedAt)}` : ''}
      </h3>
      <p className="small">
        {/* A preview pushes nothing: what it matched is what a backfill would log. */}
        {formatCount(run.counts.fetched)} messages read: {formatCount(run.counts.matched)} would be logged on {formatCount(contacts.length)} contacts,{' '}
        {formatCount(skippedTotal)} skipped.
      </p>
      {contacts.length > 0 && (
        <>
          <h4>Would be logged, per contact</h4>
          <ul className="count-list">
            {contacts.slice(0, PREVIEW_CONTACTS).map((c) => (
              <li key={c.contact.id}>
                <span>
                  {c.contact.name ?? c.contact.id}
                  {c.contact.company ? ` (${c.contact.company})` : ''}
                </span>
                <span className="count">{formatCount(c.total)}</span>
              </li>
            ))}
          </ul>
          {contacts.length > PREVIEW_CONTACTS && <p className="small muted">and {contacts.length - PREVIEW_CONTACTS} more contacts</p>}
        </>
      )}
      {skipped.length > 0 && (
        <>
          <h4>Would be skipped, by reason</h4>
          <ul className="count-list">
            {skipped.map(([reason, n]) => (
              <li key={reason}>
                <span>{SKIP_REASON_LABELS[reason]}</span>
                <span className="count">{formatCount(n)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
