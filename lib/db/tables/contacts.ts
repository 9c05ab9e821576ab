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
