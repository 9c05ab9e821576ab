import { afterEach, beforeEach } from 'vitest';
import { MailboxCrmDatabase } from '@/lib/db';

/** A new, empty database for each test of the file (fake-indexeddb), deleted after it. */
export function useFreshDatabase(): () => MailboxCrmDatabase {
  let db: MailboxCrmDatabase | undefined;
  beforeEach(async () => {
    db = new MailboxCrmDatabase(`test-${crypto.randomUUID()}`);
    await db.open();
  });
  afterEach(async () => {
    await db?.delete();
    db = undefined;
  });
  return () => {
    if (!db) throw new Error('The database exists only inside a test.');
    return db;
  };
}
