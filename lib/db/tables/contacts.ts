import { type Contact, contactSchema } from '../../domain';
import type { MailboxCrmDatabase } from '../database';

/** The mirrored CRM contacts having `email` (normalised) among their addresses (R19, R20). */
export async function contactsWithEmail(db: MailboxCrmDatabase, email: string): Promise<Contact[]> {
  const rows = await db.contacts.where('emails').equals(email).toArray();
  return rows.map((row) => contactSchema.parse(row));
}

/** Stores a page of the contact mirror, validated first; a contact the CRM changed replaces its earlier copy. */
export async function putContacts(db: MailboxCrmDatabase, contacts: readonly Contact[]): Promise<void> {
  const valid = contacts.map((contact) => contactSchema.parse(contact));
  await db.contacts.bulkPut(valid);
}

/** The mirrored contacts having any of `emails` (normalised) among their addresses: one indexed query for a page (R20). */
export async function contactsWithAnyEmail(db: MailboxCrmDatabase, emails: readonly string[]): Promise<Contact[]> {
  if (emails.length === 0) return [];
  const rows = await db.contacts.where('emails').anyOf([...emails]).toArray();
  return rows.map((row) => contactSchema.parse(row));
}

/** Which of `ids` the mirror holds. */
export async function mirroredContactIds(db: MailboxCrmDatabase, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.contacts.bulkGet([...ids]);
  return new Set(rows.filter((row) => row !== undefined).map((row) => row.id));
}
