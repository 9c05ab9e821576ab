import type { Message, SyncRunCounts } from '../domain';
import type { MailboxCrmDatabase } from './database';
import type { Checkpoint, CheckpointJob, Verdict } from './rows';
import { advanceCheckpoint } from './tables/checkpoints';
import { putMessages } from './tables/messages';
import { type OfferOutcome, type OutboxOffer, offerOutboxEntries, withdrawOutboxSources } from './tables/outbox';
import { addRunCounts } from './tables/sync-runs';
import { forgetMessages, putVerdicts } from './tables/verdicts';

/** One page of work of one job of one mailbox, and where the job stands after it (R13). */
export interface PageCommit {
  mailboxId: string;
  job: CheckpointJob;
  /** `seq` of the checkpoint the page was read from (`seqOf(await getCheckpoint(…))`): 0 when the job had none. */
  fromSeq: number;
  /** The job's cursor after this page, and its progress with it. */
  cursor: string | null;
  progress: Record<string, number>;
  /** Stored as metadata only (`putMessages`). */
  messages: readonly Message[];
  /** The decision on each message of the page (R11, R21a). */
  verdicts: readonly Verdict[];
  /** CRM writes the page decided, merged into the outbox by key (see `offerOutboxEntries`). */
  outbox: readonly OutboxOffer[];
  /** Provider ids that left what may be pushed: forgotten, and a write not yet done withdrawn. */
  removed: readonly { providerId: string; key: string | null }[];
  /** The run the page belongs to, and the page's own counts, added to the run's (R17). */
  runId: string;
  counts: SyncRunCounts;
}

/** A committed page, or why nothing of it was written. */
export type PageCommitResult =
  | { committed: true; checkpoint: Checkpoint; outcomes: OfferOutcome[] }
  /**
   * `stale_checkpoint`: the job's checkpoint moved since the page was read from it (the page is
   * older than the stored state; resume from `checkpoint`). `mailbox_gone`: the mailbox was
   * disconnected meanwhile, and its data must not come back.
   */
  | { committed: false; reason: 'stale_checkpoint' | 'mailbox_gone'; checkpoint: Checkpoint | undefined };

/**
 * Commits a page in ONE IndexedDB transaction (R13): its messages, verdicts, outbox offers and
 * withdrawals, the run's counts and the job's checkpoint. All of it lands or none of it does: a
 * failing write aborts the page and rejects, and the job resumes from the checkpoint before it.
 * The cursor only moves forward: a page read from an older checkpoint than the stored one is
 * refused whole. A page for a mailbox disconnected meanwhile is refused too, since the
 * disconnect's purge takes the same tables. Offers that turn out to repeat a write another
 * mailbox already made are added to the run's `duplicates` (R15, R17).
 */
export async function commitPage(db: MailboxCrmDatabase, page: PageCommit, now: number = Date.now()): Promise<PageCommitResult> {
  const foreign = [...page.messages, ...page.verdicts, ...page.outbox].find((row) => row.mailboxId !== page.mailboxId);
  if (foreign) throw new Error(`A page of ${page.mailboxId} carries a row of ${foreign.mailboxId}.`);
  const tables = [db.mailboxes, db.messages, db.verdicts, db.outbox, db.syncRuns, db.checkpoints];
  return db.transaction('rw', tables, async (): Promise<PageCommitResult> => {
    const { mailboxId, job, cursor, progress } = page;
    if (!(await db.mailboxes.get(mailboxId))) return { committed: false, reason: 'mailbox_gone', checkpoint: undefined };
    const step = await advanceCheckpoint(db, { mailboxId, job, cursor, progress }, page.fromSeq, now);
    if ('stale' in step) return { committed: false, reason: 'stale_checkpoint', checkpoint: step.stale };
    await forgetMessages(db, mailboxId, page.removed.map((r) => r.providerId));
    await withdrawOutboxSources(db, mailboxId, page.removed.flatMap((r) => (r.key ? [r.key] : [])));
    await putMessages(db, page.messages);
    await putVerdicts(db, page.verdicts);
    const outcomes = await offerOutboxEntries(db, page.outbox, now);
    const duplicates = outcomes.filter((o) => o === 'duplicate').length;
    const run = await addRunCounts(db, page.runId, { ...page.counts, duplicates: page.counts.duplicates + duplicates });
    if (run.mailboxId !== mailboxId) throw new Error(`Sync run ${run.id} is not a run of ${mailboxId}.`);
    return { committed: true, checkpoint: step.advanced, outcomes };
  });
}
