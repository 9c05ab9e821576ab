import { bestEffort } from '../../async';
import { policySets } from '../../matching/skip-rules';
import { advanceCheckpoint, atomically, type Checkpoint, getCheckpoint, seqOf } from '../../db';
import { addRunCounts } from '../../db';
import { DAY_MS, providerError } from '../../domain';
import { countDecisions, decide, loadDecideContext } from '../decide';
import { checkCancelled, ensureRun, type JobContext, reportProgress } from '../job-context';
import { requireMailbox } from '../page';
import { mirrorContacts } from './contacts';

/**
 * Preview, a dry run (R11): the backfill's window classified with the same rules and the same
 * contact mirror, nothing stored but the run's counts (per contact, per skip reason), nothing
 * pushed. Messages are read as metadata only: classification needs nothing more. Resumable like a
 * backfill; its counts equal what a backfill of the same window then decides.
 */
export async function runPreview(ctx: JobContext): Promise<void> {
  const { db } = ctx.deps;
  let mailbox = await requireMailbox(ctx);
  const run = await ensureRun(ctx, 'preview');
  let checkpoint: Checkpoint | undefined = await getCheckpoint(db, mailbox.id, 'preview');
  if (checkpoint?.progress.job !== ctx.job.createdAt) {
    const days = ctx.job.params.days;
    if (days === undefined) throw providerError('bad_response', mailbox.provider, { detail: 'The preview was queued without a number of days.', final: true });
    await bestEffort('refresh the contact mirror before a preview', mirrorContacts(ctx.deps, ctx.signal));
    const progress = { job: ctx.job.createdAt, since: ctx.deps.now() - days * DAY_MS, done: 0, estimate: -1, finished: 0 };
    const step = await advanceCheckpoint(db, { mailboxId: mailbox.id, job: 'preview', cursor: null, progress }, seqOf(checkpoint), ctx.deps.now());
    if ('stale' in step) throw providerError('bad_response', mailbox.provider, { detail: 'Another preview of this mailbox started at the same time.' });
    checkpoint = step.advanced;
  }
  const policy = policySets(await ctx.deps.privacyRules());
  while (checkpoint.progress.finished !== 1) {
    checkCancelled(ctx);
    mailbox = await requireMailbox(ctx);
    const page = await ctx.deps.provider(mailbox).listWindow({ since: checkpoint.progress.since!, cursor: checkpoint.cursor, visibility: 'metadata', only: mailbox.syncOnly, signal: ctx.signal });
    const now = ctx.deps.now();
    const done = checkpoint.progress.done! + page.messages.length;
    const estimate = Math.max(page.estimate ?? checkpoint.progress.estimate!, done);
    const from = checkpoint.seq;
    checkpoint = await atomically(db, ['contacts', 'threadLinks', 'checkpoints', 'syncRuns'], async () => {
      const context = await loadDecideContext(db, mailbox, policy, page.messages);
      const decisions = page.messages.map((m) => decide(m, context, run.id, now));
      const step = await advanceCheckpoint(db, { mailboxId: mailbox.id, job: 'preview', cursor: page.nextCursor, progress: { ...checkpoint!.progress, done, estimate, finished: page.nextCursor === null ? 1 : 0 } }, from, now);
      if ('stale' in step) throw providerError('bad_response', mailbox.provider, { detail: 'Another preview of this mailbox moved on meanwhile.' });
      await addRunCounts(db, run.id, countDecisions(decisions, page.messages.length));
      return step.advanced;
    });
    await reportProgress(ctx, done, page.nextCursor === null ? done : estimate, run.startedAt);
  }
}
