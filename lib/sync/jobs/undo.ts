import { getRun, markRunUndone, outboxOfRun, putOutboxEntries } from '../../db';
import { providerError } from '../../domain';
import { checkCancelled, type JobContext, reportProgress } from '../job-context';
import { requireMailbox } from '../page';

/**
 * Undo (R18): deletes from the CRM exactly the emails one run pushed, one at a time, each marked
 * `undone` as soon as the CRM confirmed it (a stopped worker resumes with the rest). Writes the run
 * queued but had not made yet are marked undone too, so nothing of the run reaches the CRM later.
 * An undone email is not pushed again by later syncs (see `mergeOffer`). Emails the CRM no longer
 * has count as removed.
 */
export async function runUndo(ctx: JobContext): Promise<void> {
  const { db } = ctx.deps;
  const mailbox = await requireMailbox(ctx);
  const runId = ctx.job.params.runId;
  const run = runId ? await getRun(db, runId) : undefined;
  if (!run || run.mailboxId !== mailbox.id) throw providerError('not_found', 'crm', { detail: 'The run to undo is no longer in this mailbox’s sync history.', final: true });
  const crm = await ctx.deps.crm();
  if (!crm) throw providerError('reauth_required', 'crm', { detail: 'Connect the CRM in the options page, then undo again.' });
  const entries = await outboxOfRun(db, run.id);
  // A write of the run being sent right now may land in the CRM after this undo looked: wait for
  // its answer, then undo it with the rest.
  if (entries.some((e) => e.batchId !== null)) throw providerError('rate_limited', 'crm', { retryAfterMs: 5_000, detail: 'Waiting for the CRM to answer a write of this run.' });
  // Whatever the CRM holds of the run goes, including an email whose update is still pending or
  // was refused (it was written once: it has an id); what was never written is only marked.
  const written = entries.filter((e) => e.crmEmailId !== null && e.status !== 'undone' && e.status !== 'cancelled');
  await putOutboxEntries(
    db,
    entries.filter((e) => e.crmEmailId === null && (e.status === 'pending' || e.status === 'failed')).map((e) => ({ ...e, status: 'undone' as const, payload: null })),
  );
  let done = 0;
  for (const entry of written) {
    checkCancelled(ctx);
    await crm.client.deleteEmail(entry.crmEmailId!, { scope: `undo:${run.id}`, signal: ctx.signal });
    await putOutboxEntries(db, [{ ...entry, status: 'undone', payload: null }]);
    done++;
    if (done % 20 === 0 || done === written.length) await reportProgress(ctx, done, written.length, ctx.job.createdAt);
  }
  await markRunUndone(db, run.id, ctx.deps.now());
}
