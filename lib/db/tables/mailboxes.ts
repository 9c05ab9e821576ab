import Dexie from 'dexie';
import { type Mailbox, mailboxSchema, type Provider } from '../../domain';
import type { MailboxCrmDatabase } from '../database';
import { releaseBatch } from './outbox';

/**
 * The tables whose rows belong to one mailbox, through their `mailboxId` index. Disconnecting
 * purges every one of them (R34); contacts are the CRM's and shared by all mailboxes.
 */
export const MAILBOX_DATA_TABLES = ['messages', 'threadLinks', 'syncRuns', 'checkpoints', 'verdicts'] as const;

/** A mailbox by id, validated on the way out: IndexedDB content is a boundary like any other. */
export async function getMailbox(db: MailboxCrmDatabase, id: string): Promise<Mailbox | undefined> {
  const row = await db.mailboxes.get(id);
  return row && mailboxSchema.parse(row);
}

/** Every mailbox, ordered by id, validated. */
export async function listMailboxes(db: MailboxCrmDatabase): Promise<Mailbox[]> {
  const rows = await db.mailboxes.orderBy('id').toArray();
  return rows.map((row) => mailboxSchema.parse(row));
}

/** Another mailbox of `provider` than `exceptId`, if any. */
export async function otherMailboxOf(db: MailboxCrmDatabase, provider: Provider, exceptId: string): Promise<Mailbox | undefined> {
  const row = await db.mailboxes
    .where('[provider+address]')
    .between([provider, Dexie.minKey], [provider, Dexie.maxKey])
    .filter((m) => m.id !== exceptId)
    .first();
  return row && mailboxSchema.parse(row);
}

/** Saves a mailbox, new or changed, after validating it; returns what was stored. */
export async function putMailbox(db: MailboxCrmDatabase, mailbox: Mailbox): Promise<Mailbox> {
  const valid = mailboxSchema.parse(mailbox);
  await db.mailboxes.put(valid);
  return valid;
}

/**
 * Changes a stored mailbox by reading and writing it in one transaction, so that two changes
 * racing each other both land. Does nothing for a mailbox that is gone (disconnected meanwhile);
 * `change` returning its argument unchanged writes nothing. Returns the stored mailbox.
 */
export async function updateMailbox(db: MailboxCrmDatabase, id: string, change: (mailbox: Mailbox) => Mailbox): Promise<Mailbox | undefined> {
  return db.transaction('rw', db.mailboxes, async () => {
    const current = await getMailbox(db, id);
    if (!current) return undefined;
    const next = change(current);
    return next === current ? current : putMailbox(db, next);
  });
}

/**
 * Deletes a mailbox with everything the extension holds for it, in one transaction (R34): a
 * crash leaves either all of it or none. Its jobs go, and so do its outbox entries, except that an
 * entry another connected mailbox also holds stays for that mailbox: pending, it will read its
 * content again from that mailbox at that mailbox's visibility (R22). A batch fixed for sending
 * that holds any of its entries is released, to be rebuilt from what is left: the entries only it
 * held never leave, and a shared one is sent as the mailbox that stays has it (emails are upserted
 * by Message-ID, so a batch the CRM applied already is written again at most). Returns whether the
 * mailbox was there.
 */
export async function deleteMailboxAndData(db: MailboxCrmDatabase, id: string): Promise<boolean> {
  const tables = MAILBOX_DATA_TABLES.map((name) => db[name]);
  return db.transaction('rw', [db.mailboxes, db.outbox, db.jobs, ...tables], async () => {
    for (const table of tables) await table.where('mailboxId').equals(id).delete();
    await db.jobs.where('lane').equals(id).delete();
    const batches = new Set((await db.outbox.where('mailboxIds').equals(id).toArray()).flatMap((entry) => (entry.batchId ? [entry.batchId] : [])));
    for (const batchId of batches) await releaseBatch(db, batchId);
    await db.outbox
      .where('mailboxIds')
      .equals(id)
      .modify((entry, ref) => {
        const rest = entry.mailboxIds.filter((m) => m !== id);
        if (rest.length === 0) {
          delete (ref as { value?: unknown }).value;
          return;
        }
        entry.mailboxIds = rest;
        if (entry.mailboxId === id) {
          entry.mailboxId = rest[0]!;
          // Its content is read again from the new source.
          if (entry.status === 'pending') entry.payload = null;
        }
      });
    return (await db.mailboxes.where('id').equals(id).delete()) > 0;
  });
}
