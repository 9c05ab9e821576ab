import Dexie, { type Table, type Transaction } from 'dexie';
import type { Mailbox, Message, SyncRun } from '../domain';
import type { Checkpoint, Job, OutboxEntry, ThreadLink, Verdict } from './rows';
import type { ContactRow } from './tables/contacts';
import { upgradeToV2, upgradeToV3, upgradeToV4 } from './upgrades';

/** One version of the database: the stores it adds or changes (Dexie keeps the others), and how old rows become new ones. */
export interface SchemaVersion {
  version: number;
  stores: Readonly<Record<string, string>>;
  upgrade?: (tx: Transaction) => Promise<void>;
}

/**
 * Store definitions by version. A new version appends an entry here (with an `upgrade` if rows
 * must change) and never edits an old one; `tests/unit/db/migration.test.ts` opens data written
 * by every earlier version with the current class.
 */
export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
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
  // No store changes; rows do: every time in milliseconds, checkpoints numbered (see `upgradeToV2`).
  { version: 2, stores: {}, upgrade: (tx) => upgradeToV2(tx) },
  // The engine: verdicts and jobs; the outbox keyed by CRM key with every source mailbox (see `upgradeToV3`).
  {
    version: 3,
    stores: {
      outbox: 'idempotencyKey, *mailboxIds, runId, batchId, [status+nextAttemptAt]',
      verdicts: '[mailboxId+providerId], mailboxId, runId, key, [mailboxId+threadKey], [mailboxId+reason]',
      jobs: 'id, lane, status',
    },
    upgrade: (tx) => upgradeToV3(tx),
  },
  // "Link to contact": the words of a contact's name and company, for prefix search (see `upgradeToV4`).
  { version: 4, stores: { contacts: 'id, *emails, updatedAt, *words' }, upgrade: (tx) => upgradeToV4(tx) },
];

export const DATABASE_NAME = 'mailbox-crm';

/** The one IndexedDB database of the extension. It lives in the background and extension pages. */
export class MailboxCrmDatabase extends Dexie {
  mailboxes!: Table<Mailbox, string>;
  messages!: Table<Message, [string, string]>;
  contacts!: Table<ContactRow, string>;
  threadLinks!: Table<ThreadLink, [string, string]>;
  outbox!: Table<OutboxEntry, string>;
  syncRuns!: Table<SyncRun, string>;
  checkpoints!: Table<Checkpoint, [string, string]>;
  verdicts!: Table<Verdict, [string, string]>;
  jobs!: Table<Job, string>;

  constructor(name: string = DATABASE_NAME) {
    super(name);
    for (const { version, stores, upgrade } of SCHEMA_VERSIONS) {
      const declared = this.version(version).stores(stores);
      if (upgrade) declared.upgrade(upgrade);
    }
  }
}
