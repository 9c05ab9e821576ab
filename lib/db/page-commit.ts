import type { Message, SyncRunCounts } from '../domain';
import type { MailboxCrmDatabase } from './database';
import type { Checkpoint, CheckpointJob, OutboxEntry } from './rows';
import { advanceCheckpoint } from './tables/checkpoints';
import { putMessages } from './tables/messages';
import { queueOutboxEntries } from './tables/outbox';
import { addRunCounts } from './tables/sync-runs';

/**
 * The classification of one message of a page (R11, R21). There is no table for it yet: the
 * engine adds its schema, a store in a new database version and the write in `commitPage`.
 * Until then the slot takes no entries, so no page can carry decisions that would be dropped.
 */
export type PageClassification = never;

/** One page of work of one job of one mailbox, and where the job stands after it (R13). */
export interface PageCommit {
  mailboxId: string;
  job: CheckpointJob;
  /** `seq` of the checkpoint the page was read from (`seqOf(await getCheckpoint(…))`): 0 when the job had none. */
  fromSeq: number;
  /** The provider cursor after this page, and the job's progress with it. */
  cursor: string | null;
  progress: Record<string, number>;
  messages: readonly Message[];
  classifications: readonly PageClassification[];
  /** CRM writes the page decided; a key already queued keeps its entry (see `queueOutboxEntries`). */
  outbox: readonly OutboxEntry[];
  /** The run the page belongs to, and the page's own counts, added to the run's (R17). */
  runId: string;
  counts: SyncRunCounts;
}

/** A committed page, or why nothing of it was written. */
export type PageCommitResult =
  | { committed: true; checkpoint: Checkpoint; queued: number }
  /**
   * `stale_checkpoint`: the job's checkpoint moved since the page was read from it (the page is
   * older than the stored state; resume from `checkpoint`). `mailbox_gone`: the mailbox was
   * disconnected meanwhile, and its data must not come back.
   */
  | { committed: false; reason: 'stale_checkpoint' | 'mailbox_gone'; checkpoint: Checkpoint | undefined };

/**
 * Commits a page in ONE IndexedDB transaction (R13): its messages, classifications, outbox
 * entries, the run's counts and the job's checkpoint. All of it lands or none of it does: a
 * failing write aborts the page and rejects, and the job resumes from the checkpoint before it.
 * The cursor only moves forward: a page read from an older checkpoint than the stored one is
 * refused whole. A page for a mailbox disconnected meanwhile is refused too, since the
 * disconnect's purge takes the same tables.
 */
export async function commitPage(db: MailboxCrmDatabase, page: PageCommit, now: number = Date.now()): Promise<PageCommitResult> {
  const foreign = [...page.messages, ...page.outbox].find((row) => row.mailboxId !== page.mailboxId);
  if (foreign) throw new Error(`A page of ${page.mailboxId} carries a row of ${foreign.mailboxId}.`);
  return db.transaction('rw', [db.mailboxes, db.messages, db.outbox, db.syncRuns, db.checkpoints], async (): Promise<PageCommitResult> => {
    const { mailboxId, job, cursor, progress } = page;
    if (!(await db.mailboxes.get(mailboxId))) return { committed: false, reason: 'mailbox_gone', checkpoint: undefined };
    const step = await advanceCheckpoint(db, { mailboxId, job, cursor, progress }, page.fromSeq, now);
    if ('stale' in step) return { committed: false, reason: 'stale_checkpoint', checkpoint: step.stale };
    const run = await addRunCounts(db, page.runId, page.counts);
    if (run.mailboxId !== mailboxId) throw new Error(`Sync run ${run.id} is not a run of ${mailboxId}.`);
    await putMessages(db, page.messages);
    const queued = await queueOutboxEntries(db, page.outbox);
    return { committed: true, checkpoint: step.advanced, queued };
  });
}
