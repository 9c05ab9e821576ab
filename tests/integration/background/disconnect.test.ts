import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import type { BackgroundDeps } from '@/lib/background/deps';
import { connectMailbox, disconnectMailbox } from '@/lib/background/mailboxes';
import { contactsByIds, getMailbox, putContacts, putMailbox } from '@/lib/db';
import { aContact, aMailbox, mailboxData } from '../../fixtures/domain';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';

let emulators: RunningEmulators;
let deps: BackgroundDeps;

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
});
afterAll(() => emulators.stop());
beforeEach(() => {
  fakeBrowser.reset();
  deps = emulatorBackgroundDeps(emulators.urls);
});

describe('disconnect purges the mailbox’s local data (R34)', () => {
  it('leaves no row of the mailbox in any per-mailbox table, and keeps other mailboxes and the shared contacts', async () => {
    const { db } = deps;
    const mailbox = await connectMailbox(deps, { provider: 'outlook', scope: 'sales', kind: 'personal', owner: null, recoveryNote: null, backfillDays: 30 });
    const other = aMailbox();
    await putMailbox(db, other);
    // Rows in every table: messages, verdicts, thread links, outbox, runs, checkpoints and jobs per
    // mailbox, and a contact, which is the CRM's and shared by every mailbox.
    for (const id of [mailbox.id, other.id]) {
      for (const [table, rows] of Object.entries(mailboxData(id))) await db.table(table).bulkAdd(rows);
    }
    await putContacts(db, [aContact()]);

    await disconnectMailbox(deps, mailbox.id);

    expect(await getMailbox(db, mailbox.id)).toBeUndefined();
    const kept = mailboxData(other.id);
    // Every table of the database but the mailboxes and the contacts was seeded for both.
    expect(Object.keys(kept).sort()).toEqual(db.tables.map((t) => t.name).filter((name) => name !== 'mailboxes' && name !== 'contacts').sort());
    // Jobs belong to a lane (a mailbox id, or the CRM's); outbox entries to every mailbox holding a copy.
    const indexOf: Partial<Record<keyof typeof kept, string>> = { jobs: 'lane', outbox: 'mailboxIds' };
    for (const table of Object.keys(kept) as (keyof typeof kept)[]) {
      expect(await db.table(table).where(indexOf[table] ?? 'mailboxId').equals(mailbox.id).count(), `${table} of the disconnected mailbox`).toBe(0);
      expect(await db.table(table).toArray(), `${table} of the other mailbox`).toEqual(kept[table]);
    }
    expect(await getMailbox(db, other.id)).toEqual(other);
    expect(await contactsByIds(db, [aContact().id])).toEqual([aContact()]);
  });
});
