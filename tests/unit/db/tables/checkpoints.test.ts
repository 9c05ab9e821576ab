import { beforeEach, describe, expect, it } from 'vitest';
import { advanceCheckpoint, getCheckpoint, type MailboxCrmDatabase, seqOf } from '@/lib/db';
import { aCheckpoint } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

describe('checkpoint queries (R13)', () => {
  it('advances only from the checkpoint a page was read at', async () => {
    const { mailboxId, job } = aCheckpoint();
    expect(seqOf(await getCheckpoint(db, mailboxId, job))).toBe(0);
    const first = await advanceCheckpoint(db, { mailboxId, job, cursor: 'a', progress: {} }, 0, 10);
    expect(first).toEqual({ advanced: { mailboxId, job, cursor: 'a', progress: {}, seq: 1, updatedAt: 10 } });
    // An expired cursor starts the job over by advancing to a new cursor, not by going back to 0.
    await advanceCheckpoint(db, { mailboxId, job, cursor: null, progress: {} }, 1, 20);
    const stale = await advanceCheckpoint(db, { mailboxId, job, cursor: 'b', progress: {} }, 1, 30);
    expect(stale).toEqual({ stale: { mailboxId, job, cursor: null, progress: {}, seq: 2, updatedAt: 20 } });
    // Jobs and mailboxes keep their own checkpoints.
    expect(await getCheckpoint(db, mailboxId, 'incremental')).toBeUndefined();
    expect(await advanceCheckpoint(db, { mailboxId: 'other', job, cursor: 'x', progress: {} }, 0, 40)).toMatchObject({ advanced: { seq: 1 } });
  });

  it('refuses a stored checkpoint of the wrong shape', async () => {
    await db.checkpoints.put({ ...aCheckpoint(), seq: undefined as never });
    await expect(getCheckpoint(db, aCheckpoint().mailboxId, 'backfill')).rejects.toThrow();
  });
});
