import { beforeEach, describe, expect, it } from 'vitest';
import {
  deleteMailboxAndData,
  getMailbox,
  getOutboxEntry,
  listMailboxes,
  MAILBOX_DATA_TABLES,
  type MailboxCrmDatabase,
  otherMailboxOf,
  putContacts,
  putMailbox,
  putOutboxEntries,
  updateMailbox,
} from '@/lib/db';
import { aContact, aJob, aMailbox, anOutboxEntry, anOutboxOffer, mailboxData } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

const gmail = aMailbox();
const outlook = aMailbox({ id: 'outlook:support@acme-sales.test', provider: 'outlook', address: 'support@acme-sales.test' });

describe('mailbox queries', () => {
  it('reads mailboxes validated, in id order, and refuses a stored row of the wrong shape', async () => {
    await putMailbox(db, outlook);
    await putMailbox(db, gmail);
    expect(await listMailboxes(db)).toEqual([gmail, outlook]);
    expect(await getMailbox(db, gmail.id)).toEqual(gmail);
    expect(await getMailbox(db, 'gmail:nobody@acme-sales.test')).toBeUndefined();
    // A row written by something else, with an ISO time: a boundary, checked on the way out.
    await db.mailboxes.put({ ...gmail, createdAt: '2026-11-01T09:00:00.000Z' as never });
    await expect(getMailbox(db, gmail.id)).rejects.toThrow();
    await expect(listMailboxes(db)).rejects.toThrow();
  });

  it('refuses to store a mailbox that is not valid', async () => {
    await expect(putMailbox(db, aMailbox({ kind: 'shared', owner: null }))).rejects.toThrow(/owner/);
    expect(await db.mailboxes.count()).toBe(0);
  });

  it('finds another mailbox of a provider', async () => {
    await putMailbox(db, gmail);
    await putMailbox(db, outlook);
    expect(await otherMailboxOf(db, 'gmail', 'gmail:someone@acme-sales.test')).toEqual(gmail);
    expect(await otherMailboxOf(db, 'gmail', gmail.id)).toBeUndefined();
    expect(await otherMailboxOf(db, 'imap', gmail.id)).toBeUndefined();
  });

  it('updates a mailbox in place, leaves it alone when unchanged, and does nothing once it is gone', async () => {
    await putMailbox(db, gmail);
    expect(await updateMailbox(db, gmail.id, (m) => ({ ...m, status: 'syncing' }))).toMatchObject({ status: 'syncing' });
    expect(await getMailbox(db, gmail.id)).toMatchObject({ status: 'syncing' });
    expect(await updateMailbox(db, gmail.id, (m) => m)).toMatchObject({ status: 'syncing' });
    await expect(updateMailbox(db, gmail.id, (m) => ({ ...m, backfillDays: 0 }))).rejects.toThrow();
    expect(await getMailbox(db, gmail.id)).toMatchObject({ backfillDays: gmail.backfillDays });
    expect(await updateMailbox(db, 'gmail:gone@acme-sales.test', (m) => ({ ...m, status: 'error' }))).toBeUndefined();
    expect(await db.mailboxes.count()).toBe(1);
  });

  it('purges a mailbox with its rows in every per-mailbox table, its jobs and its outbox entries, keeping other mailboxes and the shared contacts (R34)', async () => {
    for (const mailbox of [gmail, outlook]) {
      await putMailbox(db, mailbox);
      for (const [table, rows] of Object.entries(mailboxData(mailbox.id))) await db.table(table).bulkAdd(rows);
    }
    // The CRM lane's jobs belong to no mailbox.
    const crmJob = aJob({ id: 'crm/outbox', lane: 'crm', kind: 'outbox' });
    await db.jobs.add(crmJob);
    await putContacts(db, [aContact()]);

    expect(await deleteMailboxAndData(db, gmail.id)).toBe(true);

    expect(await getMailbox(db, gmail.id)).toBeUndefined();
    const kept = mailboxData(outlook.id);
    for (const table of MAILBOX_DATA_TABLES) {
      expect(await db.table(table).where('mailboxId').equals(gmail.id).count(), table).toBe(0);
      expect(await db.table(table).toArray(), table).toEqual(kept[table]);
    }
    expect(await db.jobs.where('lane').equals(gmail.id).count()).toBe(0);
    expect(await db.jobs.orderBy('id').toArray()).toEqual([crmJob, ...kept.jobs].sort((a, b) => (a.id < b.id ? -1 : 1)));
    expect(await db.outbox.where('mailboxIds').equals(gmail.id).count()).toBe(0);
    expect(await db.outbox.toArray()).toEqual(kept.outbox);
    expect(await listMailboxes(db)).toEqual([outlook]);
    expect(await db.contacts.count()).toBe(1);
    expect(await deleteMailboxAndData(db, gmail.id)).toBe(false);
  });

  it('keeps an outbox entry another mailbox also holds, for that mailbox: pending ones read their content again from it (R22, R34)', async () => {
    await putMailbox(db, gmail);
    await putMailbox(db, outlook);
    const payload = anOutboxOffer().payload;
    const both = [gmail.id, outlook.id];
    const fromGmail = anOutboxEntry({ idempotencyKey: '<from-gmail@x>', mailboxIds: both, payload });
    const fromOutlook = anOutboxEntry({ idempotencyKey: '<from-outlook@x>', mailboxId: outlook.id, mailboxIds: [outlook.id, gmail.id], payload });
    const sentFromGmail = anOutboxEntry({ idempotencyKey: '<sent@x>', mailboxIds: both, status: 'sent', crmEmailId: 'em-1', pushed: { contactIds: ['c-1'], visibility: 'snippet', at: 1 } });
    const gmailOnly = anOutboxEntry({ idempotencyKey: '<gmail-only@x>', status: 'sent', crmEmailId: 'em-2' });
    await putOutboxEntries(db, [fromGmail, fromOutlook, sentFromGmail, gmailOnly]);

    await deleteMailboxAndData(db, gmail.id);

    // Nothing of the gone mailbox is kept: not its payload (built from its copy), not its id.
    expect(await getOutboxEntry(db, '<from-gmail@x>')).toEqual({ ...fromGmail, mailboxId: outlook.id, mailboxIds: [outlook.id], payload: null });
    expect(await getOutboxEntry(db, '<from-outlook@x>')).toEqual({ ...fromOutlook, mailboxIds: [outlook.id] });
    expect(await getOutboxEntry(db, '<sent@x>')).toEqual({ ...sentFromGmail, mailboxId: outlook.id, mailboxIds: [outlook.id] });
    expect(await getOutboxEntry(db, '<gmail-only@x>')).toBeUndefined();
    expect(await db.outbox.count()).toBe(3);
  });

  it('releases a batch fixed for sending that holds any of its entries, to be rebuilt from what is left; a batch without them stays fixed (R34)', async () => {
    await putMailbox(db, gmail);
    await putMailbox(db, outlook);
    const payload = anOutboxOffer().payload!;
    const frozen = (key: string, batchId: string, mailboxIds: string[]) =>
      anOutboxEntry({ idempotencyKey: key, messageId: key, mailboxId: mailboxIds[0]!, mailboxIds, payload, batchId, sending: { item: { ...payload, message_id: key, contact_ids: ['c-1'] }, visibility: 'snippet' } });
    const gmailOnly = frozen('<gmail-only@x>', 'batch-1', [gmail.id]);
    const shared = frozen('<shared@x>', 'batch-1', [gmail.id, outlook.id]);
    const outlookOnly = frozen('<outlook-only@x>', 'batch-1', [outlook.id]);
    const otherBatch = frozen('<other-batch@x>', 'batch-2', [outlook.id]);
    await putOutboxEntries(db, [gmailOnly, shared, outlookOnly, otherBatch]);

    await deleteMailboxAndData(db, gmail.id);

    expect(await getOutboxEntry(db, '<gmail-only@x>')).toBeUndefined();
    expect(await getOutboxEntry(db, '<shared@x>')).toEqual({ ...shared, mailboxId: outlook.id, mailboxIds: [outlook.id], payload: null, batchId: null, sending: null });
    expect(await getOutboxEntry(db, '<outlook-only@x>')).toEqual({ ...outlookOnly, batchId: null, sending: null });
    expect(await getOutboxEntry(db, '<other-batch@x>')).toEqual(otherBatch);
  });

  it('counts every table of the database as either shared, the mailboxes, or purged with a mailbox', () => {
    // A new per-mailbox table that is not added to the purge fails here. Jobs belong to a lane (a
    // mailbox id, or the CRM's); outbox entries to every mailbox holding a copy.
    const shared = ['mailboxes', 'contacts'];
    const purgedBy: Record<string, string> = { jobs: 'lane', outbox: 'mailboxIds' };
    expect(db.tables.map((t) => t.name).filter((name) => !shared.includes(name) && !(name in purgedBy)).sort()).toEqual([...MAILBOX_DATA_TABLES].sort());
    for (const name of MAILBOX_DATA_TABLES) expect(db.table(name).schema.idxByName.mailboxId, name).toBeDefined();
    for (const [name, index] of Object.entries(purgedBy)) expect(db.table(name).schema.idxByName[index], name).toBeDefined();
    expect(db.outbox.schema.idxByName.mailboxIds?.multi).toBe(true);
  });
});
