// Types only from the emulators (erased at run time), and no test runner: vitest's harness and
// the Playwright specs both use this comparison, each with its own `expect`.
import type { ExpectedCrmEmail, GroundTruth } from '../../emulators/seed/ground-truth';
import type { EmulatorAdmin } from './emulator-admin';

/** One stored CRM email as `GET /__admin/crm/emails` lists it. */
export interface CrmEmailRecord {
  id: string;
  message_id: string;
  contact_ids: string[];
  fields: Record<string, unknown>;
  writes: number;
}

/** An expected email the CRM holds, but not as it should: written more than once, other contacts, or fields the visibility does not allow. */
export interface WrongCrmEmail {
  key: string;
  writes: number;
  contacts: string[];
  expected: string[];
  leaked: string[];
}

/** How the CRM's emails differ from the expected set; all three empty when it holds exactly that set. */
export interface CrmMismatches {
  missing: string[];
  extra: string[];
  wrong: WrongCrmEmail[];
}

/**
 * Compares the CRM's emails with the ground truth's expected set: none missing, none extra, each
 * written once, to exactly the expected contacts, with no field beyond what the visibility allows.
 */
export function crmMismatches(emails: readonly CrmEmailRecord[], expected: readonly ExpectedCrmEmail[]): CrmMismatches {
  const byKey = new Map(emails.map((e) => [e.message_id, e]));
  const missing = expected.filter((e) => !byKey.has(e.key)).map((e) => e.key);
  const wanted = new Set(expected.map((e) => e.key));
  const extra = emails.filter((e) => !wanted.has(e.message_id)).map((e) => e.message_id);
  const wrong = expected.flatMap((e) => {
    const got = byKey.get(e.key);
    if (!got) return [];
    const fields = Object.keys(got.fields).filter((f) => got.fields[f] !== undefined);
    const leaked = fields.filter((f) => !e.fields.includes(f as never));
    return got.writes !== 1 || JSON.stringify(got.contact_ids) !== JSON.stringify(e.contactIds) || leaked.length > 0
      ? [{ key: e.key, writes: got.writes, contacts: got.contact_ids, expected: e.contactIds, leaked }]
      : [];
  });
  return { missing, extra, wrong };
}

/** The emulators' verdicts for the mailboxes asked about (seed ids or addresses), from `since`. */
export function readGroundTruth(admin: EmulatorAdmin, mailboxes: readonly string[], since?: number): Promise<GroundTruth> {
  const query = new URLSearchParams({ mailboxes: mailboxes.join(',') });
  if (since !== undefined) query.set('since', String(since));
  return admin.get<GroundTruth>(`/ground-truth?${query}`);
}

/** Every email the CRM emulator holds, with how often each was written. */
export async function readCrmEmails(crm: EmulatorAdmin): Promise<CrmEmailRecord[]> {
  return (await crm.get<{ emails: CrmEmailRecord[] }>('/crm/emails')).emails;
}
