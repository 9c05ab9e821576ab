import type { MailboxCrmDatabase } from './database';

/** The tables of the database, by name. */
export type TableName = 'mailboxes' | 'messages' | 'contacts' | 'threadLinks' | 'outbox' | 'syncRuns' | 'checkpoints' | 'verdicts' | 'jobs';

/**
 * Runs `work` in ONE read-write IndexedDB transaction over the named tables (R13): every query
 * function of `lib/db` it calls joins it, so all its writes land or none does, and a failing step
 * aborts the lot. The engine composes a page of work from the query functions inside it; `work`
 * must await only database calls (anything else would end the transaction early).
 */
export function atomically<T>(db: MailboxCrmDatabase, tables: readonly TableName[], work: () => Promise<T>): Promise<T> {
  return db.transaction('rw', tables.map((name) => db.table(name)), work);
}
