import { toCrmEmail } from '../crm';
import { contactsByIds, contactsWithAnyEmail, type MailboxCrmDatabase, type OutboxOffer, type ThreadLink, threadLinksOf, type Verdict } from '../db';
import type { Mailbox, Message, SyncRunCounts } from '../domain';
import { crmMessageKey } from '../matching/message-key';
import { classify, type ContactIndex, indexContacts, mailboxOwnAddresses, type PolicySets } from '../matching/skip-rules';

/** Everything classification reads besides the messages, loaded once per page (R19–R22, R27). */
export interface DecideContext {
  mailbox: Mailbox;
  policy: PolicySets;
  own: ReadonlySet<string>;
  /** The mirrored contacts of the page's participants, by normalised address (a local lookup, R20). */
  contacts: ContactIndex;
  /** Contact ids the mirror holds, among those the page's thread links name. */
  knownLinked: ReadonlySet<string>;
  links: ReadonlyMap<string, ThreadLink>;
}

/**
 * Loads what deciding `messages` needs: the contacts of their participants (indexed gets on the
 * mirror's multi-entry `emails`, `contactsWithAnyEmail`) and their threads' links. Runs inside the caller's
 * transaction when there is one.
 */
export async function loadDecideContext(db: MailboxCrmDatabase, mailbox: Mailbox, policy: PolicySets, messages: readonly Message[]): Promise<DecideContext> {
  const addresses = [...new Set(messages.flatMap((m) => m.participants))];
  const threadKeys = [...new Set(messages.map((m) => m.threadKey))];
  const [contacts, linkRows] = await Promise.all([contactsWithAnyEmail(db, addresses), threadLinksOf(db, mailbox.id, threadKeys)]);
  const links = new Map<string, ThreadLink>(linkRows.map((link) => [link.threadKey, link]));
  const known = (await contactsByIds(db, [...links.values()].flatMap((l) => l.contactIds))).map((c) => c.id);
  return {
    mailbox,
    policy,
    own: mailboxOwnAddresses(mailbox),
    contacts: indexContacts(contacts),
    knownLinked: new Set(known),
    links,
  };
}

/** The decision on one message: its verdict, and the CRM write when it is pushed. */
export interface Decision {
  verdict: Verdict;
  offer: OutboxOffer | null;
}

/**
 * Decides one message (R19, R21, R21a, R22, R27): the rules of `classify` in R21a's order, with
 * the thread's manual link or "don't sync" overriding matching. A link to a contact the mirror no
 * longer has is left out: the CRM would refuse it. Contacts are never created here (R25). A
 * pushed message's CRM item carries only what the mailbox's visibility allows.
 */
export function decide(message: Message, ctx: DecideContext, runId: string, now: number, options: { contentRead: boolean } = { contentRead: true }): Decision {
  const link = ctx.links.get(message.threadKey);
  const linkedContactIds = (link?.contactIds ?? []).filter((id) => ctx.knownLinked.has(id));
  const { reason, contactIds } = classify(
    { participants: message.participants, folder: message.folder, category: message.category, bulk: message.bulk },
    { scope: ctx.mailbox.scope, own: ctx.own, dontSync: link?.dontSync ?? false, linkedContactIds },
    ctx.policy,
    ctx.contacts,
  );
  const key = crmMessageKey(message, ctx.mailbox.address);
  const verdict: Verdict = { mailboxId: message.mailboxId, providerId: message.providerId, threadKey: message.threadKey, key, reason, contactIds, runId, decidedAt: now };
  if (reason !== null) return { verdict, offer: null };
  const visibility = ctx.mailbox.visibility;
  // Metadata needs nothing the stored row lacks; a wider level needs the content, read again when
  // the message came from the local store (retro-match, a new link).
  const payload = options.contentRead || visibility === 'metadata' ? toCrmEmail(message, contactIds, visibility, ctx.mailbox.address) : null;
  return {
    verdict,
    offer: { idempotencyKey: key, mailboxId: message.mailboxId, providerId: message.providerId, messageId: message.messageId, contactIds, runId, visibility, payload },
  };
}

/** A page's counts from its decisions (R17): fetched, matched, skipped by reason, per contact. */
export function countDecisions(decisions: readonly Decision[], fetched: number): SyncRunCounts {
  const counts: SyncRunCounts = { fetched, matched: 0, pushed: 0, duplicates: 0, errors: 0, skipped: {}, contacts: {} };
  for (const { verdict } of decisions) {
    if (verdict.reason) {
      counts.skipped[verdict.reason] = (counts.skipped[verdict.reason] ?? 0) + 1;
      continue;
    }
    counts.matched++;
    for (const id of verdict.contactIds) counts.contacts[id] = (counts.contacts[id] ?? 0) + 1;
  }
  return counts;
}
