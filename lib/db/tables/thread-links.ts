import type { MailboxCrmDatabase } from '../database';
import { type ThreadLink, threadLinkSchema } from '../rows';

/** The user's decision about one thread (linked contacts or "don't sync", R27), validated. */
export async function getThreadLink(db: MailboxCrmDatabase, mailboxId: string, threadKey: string): Promise<ThreadLink | undefined> {
  const row = await db.threadLinks.get([mailboxId, threadKey]);
  return row && threadLinkSchema.parse(row);
}

/** Saves the user's decision about one thread, replacing the previous one. */
export async function putThreadLink(db: MailboxCrmDatabase, link: ThreadLink): Promise<void> {
  await db.threadLinks.put(threadLinkSchema.parse(link));
}

/** The user's decisions about some threads of one mailbox, by thread key; a thread without one is left out. */
export async function threadLinksOf(db: MailboxCrmDatabase, mailboxId: string, threadKeys: readonly string[]): Promise<Map<string, ThreadLink>> {
  const rows = await db.threadLinks.bulkGet(threadKeys.map((key) => [mailboxId, key] as [string, string]));
  const links = new Map<string, ThreadLink>();
  for (const row of rows) if (row) links.set(row.threadKey, threadLinkSchema.parse(row));
  return links;
}
