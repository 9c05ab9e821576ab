import { type Message, messageSchema } from '../../domain';
import type { MailboxCrmDatabase } from '../database';

/** A message by its provider id within one mailbox, validated. */
export async function getMessage(db: MailboxCrmDatabase, mailboxId: string, providerId: string): Promise<Message | undefined> {
  const row = await db.messages.get([mailboxId, providerId]);
  return row && messageSchema.parse(row);
}

/** Every stored copy of a message across mailboxes, by its RFC 5322 Message-ID (R15). */
export async function messagesWithMessageId(db: MailboxCrmDatabase, messageId: string): Promise<Message[]> {
  const rows = await db.messages.where('messageId').equals(messageId).toArray();
  return rows.map((row) => messageSchema.parse(row));
}

/**
 * Stores messages as metadata only (R23): a snippet or body is never kept locally; what the CRM
 * may receive travels in the outbox entry until it is written. A message read again (new labels,
 * moved folder) replaces its earlier copy. Part of a page commit, or alone.
 */
export async function putMessages(db: MailboxCrmDatabase, messages: readonly Message[]): Promise<void> {
  const valid = messages.map((message) => messageSchema.parse({ ...message, snippet: null, body: null }));
  await db.messages.bulkPut(valid);
}
