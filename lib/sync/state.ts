import { contactLink } from '../crm';
import { contactsByIds, findMessages, getRun, type MailboxCrmDatabase, messagesOf, type OutboxEntry, outboxEntries, type Verdict, verdictsOf, verdictsOfRun, verdictsOfThread } from '../db';
import { normaliseAddress } from '../matching/address';
import type { Contact, ContactRef, ContactSample, LookupResult, Message, MessageSyncState } from '../domain';
import type { EngineDeps } from './engine-deps';

/** The CRM's origin, the only one a contact link may point to; null without a CRM. */
export async function crmOrigin(deps: EngineDeps): Promise<string | null> {
  const crm = await deps.crm();
  return crm && new URL(crm.baseUrl).origin;
}

/**
 * A contact as the UI names it, its link kept only on the CRM's origin (none without a CRM): the
 * mirror's url is the CRM's data, and a link elsewhere would send the user to a look-alike page.
 */
export function contactRef(contact: Contact, origin: string | null): ContactRef {
  return { id: contact.id, name: contact.name, company: contact.company, url: contact.url && origin ? contactLink(contact.url, origin) : null };
}

async function contactRefs(db: MailboxCrmDatabase, ids: readonly string[], origin: string | null): Promise<Map<string, ContactRef>> {
  const contacts = await contactsByIds(db, ids);
  return new Map(contacts.map((c) => [c.id, contactRef(c, origin)]));
}

function stateOf(verdict: Verdict, entry: OutboxEntry | undefined): Pick<MessageSyncState, 'state' | 'at' | 'error'> {
  if (verdict.reason !== null) return { state: 'skipped', at: null, error: null };
  switch (entry?.status) {
    case 'sent':
      return { state: 'pushed', at: entry.pushed?.at ?? null, error: null };
    case 'failed':
      return { state: 'failed', at: null, error: entry.lastError };
    case 'undone':
      return { state: 'undone', at: null, error: null };
    default:
      return { state: 'waiting', at: null, error: null };
  }
}

/** States of stored messages from their verdicts, outbox entries and contacts (links only on `origin`). */
async function statesOf(db: MailboxCrmDatabase, verdicts: readonly Verdict[], messages: ReadonlyMap<string, Message>, origin: string | null): Promise<MessageSyncState[]> {
  const entries = new Map((await outboxEntries(db, verdicts.map((v) => v.key))).map((e) => [e.idempotencyKey, e]));
  const refs = await contactRefs(db, verdicts.flatMap((v) => entries.get(v.key)?.contactIds ?? v.contactIds), origin);
  return verdicts
    .flatMap((verdict) => {
      const message = messages.get(verdict.providerId);
      if (!message) return [];
      const entry = verdict.reason === null ? entries.get(verdict.key) : undefined;
      const ids = entry?.pushed?.contactIds ?? entry?.contactIds ?? verdict.contactIds;
      return [{ providerId: verdict.providerId, date: message.date, direction: message.direction, reason: verdict.reason, contacts: ids.flatMap((id) => refs.get(id) ?? []), ...stateOf(verdict, entry) }];
    })
    .sort((a, b) => a.date - b.date);
}

async function storedMessages(db: MailboxCrmDatabase, mailboxId: string, providerIds: readonly string[]): Promise<Map<string, Message>> {
  return new Map((await messagesOf(db, mailboxId, providerIds)).map((m) => [m.providerId, m]));
}

/**
 * Every stored message of a thread in a mailbox with where it stands (the sidebar, R28); empty
 * when the thread is not synced yet. Contact links only on `origin` (`contactRef`).
 */
export async function threadState(db: MailboxCrmDatabase, mailboxId: string, threadKey: string, origin: string | null): Promise<MessageSyncState[]> {
  const verdicts = await verdictsOfThread(db, mailboxId, threadKey);
  return statesOf(db, verdicts, await storedMessages(db, mailboxId, verdicts.map((v) => v.providerId)), origin);
}

/**
 * Up to `perContact` messages of a run per contact it attached mail to, newest first (R24). A
 * preview stores no messages (R11): its contacts come from the run's counts, each with its total
 * and no messages, so the preview can still say what would be logged on whom. Contact links only
 * on `origin` (`contactRef`).
 */
export async function runSample(db: MailboxCrmDatabase, runId: string, perContact: number, origin: string | null): Promise<ContactSample[]> {
  const pushed = (await verdictsOfRun(db, runId)).filter((v) => v.reason === null);
  if (pushed.length === 0) return countedContacts(db, runId, origin);
  const mailboxId = pushed[0]!.mailboxId;
  const messages = await storedMessages(db, mailboxId, pushed.map((v) => v.providerId));
  const states = new Map((await statesOf(db, pushed, messages, origin)).map((s) => [s.providerId, s]));
  const entries = new Map((await outboxEntries(db, pushed.map((v) => v.key))).map((e) => [e.idempotencyKey, e]));
  const refs = await contactRefs(db, pushed.flatMap((v) => v.contactIds), origin);
  const byContact = new Map<string, Verdict[]>();
  for (const v of pushed) for (const id of v.contactIds) byContact.set(id, [...(byContact.get(id) ?? []), v]);
  return [...byContact].map(([id, verdicts]) => ({
    contact: refs.get(id) ?? { id, name: null, company: null, url: null },
    total: verdicts.length,
    messages: verdicts
      .flatMap((v) => {
        const state = states.get(v.providerId);
        const message = messages.get(v.providerId);
        return state && message ? [{ ...state, subject: message.subject, from: message.from?.address ?? null, crmEmailId: entries.get(v.key)?.crmEmailId ?? null }] : [];
      })
      .sort((a, b) => b.date - a.date)
      .slice(0, perContact),
  }));
}

/** The contacts a run counted (a preview's), named from the contact mirror, without messages. */
async function countedContacts(db: MailboxCrmDatabase, runId: string, origin: string | null): Promise<ContactSample[]> {
  const counts = (await getRun(db, runId))?.counts.contacts ?? {};
  const refs = await contactRefs(db, Object.keys(counts), origin);
  return Object.entries(counts).map(([id, total]) => ({ contact: refs.get(id) ?? { id, name: null, company: null, url: null }, total, messages: [] }));
}

/**
 * "Why wasn't this logged?" (R17): stored messages of a mailbox whose subject contains `text`, or
 * with `text` as a participant's address, newest first, each with where it stands (contact links
 * only on `origin`).
 */
export async function lookupMessages(db: MailboxCrmDatabase, mailboxId: string, text: string, limit: number, origin: string | null): Promise<LookupResult[]> {
  const needle = text.trim().toLowerCase();
  if (needle === '') return [];
  const address = needle.includes('@') ? normaliseAddress(needle) : null;
  // Every match, then the newest: the mailbox index yields rows in provider-id order, which is
  // not the order of dates (Graph ids are opaque), so a limit applied there loses the newest.
  const matches = await findMessages(db, mailboxId, (m) => (address !== null && m.participants.includes(address)) || (m.subject ?? '').toLowerCase().includes(needle), Number.POSITIVE_INFINITY);
  const rows = matches.sort((a, b) => b.date - a.date).slice(0, limit);
  const messages = new Map(rows.map((r) => [r.providerId, r]));
  const verdicts = await verdictsOf(db, mailboxId, rows.map((r) => r.providerId));
  const states = await statesOf(db, verdicts, messages, origin);
  return states.map((s) => ({ ...s, subject: messages.get(s.providerId)!.subject, threadKey: messages.get(s.providerId)!.threadKey })).sort((a, b) => b.date - a.date);
}
