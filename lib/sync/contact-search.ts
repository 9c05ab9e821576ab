import { type MailboxCrmDatabase, walkContacts } from '../db';
import { type Contact, type ContactRef, contactSchema } from '../domain';
import { contactRef } from './state';

/** A contact found by `searchMirror`: as the UI names it, with every address the mirror holds. */
export type FoundContact = ContactRef & { emails: string[] };

/**
 * The most contacts one search reads. The mirror is walked in id order a page at a time
 * (`walkContacts`), so a search costs one pass over at most this many rows, holding one page and
 * the best `limit` rows: bounded in time and memory however large the CRM (a mirror beyond this is
 * searched in its first rows by id). Timed on 5 000 contacts in
 * `tests/integration/background/sidebar-handlers.test.ts`.
 */
export const SEARCH_SCAN_MAX = 50_000;

/** How well a contact matches: 0 a field or a word of the name or company starts with the text, 1 contains it, null neither. */
function rankOf(contact: Contact, needle: string): 0 | 1 | null {
  const texts = [contact.name, contact.company ?? '', ...contact.emails].map((t) => t.toLowerCase());
  if (!texts.some((t) => t.includes(needle))) return null;
  const words = [contact.name, contact.company ?? ''].flatMap((t) => t.toLowerCase().split(/[\s,.()'"-]+/));
  return texts.some((t) => t.startsWith(needle)) || words.some((w) => w.startsWith(needle)) ? 0 : 1;
}

interface Ranked {
  rank: 0 | 1;
  contact: Contact;
}

function better(a: Ranked, b: Ranked): number {
  return a.rank - b.rank || a.contact.name.localeCompare(b.contact.name) || (a.contact.id < b.contact.id ? -1 : 1);
}

/**
 * "Link to contact" (R27): mirrored contacts whose name, company or any address contains `text`,
 * ignoring case; prefix matches (of a field, or of a word of the name or company) first, then by
 * name; at most `limit`. Links only on the CRM's origin (`origin`; none without a CRM). The walk
 * keeps only the best `limit` rows it has seen, and reads at most `SEARCH_SCAN_MAX` rows.
 */
export async function searchMirror(db: MailboxCrmDatabase, text: string, limit: number, origin: string | null): Promise<FoundContact[]> {
  const needle = text.trim().toLowerCase();
  if (needle === '' || limit < 1) return [];
  const best: Ranked[] = [];
  let read = 0;
  await walkContacts(db, (row) => {
    read++;
    const rank = rankOf(row, needle);
    if (rank !== null) {
      const candidate = { rank, contact: row };
      if (best.length < limit || better(candidate, best.at(-1)!) < 0) {
        best.push(candidate);
        best.sort(better);
        if (best.length > limit) best.pop();
      }
    }
    return read < SEARCH_SCAN_MAX;
  });
  return best.map(({ contact }) => {
    const valid = contactSchema.parse(contact);
    return { ...contactRef(valid, origin), emails: valid.emails };
  });
}
