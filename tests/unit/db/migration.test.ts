import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
type V1Rows = { [table in keyof typeof V1_ROWS]: Record<string, unknown>[] };

/** The moment the upgrade runs, for the fallback of times that do not parse. */
const UPGRADED_AT = Date.parse('2027-01-15T12:00:00.000Z');

/** Writes `rows` as version 1 did, then opens the database with today's class. */
async function openAfterV1(rows: V1Rows): Promise<MailboxCrmDatabase> {
  const name = `migration-${crypto.randomUUID()}`;
  const v1 = new Dexie(name);
  v1.version(1).stores(V1_STORES);
  await v1.transaction('rw', v1.tables, async () => {
    for (const [table, tableRows] of Object.entries(rows)) await v1.table(table).bulkAdd(tableRows);
  });
  v1.close();
  // Only Date is faked: fake-indexeddb schedules its work with real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(UPGRADED_AT);
  const db = new MailboxCrmDatabase(name);
  await db.open();
  vi.useRealTimers();
  return db;
}

let db: MailboxCrmDatabase | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await db?.delete();
  db = undefined;
});

describe('database migrations', () => {
  it('keeps version 1 exactly as it shipped', () => {
    expect(SCHEMA_VERSIONS[0]).toEqual({ version: 1, stores: V1_STORES });
  });

  it('numbers the versions 1, 2, … with no gap, so an edit cannot replace a shipped one', () => {
    expect(SCHEMA_VERSIONS.map((v) => v.version)).toEqual(SCHEMA_VERSIONS.map((_, index) => index + 1));
  });

  it('opens data written by version 1: every row parses with today’s schemas and holds exactly the converted values', async () => {
    db = await openAfterV1(structuredClone(V1_ROWS));
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
    for (const [table, schema] of Object.entries(schemas)) {
      const rows = await db.table(table).toArray();
      expect(rows, table).toHaveLength(V1_ROWS[table as keyof typeof V1_ROWS].length);
      // Every stored row satisfies today's schema.
      for (const row of rows) expect(() => schema.parse(row), table).not.toThrow();
    }

    // ISO strings became the same instants in milliseconds; nothing else changed.
    const [v1Mailbox] = V1_ROWS.mailboxes;
    expect(await db.mailboxes.toArray()).toEqual([
      {
        ...v1Mailbox,
        createdAt: Date.UTC(2026, 10, 1, 9, 0),
        checklist: { purpose_owner_confirmed: Date.UTC(2026, 10, 1, 9, 5) },
        lastError: { ...v1Mailbox!.lastError, at: Date.UTC(2026, 10, 2, 10, 0) },
      },
    ]);
    expect(await db.checkpoints.toArray()).toEqual([{ ...V1_ROWS.checkpoints[0], seq: 1 }]);
    for (const table of ['messages', 'contacts', 'threadLinks', 'outbox', 'syncRuns'] as const) {
      expect(await db.table(table).toArray(), table).toEqual(V1_ROWS[table]);
    }

    // The indexes the engine relies on answer for old rows.
    expect(await db.messages.where('participants').equals('dana@customer.test').count()).toBe(1);
    expect(await db.outbox.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', Dexie.maxKey]).count()).toBe(1);
  });

  it('converts the error of a version 1 run, and gives a time that does not parse a documented fallback', async () => {
    const rows: V1Rows = structuredClone(V1_ROWS);
    const mailbox = rows.mailboxes[0]!;
    mailbox.createdAt = 'last Tuesday';
    mailbox.checklist = { purpose_owner_confirmed: '2026-11-01T09:05:00.000Z', test_send: 'soon' };
    (mailbox.lastError as Record<string, unknown>).at = null;
    const runError = { ...(mailbox.lastError as object), at: '2026-11-03T08:30:00.000Z' };
    rows.syncRuns = [
      { ...rows.syncRuns[0]!, id: 'run-converted', error: runError },
      { ...rows.syncRuns[0]!, id: 'run-ended', startedAt: 1000, finishedAt: 2000, error: { ...runError, at: '03/11/2026' } },
      { ...rows.syncRuns[0]!, id: 'run-cut-short', startedAt: 1000, finishedAt: null, status: 'cancelled', error: { ...runError, at: '' } },
      { ...rows.syncRuns[0]!, id: 'run-in-ms', error: { ...runError, at: 7 } },
    ];
    db = await openAfterV1(rows);

    // The mailbox existed before the upgrade: its unknown creation becomes the upgrade's time,
    // and a checklist item the user ticked stays ticked.
    expect(await db.mailboxes.get(mailbox.id as string)).toMatchObject({
      createdAt: UPGRADED_AT,
      checklist: { purpose_owner_confirmed: Date.UTC(2026, 10, 1, 9, 5), test_send: UPGRADED_AT },
      lastError: { code: 'insufficient_permissions', at: UPGRADED_AT },
    });
    // A run's error happened during the run: its end, else its start. Milliseconds stay.
    const runs = await db.syncRuns.orderBy('id').toArray();
    expect(runs.map((r) => [r.id, r.error?.at])).toEqual([
      ['run-converted', Date.UTC(2026, 10, 3, 8, 30)],
      ['run-cut-short', 1000],
      ['run-ended', 2000],
      ['run-in-ms', 7],
    ]);
    for (const row of await db.mailboxes.toArray()) expect(() => mailboxSchema.parse(row)).not.toThrow();
    for (const row of runs) expect(() => syncRunSchema.parse(row)).not.toThrow();
  });
});
