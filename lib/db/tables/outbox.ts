import Dexie from 'dexie';
import type { MailboxCrmDatabase } from '../database';
import { type OutboxEntry, outboxEntrySchema } from '../rows';

/** A pending or past CRM write by its idempotency key, validated. */
export async function getOutboxEntry(db: MailboxCrmDatabase, idempotencyKey: string): Promise<OutboxEntry | undefined> {
  const row = await db.outbox.get(idempotencyKey);
  return row && outboxEntrySchema.parse(row);
}

/** Pending writes whose next attempt is due at `now`, earliest first, at most `limit`. */
export async function dueOutboxEntries(db: MailboxCrmDatabase, now: number, limit: number): Promise<OutboxEntry[]> {
  const rows = await db.outbox.where('[status+nextAttemptAt]').between(['pending', Dexie.minKey], ['pending', now], true, true).limit(limit).toArray();
  return rows.map((row) => outboxEntrySchema.parse(row));
}

/**
 * Queues CRM writes, validated first. A key already queued keeps its entry: the same message
 * read again, or from a second mailbox (R15), must not reset a write already sent (its
 * `crmEmailId` is what undo deletes by, R18) or pending. Returns how many were new.
 */
export async function queueOutboxEntries(db: MailboxCrmDatabase, entries: readonly OutboxEntry[]): Promise<number> {
  const byKey = new Map<string, OutboxEntry>();
  for (const entry of entries) if (!byKey.has(entry.idempotencyKey)) byKey.set(entry.idempotencyKey, outboxEntrySchema.parse(entry));
  return db.transaction('rw', db.outbox, async () => {
    const keys = [...byKey.keys()];
    const existing = await db.outbox.bulkGet(keys);
    const fresh = keys.filter((_, index) => existing[index] === undefined).map((key) => byKey.get(key)!);
    await db.outbox.bulkAdd(fresh);
    return fresh.length;
  });
}
