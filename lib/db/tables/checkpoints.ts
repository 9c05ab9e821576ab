import type { MailboxCrmDatabase } from '../database';
import { type Checkpoint, type CheckpointJob, checkpointSchema } from '../rows';

/** Where a job of a mailbox stopped, validated; undefined when it has not committed a page yet. */
export async function getCheckpoint(db: MailboxCrmDatabase, mailboxId: string, job: CheckpointJob): Promise<Checkpoint | undefined> {
  const row = await db.checkpoints.get([mailboxId, job]);
  return row && checkpointSchema.parse(row);
}

/** The `seq` a job starts from: the stored checkpoint's, or 0 when there is none. */
export function seqOf(checkpoint: Checkpoint | undefined): number {
  return checkpoint?.seq ?? 0;
}

/**
 * Moves a job's checkpoint one step on, only from the checkpoint it was read at (`fromSeq`, see
 * `seqOf`): a compare-and-set. When the stored checkpoint is no longer that one — a later page
 * was committed meanwhile, or the checkpoint was reset — nothing is written and the stored one is
 * returned as `stale`, so an older page can never move the cursor back. A job that must start
 * over (an expired cursor, R14) advances to its new cursor rather than deleting the checkpoint:
 * a deleted checkpoint is back at 0, where a page read before it would fit again.
 */
export async function advanceCheckpoint(
  db: MailboxCrmDatabase,
  next: Pick<Checkpoint, 'mailboxId' | 'job' | 'cursor' | 'progress'>,
  fromSeq: number,
  now: number,
): Promise<{ advanced: Checkpoint } | { stale: Checkpoint | undefined }> {
  return db.transaction('rw', db.checkpoints, async () => {
    const stored = await getCheckpoint(db, next.mailboxId, next.job);
    if (seqOf(stored) !== fromSeq) return { stale: stored };
    const advanced = checkpointSchema.parse({ ...next, seq: fromSeq + 1, updatedAt: now });
    await db.checkpoints.put(advanced);
    return { advanced };
  });
}

/** Forgets the checkpoints of other contact mirrors than `lane` (`crm:<base URL>`); true when there were any. */
export async function forgetOtherMirrorCheckpoints(db: MailboxCrmDatabase, lane: string): Promise<boolean> {
  const others = await db.checkpoints.where('mailboxId').startsWith('crm:').filter((c) => c.mailboxId !== lane).primaryKeys();
  await db.checkpoints.bulkDelete(others);
  return others.length > 0;
}
