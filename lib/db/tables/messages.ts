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

/** Messages of a mailbox by provider id, validated; an id without one is left out. */
export async function messagesOf(db: MailboxCrmDatabase, mailboxId: string, providerIds: readonly string[]): Promise<Message[]> {
  const rows = await db.messages.bulkGet(providerIds.map((id) => [mailboxId, id] as [string, string]));
  return rows.filter((row) => row !== undefined).map((row) => messageSchema.parse(row));
}

/** The stored messages of a thread in a mailbox. */
export async function messagesOfThread(db: MailboxCrmDatabase, mailboxId: string, threadKey: string): Promise<Message[]> {
  const rows = await db.messages.where('threadKey').equals(threadKey).filter((m) => m.mailboxId === mailboxId).toArray();
  return rows.map((row) => messageSchema.parse(row));
}

/** The stored messages of a mailbox with any of `addresses` (normalised) among their participants. */
export async function messagesWithParticipants(db: MailboxCrmDatabase, mailboxId: string, addresses: readonly string[]): Promise<Message[]> {
  if (addresses.length === 0) return [];
  const rows = await db.messages.where('participants').anyOf([...addresses]).filter((m) => m.mailboxId === mailboxId).toArray();
  return rows.map((row) => messageSchema.parse(row));
}

/** Up to `limit` stored messages of a mailbox that `matches` accepts. */
export async function findMessages(db: MailboxCrmDatabase, mailboxId: string, matches: (message: Message) => boolean, limit: number): Promise<Message[]> {
  const rows = await db.messages.where('mailboxId').equals(mailboxId).filter((row) => matches(row)).limit(limit).toArray();
  return rows.map((row) => messageSchema.parse(row));
}
