import { beforeEach, describe, expect, it } from 'vitest';
import { dueOutboxEntries, getOutboxEntry, type MailboxCrmDatabase, queueOutboxEntries } from '@/lib/db';
import { anOutboxEntry } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

describe('outbox queries', () => {
  it('queues a key once, and hands out pending writes that are due, earliest first', async () => {
    const entries = [
      anOutboxEntry({ idempotencyKey: 'late', nextAttemptAt: 300 }),
      anOutboxEntry({ idempotencyKey: 'due', nextAttemptAt: 100 }),
      anOutboxEntry({ idempotencyKey: 'due', nextAttemptAt: 1 }),
      anOutboxEntry({ idempotencyKey: 'now', nextAttemptAt: 200 }),
      anOutboxEntry({ idempotencyKey: 'sent', nextAttemptAt: 0, status: 'sent' }),
    ];
    expect(await queueOutboxEntries(db, entries)).toBe(4);
    expect(await queueOutboxEntries(db, [anOutboxEntry({ idempotencyKey: 'due', nextAttemptAt: 5 })])).toBe(0);
    expect(await getOutboxEntry(db, 'due')).toMatchObject({ nextAttemptAt: 100 });
    expect((await dueOutboxEntries(db, 200, 10)).map((e) => e.idempotencyKey)).toEqual(['due', 'now']);
    expect((await dueOutboxEntries(db, 1000, 1)).map((e) => e.idempotencyKey)).toEqual(['due']);
  });

  it('refuses an entry that is not valid, queuing none of the batch', async () => {
    await expect(queueOutboxEntries(db, [anOutboxEntry({ idempotencyKey: 'ok' }), anOutboxEntry({ idempotencyKey: 'bad', contactIds: [] })])).rejects.toThrow();
    expect(await db.outbox.count()).toBe(0);
  });
});
