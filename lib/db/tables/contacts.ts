import { type Contact, contactSchema } from '../../domain';
import type { MailboxCrmDatabase } from '../database';

/** The mirrored CRM contacts having `email` (normalised) among their addresses (R19, R20). */
export async function contactsWithEmail(db: MailboxCrmDatabase, email: string): Promise<Contact[]> {
  const rows = await db.contacts.where('emails').equals(email).toArray();
  return rows.map((row) => contactSchema.parse(row));
}

/**
 * A mirrored contact as stored: the contact, and the lowercase words of its name and company
 * (`searchWords`) under the multi-entry `words` index (version 4), for "Link to contact" to find
 * contacts by a word's prefix without walking the mirror.
 */
export type ContactRow = Contact & { words: string[] };

/** The lowercase words of a text as the contact search splits it: on spaces and punctuation. */
export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[\s,.;:()'"\-/&]+/)
    .filter((word) => word !== '');
}

/** The words of a contact's name and company, each once (`ContactRow.words`). */
export function contactWords(contact: Pick<Contact, 'name' | 'company'>): string[] {
  return [...new Set([...searchWords(contact.name), ...searchWords(contact.company ?? '')])];
}

/** Stores a page of the contact mirror, validated first; a contact the CRM changed replaces its earlier copy. */
export async function putContacts(db: MailboxCrmDatabase, contacts: readonly Contact[]): Promise<void> {
  const valid = contacts.map((contact) => contactSchema.parse(contact));
  await db.contacts.bulkPut(valid.map((contact) => ({ ...contact, words: contactWords(contact) })));
}

/** Contacts found by a prefix read of one index, and whether the read stopped at its cap. */
export interface PrefixMatches {
  contacts: Contact[];
  capped: boolean;
}

/**
 * Contacts with a word of the name or company (`index: 'words'`) or an address (`'emails'`,
 * normalised) that starts with `prefix` (lowercase): one ranged read of the index, each contact
 * once, at most `max` of them in index order.
 */
export async function contactsByPrefix(db: MailboxCrmDatabase, index: 'words' | 'emails', prefix: string, max: number): Promise<PrefixMatches> {
  const rows = await db.contacts.where(index).startsWith(prefix).distinct().limit(max + 1).toArray();
  return { contacts: rows.slice(0, max).map((row) => contactSchema.parse(row)), capped: rows.length > max };
}

/** How many contacts the mirror holds (a native count). */
export function countContacts(db: MailboxCrmDatabase): Promise<number> {
  return db.contacts.count();
}

/** How many index entries start with `prefix`: a native count, to pick the most selective word. */
export function countByPrefix(db: MailboxCrmDatabase, index: 'words' | 'emails', prefix: string): Promise<number> {
  return db.contacts.where(index).startsWith(prefix).count();
}

/**
 * The mirrored contacts having any of `emails` (normalised) among their addresses, each once (R20).
 * One indexed get per address rather than `anyOf`, which Dexie runs as a cursor walk, one step
 * per key (Dexie.js #985, #1150): measured by `tests/bench/classify.ts`, a page of 100 messages
 * against a 10k-contact mirror took 389 ms with `anyOf` and 3.3 ms so.
 */
export async function contactsWithAnyEmail(db: MailboxCrmDatabase, emails: readonly string[]): Promise<Contact[]> {
  const byAddress = await Promise.all([...new Set(emails)].map((email) => db.contacts.where('emails').equals(email).toArray()));
  // A contact with two of the addresses comes back twice.
  const rows = new Map(byAddress.flat().map((row) => [row.id, row]));
  return [...rows.values()].map((row) => contactSchema.parse(row));
}

/** Contacts by id, validated; an id the mirror lacks is left out. */
export async function contactsByIds(db: MailboxCrmDatabase, ids: readonly string[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  const rows = await db.contacts.bulkGet([...new Set(ids)]);
  return rows.filter((row) => row !== undefined).map((row) => contactSchema.parse(row));
}

/** Empties the mirror: the contacts of another CRM mean nothing to a new one. */
export async function clearContacts(db: MailboxCrmDatabase): Promise<void> {
  await db.contacts.clear();
}

/** How many rows `walkContacts` reads at once: one `getAll` per page, a bounded array in memory. */
const WALK_PAGE = 500;

/**
 * Walks the mirror in id order, a page of rows at a time (keyset: each page starts after the last
 * id of the one before, so a page is one ranged `getAll`, much faster than a cursor step per row),
 * handing each row to `visit` unvalidated (validate what you keep). The walk stops when `visit`
 * answers false.
 */
export async function walkContacts(db: MailboxCrmDatabase, visit: (row: Contact) => boolean): Promise<void> {
  for (let after: string | null = null; ; ) {
    const page: Contact[] = await (after === null ? db.contacts.orderBy(':id') : db.contacts.where(':id').above(after)).limit(WALK_PAGE).toArray();
    for (const row of page) if (!visit(row)) return;
    if (page.length < WALK_PAGE) return;
    after = page.at(-1)!.id;
  }
}
