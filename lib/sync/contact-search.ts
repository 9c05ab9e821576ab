import { contactsByPrefix, countByPrefix, countContacts, type MailboxCrmDatabase, type PrefixMatches, searchWords, walkContacts } from '../db';
import { type Contact, type ContactRef, contactSchema } from '../domain';
import { normaliseAddress } from '../matching/address';
import { contactRef } from './state';

/** A contact found by `searchMirror`: as the UI names it, with every address the mirror holds, the primary one first. */
export type FoundContact = ContactRef & { emails: string[] };

/** What "Link to contact" found, and whether a read stopped at its cap (more may match: type more). */
export interface ContactSearch {
  contacts: FoundContact[];
  truncated: boolean;
}

/** The most contacts one prefix read of an index takes (`contactsByPrefix`). */
export const SEARCH_PREFIX_MAX = 1_000;

/**
 * The most contacts the substring fallback reads, in id order a page at a time
 * (`walkContacts`): a text that finds fewer than asked by prefix is looked for inside names,
 * companies and addresses, bounded in time however large the mirror.
 */
export const SEARCH_SCAN_MAX = 5_000;

/**
 * How well a contact matches any of `needles` (the text, and its normalised form when it looks
 * like an address): 0 a field or a word of the name or company starts with one, 1 contains one,
 * null neither.
 */
function rankOf(contact: Contact, needles: readonly string[]): 0 | 1 | null {
  const texts = [contact.name, contact.company ?? '', ...contact.emails].map((t) => t.toLowerCase());
  if (!needles.some((needle) => texts.some((t) => t.includes(needle)))) return null;
  const words = [...searchWords(contact.name), ...searchWords(contact.company ?? '')];
  return needles.some((needle) => texts.some((t) => t.startsWith(needle)) || words.some((w) => w.startsWith(needle))) ? 0 : 1;
}

/** The texts a search looks for: the text, and its normalised form when it looks like an address (a Gmail dot or +tag variant). */
function needlesOf(needle: string): string[] {
  return needle.includes('@') ? [...new Set([needle, normaliseAddress(needle)])] : [needle];
}

interface Ranked {
  rank: 0 | 1;
  contact: Contact;
}

function better(a: Ranked, b: Ranked): number {
  return a.rank - b.rank || a.contact.name.localeCompare(b.contact.name) || (a.contact.id < b.contact.id ? -1 : 1);
}

/**
 * The contacts the indexes find for `needle` (lowercase): those with an address starting with it
 * (as typed, and normalised when it looks like an address: a Gmail dot or +tag variant), and,
 * for a text that is not an address, those with a word of the name or company starting with its
 * most selective word (the fewest index entries; the others are checked by `rankOf`).
 */
async function prefixMatches(db: MailboxCrmDatabase, needle: string): Promise<PrefixMatches> {
  const reads = needlesOf(needle).map((text) => contactsByPrefix(db, 'emails', text, SEARCH_PREFIX_MAX));
  if (!needle.includes('@')) {
    const words = [...new Set(searchWords(needle))];
    const counts = await Promise.all(words.map((word) => countByPrefix(db, 'words', word)));
    const rarest = words[counts.indexOf(Math.min(...counts))];
    if (rarest !== undefined) reads.push(contactsByPrefix(db, 'words', rarest, SEARCH_PREFIX_MAX));
  }
  const found = await Promise.all(reads);
  return { contacts: found.flatMap((f) => f.contacts), capped: found.some((f) => f.capped) };
}

/**
 * "Link to contact" (R27): mirrored contacts whose name, company or any address contains `text`,
 * ignoring case; prefix matches (of a field, or of a word of the name or company) first, then by
 * name; at most `limit`. Links only on the CRM's origin (`origin`; none without a CRM).
 *
 * Index-backed: the prefix matches come from ranged reads of the mirror's `emails` and `words`
 * indexes (`prefixMatches`, each at most `SEARCH_PREFIX_MAX` rows). Only a text that finds fewer
 * than `limit` so is also looked for inside the fields, by a walk of at most `SEARCH_SCAN_MAX`
 * rows. `truncated` says a read stopped at its cap, so a match may be missing.
 */
export async function searchMirror(db: MailboxCrmDatabase, text: string, limit: number, origin: string | null): Promise<ContactSearch> {
  const needle = text.trim().toLowerCase();
  if (needle === '' || limit < 1) return { contacts: [], truncated: false };
  const needles = needlesOf(needle);
  const found = new Map<string, Ranked>();
  const consider = (contact: Contact) => {
    const rank = rankOf(contact, needles);
    if (rank !== null && !found.has(contact.id)) found.set(contact.id, { rank, contact });
  };
  const prefix = await prefixMatches(db, needle);
  prefix.contacts.forEach(consider);
  let truncated = prefix.capped;
  if (found.size < limit) {
    let read = 0;
    await walkContacts(db, (row) => {
      read++;
      consider(row);
      return read < SEARCH_SCAN_MAX;
    });
    truncated ||= read >= SEARCH_SCAN_MAX && (await countContacts(db)) > SEARCH_SCAN_MAX;
  }
  const best = [...found.values()].sort(better).slice(0, limit);
  // The walk's rows are read unvalidated: only those kept are checked.
  const valid = best.map(({ contact }) => contactSchema.parse(contact));
  return { contacts: valid.map((contact) => ({ ...contactRef(contact, origin), emails: displayEmails(contact) })), truncated };
}

/** The contact's addresses for display: the primary one as the CRM has it first, then the others. */
function displayEmails(contact: Contact): string[] {
  if (contact.primaryEmail === null) return contact.emails;
  const primary = normaliseAddress(contact.primaryEmail);
  return [contact.primaryEmail, ...contact.emails.filter((e) => e !== primary)];
}
