import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkpointSchema, jobSchema, MailboxCrmDatabase, outboxEntrySchema, SCHEMA_VERSIONS, threadLinkSchema, verdictSchema } from '@/lib/db';
import { contactSchema, mailboxSchema, messageSchema, syncRunSchema } from '@/lib/domain';
import { V1_ROWS, V1_STORES } from '../../fixtures/db-v1';
import { V2_ROWS, V2_STORES } from '../../fixtures/db-v2';

const schemas = {
  mailboxes: mailboxSchema,
  messages: messageSchema,
  contacts: contactSchema,
  threadLinks: threadLinkSchema,
  outbox: outboxEntrySchema,
  syncRuns: syncRunSchema,
  checkpoints: checkpointSchema,
  verdicts: verdictSchema,
  jobs: jobSchema,
};
type StoredRows = Record<string, Record<string, unknown>[]>;
type V1Rows = { [table in keyof typeof V1_ROWS]: Record<string, unknown>[] };

/** The moment the upgrade runs, for the fallback of times that do not parse. */
const UPGRADED_AT = Date.parse('2027-01-15T12:00:00.000Z');

/** Writes `rows` as `version` did with its `stores`, then opens the database with today's class. */
async function openAfter(version: number, stores: Record<string, string>, rows: StoredRows): Promise<MailboxCrmDatabase> {
  const name = `migration-${crypto.randomUUID()}`;
  const old = new Dexie(name);
  old.version(version).stores(stores);
  await old.transaction('rw', old.tables, async () => {
    for (const [table, tableRows] of Object.entries(rows)) await old.table(table).bulkAdd(tableRows);
  });
  old.close();
  // Only Date is faked: fake-indexeddb schedules its work with real timers.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(UPGRADED_AT);
  const db = new MailboxCrmDatabase(name);
  await db.open();
  vi.useRealTimers();
  return db;
}

const openAfterV1 = (rows: V1Rows) => openAfter(1, V1_STORES, rows);

/** Every row of every table parses with today's schemas; tables the old version lacked are empty. */
async function expectRowsParse(db: MailboxCrmDatabase, written: StoredRows): Promise<void> {
  expect(db.tables.map((t) => t.name).sort()).toEqual(Object.keys(schemas).sort());
  for (const [table, schema] of Object.entries(schemas)) {
    const rows = await db.table(table).toArray();
    expect(rows, table).toHaveLength(written[table]?.length ?? 0);
    for (const row of rows) expect(() => schema.parse(row), table).not.toThrow();
  }
}

/**
 * Version 3's conversion of a run, a mailbox, a message and an outbox entry: the values today's
 * rows gain, and a message's content dropped (R23). The fixtures' rows are written out, not run
 * through `upgradeToV3`, so that a wrong conversion fails.
 */
const v3 = {
  run: (run: Record<string, unknown>) => ({ ...run, counts: { ...(run.counts as object), contacts: {} }, undoneAt: null }),
  mailbox: (mailbox: Record<string, unknown>) => ({ ...mailbox, syncOnly: null, lastSyncedAt: null }),
  message: (message: Record<string, unknown>) => ({ ...message, snippet: null, body: null }),
  outbox: (entry: Record<string, unknown>) => ({
    ...entry,
    mailboxIds: [entry.mailboxId],
    payload: null,
    visibility: 'metadata',
    batchId: null,
    sending: null,
    pushed: null,
    lastError: null,
  }),
};

/** Version 4's conversion of a contact: the words of its name and company, written out (see `v3`). */
const v4 = {
  contact: (contact: Record<string, unknown>) => ({ ...contact, words: contact.id === 'c-1' ? ['dana', 'buyer', 'customer', 'ltd'] : expect.fail(`no words written out for ${String(contact.id)}`) }),
};

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
    await expectRowsParse(db, V1_ROWS);

    // Version 2: ISO strings became the same instants in milliseconds. Version 3: the values below.
    const [v1Mailbox] = V1_ROWS.mailboxes;
    expect(await db.mailboxes.toArray()).toEqual([
      v3.mailbox({
        ...v1Mailbox,
        createdAt: Date.UTC(2026, 10, 1, 9, 0),
        checklist: { purpose_owner_confirmed: Date.UTC(2026, 10, 1, 9, 5) },
        lastError: { ...v1Mailbox!.lastError, at: Date.UTC(2026, 10, 2, 10, 0) },
      }),
    ]);
    expect(await db.checkpoints.toArray()).toEqual([{ ...V1_ROWS.checkpoints[0], seq: 1 }]);
    expect(await db.messages.toArray()).toEqual(V1_ROWS.messages.map(v3.message));
    expect(await db.outbox.toArray()).toEqual(V1_ROWS.outbox.map(v3.outbox));
    expect(await db.syncRuns.toArray()).toEqual(V1_ROWS.syncRuns.map(v3.run));
    expect(await db.contacts.toArray()).toEqual(V1_ROWS.contacts.map(v4.contact));
    expect(await db.threadLinks.toArray()).toEqual(V1_ROWS.threadLinks);

    // The indexes the engine relies on answer for old rows.
    expect(await db.messages.where('participants').equals('dana@customer.test').count()).toBe(1);
    expect(await db.outbox.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', Dexie.maxKey]).count()).toBe(1);
    expect(await db.outbox.where('mailboxIds').equals(V1_ROWS.mailboxes[0]!.id).count()).toBe(1);
  });

  it('keeps version 2 exactly as it shipped: no store changed', () => {
    const through2 = Object.assign({}, ...SCHEMA_VERSIONS.slice(0, 2).map((v) => v.stores));
    expect(through2).toEqual(V2_STORES);
    expect(SCHEMA_VERSIONS[1]!.stores).toEqual({});
  });

  it('opens data written by version 2: every row parses with today’s schemas and holds exactly the converted values', async () => {
    db = await openAfter(2, V2_STORES, structuredClone(V2_ROWS));
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
    await expectRowsParse(db, V2_ROWS);

    expect(await db.mailboxes.toArray()).toEqual(V2_ROWS.mailboxes.map(v3.mailbox));
    // The message that had content loses it; the one without is unchanged but for the nulls it had.
    const messages = await db.messages.orderBy('[mailboxId+providerId]').toArray();
    expect(messages).toEqual(V2_ROWS.messages.map(v3.message));
    expect(messages.map((m) => [m.snippet, m.body])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(JSON.stringify(messages)).not.toMatch(/export fails|contract number/);
    // Pending, sent and failed entries alike: their one source, content to read again, nothing pushed known.
    const outbox = await db.outbox.orderBy('idempotencyKey').toArray();
    expect(outbox).toEqual([...V2_ROWS.outbox].sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : 1)).map(v3.outbox));
    expect(await db.syncRuns.toArray()).toEqual(V2_ROWS.syncRuns.map(v3.run));
    // Version 2's checkpoints were numbered already: their seq stays.
    expect(await db.checkpoints.toArray()).toEqual(V2_ROWS.checkpoints);
    expect(await db.contacts.toArray()).toEqual(V2_ROWS.contacts.map(v4.contact));
    expect(await db.threadLinks.toArray()).toEqual(V2_ROWS.threadLinks);

    // The engine's new indexes answer for converted rows.
    const mailboxId = V2_ROWS.mailboxes[0]!.id;
    expect(await db.outbox.where('mailboxIds').equals(mailboxId).count()).toBe(3);
    expect((await db.outbox.where('[status+nextAttemptAt]').between(['pending', 0], ['pending', Dexie.maxKey]).toArray()).map((e) => e.idempotencyKey)).toEqual([
      'msgid:ticket-4411@customer.test',
    ]);
    expect(await db.verdicts.count()).toBe(0);
    expect(await db.jobs.count()).toBe(0);
  });

  it('keeps version 3 exactly as it shipped', () => {
    expect(SCHEMA_VERSIONS[2]!.stores).toEqual({
      outbox: 'idempotencyKey, *mailboxIds, runId, batchId, [status+nextAttemptAt]',
      verdicts: '[mailboxId+providerId], mailboxId, runId, key, [mailboxId+threadKey], [mailboxId+reason]',
      jobs: 'id, lane, status',
    });
  });

  it('opens contacts written by version 3: each gains the words of its name and company, found by the words index', async () => {
    const through3 = Object.assign({}, ...SCHEMA_VERSIONS.slice(0, 3).map((v) => v.stores)) as Record<string, string>;
    const contacts = [
      { id: 'c-1', name: 'Dana Buyer', company: 'Customer Ltd', primaryEmail: 'dana@customer.test', emails: ['dana@customer.test'], url: null, updatedAt: 1 },
      { id: 'c-2', name: "O'Brien-Smith, Lee", company: null, primaryEmail: null, emails: [], url: null, updatedAt: 2 },
    ];
    db = await openAfter(3, through3, { contacts: structuredClone(contacts) });
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
    await expectRowsParse(db, { contacts });
    expect(await db.contacts.toArray()).toEqual([
      { ...contacts[0], words: ['dana', 'buyer', 'customer', 'ltd'] },
      { ...contacts[1], words: ['o', 'brien', 'smith', 'lee'] },
    ]);
    expect((await db.contacts.where('words').startsWith('smi').toArray()).map((c) => c.id)).toEqual(['c-2']);
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
