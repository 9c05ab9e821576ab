import type { SeedContact, SeedMailbox, SeedMessage, SeedPolicy, World } from './types';

/**
 * What the product must do with every seeded message, written independently of the product's
 * own matching so that tests can hold the engine to it (R19–R23).
 *
 * Rules, checked in this order; the first that applies is the reason a message is skipped:
 * 1. excluded_folder: spam, trash, drafts and chats (Gmail labels; Outlook junk, deleted, drafts).
 * 2. excluded_category: Gmail promotions, social, updates and forums tabs.
 * 3. bulk: List-Unsubscribe, List-Id, Precedence bulk/list/junk, or Auto-Submitted other than "no".
 * 4. blocked: any participant is a blocked address or at a blocked domain.
 * 5. internal_only: every participant is at a workspace domain.
 * 6. personal_scope: the mailbox has personal scope (only manual links push, and the seed has none).
 * 7. no_contact: no participant matches a CRM contact.
 * Otherwise the message is pushed to every matched contact.
 *
 * Participants are From, To, Cc and Bcc (Reply-To is not a participant), less the mailbox's own
 * addresses when matching contacts.
 */

export type SkipReason =
  | 'excluded_folder'
  | 'excluded_category'
  | 'bulk'
  | 'blocked'
  | 'internal_only'
  | 'personal_scope'
  | 'no_contact';

export interface Verdict {
  mailboxId: string;
  providerId: string;
  messageId: string | null;
  push: boolean;
  /** Matched CRM contacts, sorted; empty when nothing matched. */
  contactIds: string[];
  reason: SkipReason | null;
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The matching form of an address (R19): trimmed and lower-cased; for gmail.com and
 * googlemail.com also without dots and +tags in the local part, on gmail.com.
 */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return trimmed;
  let local = trimmed.slice(0, at);
  let domain = trimmed.slice(at + 1);
  if (GMAIL_DOMAINS.has(domain)) {
    local = local.split('+')[0]!.replace(/\./g, '');
    domain = 'gmail.com';
  }
  return `${local}@${domain}`;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/** True when the headers mark the message as bulk or automated mail. */
export function isBulk(headers: [string, string][]): boolean {
  return headers.some(([rawName, rawValue]) => {
    const name = rawName.toLowerCase();
    const value = rawValue.trim().toLowerCase();
    if (name === 'list-unsubscribe' || name === 'list-id') return true;
    if (name === 'precedence') return ['bulk', 'list', 'junk'].includes(value);
    if (name === 'auto-submitted') return value !== 'no';
    return false;
  });
}

/** Contact ids by normalised address, over primary and additional emails. */
export function indexContacts(contacts: SeedContact[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const contact of contacts) {
    for (const email of [contact.primaryEmail, ...contact.additionalEmails]) {
      const key = normaliseAddress(email);
      const ids = index.get(key) ?? [];
      if (!ids.includes(contact.id)) ids.push(contact.id);
      index.set(key, ids);
    }
  }
  return index;
}

/** The verdict for one message in one mailbox. */
export function judge(message: SeedMessage, mailbox: SeedMailbox, policy: SeedPolicy, contacts: Map<string, string[]>): Verdict {
  const verdict = (reason: SkipReason | null, contactIds: string[] = []): Verdict => ({
    mailboxId: message.mailboxId,
    providerId: message.providerId,
    messageId: message.messageId,
    push: reason === null,
    contactIds,
    reason,
  });
  if (message.box !== 'inbox' && message.box !== 'sent') return verdict('excluded_folder');
  if (message.category !== null && message.category !== 'primary') return verdict('excluded_category');
  if (isBulk(message.headers)) return verdict('bulk');

  const participants = [message.from, ...message.to, ...message.cc, ...message.bcc]
    .filter((a) => a !== null)
    .map((a) => normaliseAddress(a.address));
  const blockedAddresses = new Set(policy.blockedAddresses.map(normaliseAddress));
  const blockedDomains = new Set(policy.blockedDomains.map((d) => d.toLowerCase()));
  if (participants.some((a) => blockedAddresses.has(a) || blockedDomains.has(domainOf(a)))) return verdict('blocked');

  const workspace = new Set(policy.workspaceDomains.map((d) => d.toLowerCase()));
  if (participants.length > 0 && participants.every((a) => workspace.has(domainOf(a)))) return verdict('internal_only');

  const own = new Set([mailbox.address, ...mailbox.aliases, ...(mailbox.replyTo ? [mailbox.replyTo] : [])].map(normaliseAddress));
  const matched = new Set<string>();
  for (const address of participants) {
    if (own.has(address)) continue;
    for (const id of contacts.get(address) ?? []) matched.add(id);
  }
  const contactIds = [...matched].sort();
  if (mailbox.scope === 'personal') return verdict('personal_scope', contactIds);
  if (contactIds.length === 0) return verdict('no_contact');
  return verdict(null, contactIds);
}

/** Verdicts for every message of the world, in the world's message order. */
export function groundTruth(world: World): Verdict[] {
  const contacts = indexContacts(world.contacts);
  const mailboxes = new Map(world.mailboxes.map((m) => [m.id, m]));
  return world.messages.map((message) => judge(message, mailboxes.get(message.mailboxId)!, world.policy, contacts));
}

/**
 * What the CRM must hold after everything is pushed once: one email per Message-ID (or per
 * mailbox and provider id when a message has none, R15), attached to the union of its contacts.
 */
export function expectedCrmEmails(verdicts: Verdict[]): Map<string, string[]> {
  const emails = new Map<string, Set<string>>();
  for (const v of verdicts) {
    if (!v.push) continue;
    const key = v.messageId ?? `${v.mailboxId}:${v.providerId}`;
    const set = emails.get(key) ?? new Set<string>();
    for (const id of v.contactIds) set.add(id);
    emails.set(key, set);
  }
  return new Map([...emails].map(([key, ids]) => [key, [...ids].sort()]));
}
