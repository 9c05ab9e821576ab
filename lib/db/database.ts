import Dexie, { type Table } from 'dexie';
import type { Contact, Mailbox, Message, SyncRun } from '../domain';
import type { Checkpoint, OutboxEntry, ThreadLink } from './rows';

/**
 * Store definitions by version. A new version appends an entry here (with an `upgrade` if rows
 * must change) and never edits an old one; `tests/unit/db-migration.test.ts` opens data written
 * by every earlier version with the current class.
 */
export const SCHEMA_VERSIONS = [
  {
    version: 1,
    stores: {
      mailboxes: 'id, &[provider+address]',
      messages: '[mailboxId+providerId], mailboxId, messageId, threadKey, *participants, date, [mailboxId+date]',
      contacts: 'id, *emails, updatedAt',
      threadLinks: '[mailboxId+threadKey], mailboxId, *contactIds',
      outbox: 'idempotencyKey, mailboxId, runId, status, [status+nextAttemptAt]',
      syncRuns: 'id, mailboxId, startedAt, [mailboxId+startedAt]',
      checkpoints: '[mailboxId+job], mailboxId',
    },
  },
] as const;

export const DATABASE_NAME = 'mailbox-crm';

/** The one IndexedDB database of the extension. It lives in the background and extension pages. */
export class MailboxCrmDatabase extends Dexie {
  mailboxes!: Table<Mailbox, string>;
  messages!: Table<Message, [string, string]>;
  contacts!: Table<Contact, string>;
  threadLinks!: Table<ThreadLink, [string, string]>;
  outbox!: Table<OutboxEntry, string>;
  syncRuns!: Table<SyncRun, string>;
  checkpoints!: Table<Checkpoint, [string, string]>;

  constructor(name: string = DATABASE_NAME) {
    super(name);
    for (const { version, stores } of SCHEMA_VERSIONS) this.version(version).stores(stores);
  }
}
