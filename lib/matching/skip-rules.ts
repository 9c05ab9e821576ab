import type { BulkHeaders, Mailbox, Scope, SkipReason } from '../domain';
import { domainOf, normaliseAddress } from './address';

/*
 * The matching and skip rules of R19, R21 and R21a, one small pure function per rule, and
 * `classify`, which applies them in R21a's order. The emulators' ground truth and the sync engine
 * share them, so both read the requirements the same way.
 */

/** R21a: a skipped message gets the first reason that applies, in this order. */
export const SKIP_ORDER: readonly SkipReason[] = [
  'dont_sync',
  'excluded_folder',
  'excluded_category',
  'bulk',
  'blocked',
  'internal_only',
  'no_contact',
  'personal_scope',
];

export { DEFAULT_EXCLUDED_CATEGORIES } from '../domain';

/**
 * Outlook's well-known folders never pushed from (R21): junk, deleted and what was purged from it
 * but can still be recovered, drafts and the outbox (not sent yet), and conversation history,
 * where Outlook files chats. The Outlook provider leaves the same folders out of its sync.
 */
export const OUTLOOK_EXCLUDED_FOLDERS = ['junkemail', 'deleteditems', 'recoverableitemsdeletions', 'drafts', 'outbox', 'conversationhistory'] as const;

/** Folders never pushed from (R21), in the product's folder names: Gmail's `folderOf` names and Outlook's. */
const EXCLUDED_FOLDERS: ReadonlySet<string> = new Set(['spam', 'trash', 'draft', 'chat', ...OUTLOOK_EXCLUDED_FOLDERS]);

/** Precedence values that mark list or bulk mail (RFC 2076). */
const BULK_PRECEDENCE: ReadonlySet<string> = new Set(['bulk', 'list', 'junk']);

/** The workspace's matching and privacy settings (R21). */
export interface MatchingPolicy {
  /** The workspace's own domains (and their subdomains): mail among these only is internal. */
  workspaceDomains: readonly string[];
  blockedAddresses: readonly string[];
  /** Blocked domains, and their subdomains. */
  blockedDomains: readonly string[];
  /** Gmail categories (`promotions`, `social`, …) never pushed. */
  excludedCategories: readonly string[];
}

/** A `MatchingPolicy` normalised once into sets, for classifying many messages. */
export interface PolicySets {
  workspaceDomains: ReadonlySet<string>;
  blockedAddresses: ReadonlySet<string>;
  blockedDomains: ReadonlySet<string>;
  excludedCategories: ReadonlySet<string>;
}

/** Contact ids by normalised address. */
export type ContactIndex = ReadonlyMap<string, readonly string[]>;

/**
 * A domain as a policy lists it, in the form `domainOf(normaliseAddress(…))` gives: trimmed, lower
 * case, without a leading `@` or dots around it, googlemail.com as gmail.com.
 */
export function normaliseDomain(domain: string): string {
  const bare = domain.trim().toLowerCase().replace(/^[@.]+|\.+$/g, '');
  return domainOf(normaliseAddress(`x@${bare}`));
}

/** Prepares a policy for `classify`: every address and domain normalised. */
export function policySets(policy: MatchingPolicy): PolicySets {
  return {
    workspaceDomains: new Set(policy.workspaceDomains.map(normaliseDomain)),
    blockedAddresses: new Set(policy.blockedAddresses.map(normaliseAddress)),
    blockedDomains: new Set(policy.blockedDomains.map(normaliseDomain)),
    excludedCategories: new Set(policy.excludedCategories.map((c) => c.trim().toLowerCase())),
  };
}

/** True when `domain` is one of `domains` or a subdomain of one (R21a: `eu.acme.test` under `acme.test`). */
export function domainCovered(domain: string, domains: ReadonlySet<string>): boolean {
  for (let rest = domain; ; ) {
    if (domains.has(rest)) return true;
    const dot = rest.indexOf('.');
    if (dot < 0) return false;
    rest = rest.slice(dot + 1);
  }
}

/** The message sits in a folder never pushed from: spam, trash, drafts, chats, junk, deleted. */
export function isExcludedFolder(folder: string | null): boolean {
  // Graph's well-known folder names are case-insensitive; the names here are lower case.
  return folder !== null && EXCLUDED_FOLDERS.has(folder.toLowerCase());
}

/** The message sits in a Gmail category the workspace excludes. */
export function isExcludedCategory(category: string | null, policy: PolicySets): boolean {
  return category !== null && policy.excludedCategories.has(category.toLowerCase());
}

/**
 * The first word of a structured header value: comments (`(…)`, nested, with quoted pairs) and
 * parameters after `;` dropped, lower case. `Auto-Submitted: No (sent by a person)` reads `no`.
 */
export function headerToken(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i]!;
    if (char === '\\' && depth > 0) i++;
    else if (char === '(') depth++;
    else if (char === ')' && depth > 0) depth--;
    else if (depth === 0) {
      if (char === ';') break;
      out += char;
    }
  }
  return out.trim().toLowerCase();
}

/**
 * Bulk or automated mail (R21, R21a): a List-Unsubscribe or List-Id with a value, Precedence
 * bulk, list or junk, or Auto-Submitted with any value but `no` (RFC 3834). An empty header marks
 * nothing.
 */
export function isBulk(bulk: BulkHeaders): boolean {
  if (bulk.listUnsubscribe?.trim() || bulk.listId?.trim()) return true;
  if (bulk.precedence !== null && BULK_PRECEDENCE.has(headerToken(bulk.precedence))) return true;
  if (bulk.autoSubmitted !== null) {
    const token = headerToken(bulk.autoSubmitted);
    if (token !== '' && token !== 'no') return true;
  }
  return false;
}

/** Any participant (normalised) is a blocked address or at a blocked domain or its subdomain. */
export function isBlocked(participants: readonly string[], policy: PolicySets): boolean {
  return participants.some((a) => policy.blockedAddresses.has(a) || domainCovered(domainOf(a), policy.blockedDomains));
}

/** Every participant is at a workspace domain or its subdomain; a message with none is not internal. */
export function isInternalOnly(participants: readonly string[], policy: PolicySets): boolean {
  return participants.length > 0 && participants.every((a) => domainCovered(domainOf(a), policy.workspaceDomains));
}

/** The mailbox's own addresses, never matched as contacts (R21a): address, aliases and reply-to. */
export function ownAddresses(identity: { address: string; aliases: readonly string[]; replyTo: string | null }): Set<string> {
  return new Set([identity.address, ...identity.aliases, ...(identity.replyTo ? [identity.replyTo] : [])].map(normaliseAddress));
}

/** The mailbox's own addresses (R21a): its address, aliases and reply-to. */
export function mailboxOwnAddresses(mailbox: Mailbox): Set<string> {
  return ownAddresses({ address: mailbox.address, aliases: mailbox.identity?.aliases ?? [], replyTo: mailbox.identity?.replyTo ?? null });
}

/** Every connected mailbox's own addresses, aliases and reply-to, normalised (R21a). */
export function workspaceOwnAddresses(mailboxes: readonly Mailbox[]): Set<string> {
  return new Set(mailboxes.flatMap((m) => [...mailboxOwnAddresses(m)]));
}

/** Contact ids by normalised address, over each contact's primary and additional emails (R19). */
export function indexContacts(contacts: Iterable<{ id: string; emails: readonly string[] }>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const contact of contacts) {
    for (const email of contact.emails) {
      const key = normaliseAddress(email);
      const ids = index.get(key);
      if (!ids) index.set(key, [contact.id]);
      else if (!ids.includes(contact.id)) ids.push(contact.id);
    }
  }
  return index;
}

/** The contacts the participants match, less the mailbox's own addresses; sorted, no repeats. */
export function matchContacts(participants: readonly string[], own: ReadonlySet<string>, contacts: ContactIndex): string[] {
  const matched = new Set<string>();
  for (const address of participants) {
    if (own.has(address)) continue;
    for (const id of contacts.get(address) ?? []) matched.add(id);
  }
  return [...matched].sort();
}

/** What `classify` reads from a message. */
export interface MessageFacts {
  /** Normalised From, To, Cc and Bcc; Reply-To is not a participant (R21a). */
  participants: readonly string[];
  folder: string | null;
  category: string | null;
  bulk: BulkHeaders;
}

/** What `classify` reads from the mailbox and the user's marks on the message's thread (R27). */
export interface MailboxFacts {
  scope: Scope;
  /** From `ownAddresses`. */
  own: ReadonlySet<string>;
  /** The thread is marked "don't sync". */
  dontSync: boolean;
  /** Contacts the user linked the thread to; they replace automatic matching. Empty: none. */
  linkedContactIds: readonly string[];
}

export interface Classification {
  /** Null: push. */
  reason: SkipReason | null;
  /** The linked contacts, or else the matched ones; sorted. Set for skipped messages too. */
  contactIds: string[];
}

interface RuleInput {
  message: MessageFacts;
  mailbox: MailboxFacts;
  policy: PolicySets;
  contactIds: readonly string[];
}

/** One predicate per skip reason; `classify` asks them in `SKIP_ORDER`. */
const RULES: Record<SkipReason, (input: RuleInput) => boolean> = {
  dont_sync: ({ mailbox }) => mailbox.dontSync,
  excluded_folder: ({ message }) => isExcludedFolder(message.folder),
  excluded_category: ({ message, policy }) => isExcludedCategory(message.category, policy),
  bulk: ({ message }) => isBulk(message.bulk),
  blocked: ({ message, policy }) => isBlocked(message.participants, policy),
  internal_only: ({ message, policy }) => isInternalOnly(message.participants, policy),
  no_contact: ({ contactIds }) => contactIds.length === 0,
  // A personal mailbox pushes only what the user linked by hand (R5).
  personal_scope: ({ mailbox }) => mailbox.scope === 'personal' && mailbox.linkedContactIds.length === 0,
};

/**
 * Whether a message is pushed, and to which contacts (R19, R21, R21a, R27): the first skip reason
 * that applies in `SKIP_ORDER`, or null. Manual links replace the matched contacts, so they lift
 * `no_contact` and `personal_scope` but no earlier rule.
 */
export function classify(message: MessageFacts, mailbox: MailboxFacts, policy: PolicySets, contacts: ContactIndex): Classification {
  const contactIds = mailbox.linkedContactIds.length > 0 ? [...new Set(mailbox.linkedContactIds)].sort() : matchContacts(message.participants, mailbox.own, contacts);
  const input: RuleInput = { message, mailbox, policy, contactIds };
  return { reason: SKIP_ORDER.find((reason) => RULES[reason](input)) ?? null, contactIds };
}

/**
 * What an address is to the workspace, by the rules that keep it from being a contact (R21,
 * R21a): one of the connected mailboxes' own addresses (`self`), a blocked address or domain
 * (`blocked`), at a workspace domain or its subdomain (`internal`), or none of these (null).
 * `address` is normalised (`normaliseAddress`); `own` is the union of `ownAddresses`.
 */
export function addressRole(address: string, own: ReadonlySet<string>, policy: PolicySets): 'self' | 'blocked' | 'internal' | null {
  if (own.has(address)) return 'self';
  if (isBlocked([address], policy)) return 'blocked';
  if (domainCovered(domainOf(address), policy.workspaceDomains)) return 'internal';
  return null;
}
