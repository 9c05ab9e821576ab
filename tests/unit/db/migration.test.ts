import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { checkpointSchema, MailboxCrmDatabase, outboxEntrySchema, SCHEMA_VERSIONS, threadLinkSchema } from '@/lib/db';
import { contactSchema, mailboxSchema, messageSchema, syncRunSchema } from '@/lib/domain';
import { V1_ROWS, V1_STORES } from '../../fixtures/db-v1';

const schemas = {
  mailboxes: mailboxSchema,
  messages: messageSchema,
  contacts: contactSchema,
  threadLinks: threadLinkSchema,
  outbox: outboxEntrySchema,
  syncRuns: syncRunSchema,
  checkpoints: checkpointSchema,
};

describe('database migrations', () => {
  it('keeps version 1 exactly as it shipped', () => {
    expect(SCHEMA_VERSIONS[0]).toEqual({ version: 1, stores: V1_STORES });
  });

  it('opens data written by version 1 with the current schema', async () => {
    const name = `migration-${crypto.randomUUID()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores(V1_STORES);
    await v1.transaction('rw', v1.tables, async () => {
      for (const [table, rows] of Object.entries(V1_ROWS)) await v1.table(table).bulkAdd(rows);
    });
    v1.close();

    const db = new MailboxCrmDatabase(name);
    await db.open();
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
    for (const [table, schema] of Object.entries(schemas)) {
      const rows = await db.table(table).toArray();
      expect(rows, table).toHaveLength(V1_ROWS[table as keyof typeof V1_ROWS].length);
      // Every stored row still satisfies today's schema.
      for (const row of rows) expect(() => schema.parse(row), table).not.toThrow();
    }
    // The indexes the engine relies on answer for old rows.
    expect(await db.messages.where('participants').equals('dana@customer.test').count()).toBe(1);
    expect(await db.outbox.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', Dexie.maxKey]).count()).toBe(1);
    await db.delete();
  });
});
