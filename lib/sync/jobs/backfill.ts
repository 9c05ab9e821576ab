import { bestEffort } from '../../async';
import { advanceCheckpoint, type Checkpoint, getCheckpoint, seqOf } from '../../db';
import { DAY_MS, providerError } from '../../domain';
import { decideAndCommit, requireMailbox } from '../page';
import { checkCancelled, ensureRun, type JobContext, reportProgress } from '../job-context';
import { ensureIncrementalCursor } from './incremental';
import { mirrorContacts } from './contacts';

/** The first backfill of a mailbox is held to this many days until matching is verified (R10). */
export const FIRST_BACKFILL_MAX_DAYS = 14;
/** Above this many days a backfill needs the user's confirmation of the provider's estimate (R10). */
export const CONFIRM_ABOVE_DAYS = 60;

/** Whether the stored backfill checkpoint belongs to this job (a new backfill starts over). */
function isOwnCheckpoint(checkpoint: Checkpoint | undefined, jobCreatedAt: number): checkpoint is Checkpoint {
  return checkpoint !== undefined && checkpoint.progress.job === jobCreatedAt;
}

/**
 * Backfill (R10): the last N days, newest first, a page at a time, each page committed with its
 * position (R13). Before the first page, the contact mirror is refreshed (R20) and the incremental
 * cursor taken, so mail arriving meanwhile comes through incremental sync. Resumed after a stop,
 * it continues from its last committed page with the same window.
 */
export async function runBackfill(ctx: JobContext): Promise<void> {
  const { db } = ctx.deps;
  let mailbox = await requireMailbox(ctx);
  const run = await ensureRun(ctx, 'backfill');
  let checkpoint = await getCheckpoint(db, mailbox.id, 'backfill');
  if (!isOwnCheckpoint(checkpoint, ctx.job.createdAt)) {
    const days = ctx.job.params.days;
    if (days === undefined) throw providerError('bad_response', mailbox.provider, { detail: 'The backfill was queued without a number of days.', final: true });
    // A CRM that cannot be reached now does not stop the backfill: a stale mirror only delays
    // matches, which retro-match pushes once the mirror catches up.
    await bestEffort('refresh the contact mirror before a backfill', mirrorContacts(ctx.deps, ctx.signal));
    await ensureIncrementalCursor(ctx.deps, mailbox, ctx.signal);
    const stored = await getCheckpoint(db, mailbox.id, 'backfill');
    const step = await advanceCheckpoint(
      db,
      { mailboxId: mailbox.id, job: 'backfill', cursor: null, progress: { job: ctx.job.createdAt, since: ctx.deps.now() - days * DAY_MS, done: 0, estimate: -1, finished: 0 } },
      seqOf(stored),
      ctx.deps.now(),
    );
    if ('stale' in step) throw providerError('bad_response', mailbox.provider, { detail: 'Another backfill of this mailbox started at the same time.' });
    checkpoint = step.advanced;
  }
  const since = checkpoint.progress.since!;
  while (checkpoint.progress.finished !== 1) {
    checkCancelled(ctx);
    mailbox = await requireMailbox(ctx);
    const page = await ctx.deps.provider(mailbox).listWindow({ since, cursor: checkpoint.cursor, visibility: mailbox.visibility, only: mailbox.syncOnly, signal: ctx.signal });
    const done = checkpoint.progress.done! + page.messages.length;
    const estimate = page.estimate ?? checkpoint.progress.estimate!;
    const result = await decideAndCommit(ctx, mailbox, {
      job: 'backfill',
      fromSeq: checkpoint.seq,
      cursor: page.nextCursor,
      progress: { ...checkpoint.progress, done, estimate: Math.max(estimate, done), finished: page.nextCursor === null ? 1 : 0 },
      messages: page.messages,
      runId: run.id,
    });
    if (!result.committed) throw providerError('bad_response', mailbox.provider, { detail: 'Another backfill of this mailbox moved on meanwhile.' });
    checkpoint = result.checkpoint;
    await reportProgress(ctx, done, page.nextCursor === null ? done : Math.max(estimate, done), run.startedAt);
  }
}
