import type { ContactRef, ThreadMailbox, ThreadParticipant } from '@/lib/domain';

/** The participants the sidebar lists (R26): external ones, in the CRM or not; colleagues, the user and blocked addresses are only counted. */
export function externalParticipants<P extends Pick<ThreadParticipant, 'role'>>(participants: readonly P[]): P[] {
  return participants.filter((p) => p.role === 'contact' || p.role === 'not_in_crm');
}

/**
 * The mailboxes an action on the thread may go to: those whose stored messages hold the thread
 * (or hold a decision about it); when none holds it yet, every connected mailbox of the provider.
 * With one, the sidebar acts on it; with several, the user picks.
 */
export function actionMailboxes(mailboxes: readonly ThreadMailbox[]): ThreadMailbox[] {
  const holding = mailboxes.filter((m) => m.messages.length > 0 || m.link !== null);
  return holding.length > 0 ? holding : [...mailboxes];
}

/**
 * The contacts the thread goes to in a mailbox now: none once marked "don't sync", the user's
 * manual link when there is one, or else the contacts the engine matched from its stored mail.
 * "Link to contact" adds to these, so linking one more never drops the others; and, like "Log
 * this thread", it never carries a contact matched only from what the page shows (a sender can
 * forge a participant on the page).
 */
export function linkedContacts(mailbox: Pick<ThreadMailbox, 'link' | 'messages'>): ContactRef[] {
  if (mailbox.link) return mailbox.link.dontSync ? [] : mailbox.link.contacts;
  return storedMatches(mailbox);
}

/**
 * Whether "Log this thread" applies (R5): a personal-scope mailbox skipped the thread for its
 * scope only, so linking it to its matched contacts pushes it on purpose.
 */
export function canLogOnPurpose(mailbox: Pick<ThreadMailbox, 'scope' | 'messages' | 'link'>): boolean {
  return mailbox.scope === 'personal' && !mailbox.link?.dontSync && mailbox.messages.some((m) => m.state === 'skipped' && m.reason === 'personal_scope');
}

/**
 * The contacts the engine matched from the mailbox's stored mail of the thread, once each: what
 * "Log this thread" links. Not the page's participants: a sender can forge one on the page.
 */
export function storedMatches(mailbox: Pick<ThreadMailbox, 'messages'>): ContactRef[] {
  const matched = new Map<string, ContactRef>();
  for (const message of mailbox.messages) for (const c of message.contacts) matched.set(c.id, c);
  return [...matched.values()];
}
