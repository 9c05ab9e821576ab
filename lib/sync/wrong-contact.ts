import { crmNotConnected } from '../crm';
import { atomically, contactsByIds, getMailbox, getMessage, getOutboxEntry, getThreadLink, type OutboxEntry, putOutboxEntries, verdictsOf, verdictsOfThread } from '../db';
import { type MessageSyncState, providerError } from '../domain';
import { MessagingError } from '../messaging';
import type { EngineDeps } from './engine-deps';
import { threadState } from './state';
import { decideThread } from './thread-links';

/** What "wrong contact" is about: one message of a mailbox, and the contact it should not be under. */
export interface WrongContact {
  mailboxId: string;
  providerId: string;
  contactId: string;
}

/** How long to wait before trying again while the email is being written to the CRM. */
const IN_FLIGHT_WAIT_MS = 5_000;

/**
 * "Wrong contact" in the review (R24): unlinks one pushed message from one contact in the CRM
 * (`DELETE /emails/{id}?contact_id=`; the CRM deletes the email with its last link), then keeps it
 * unlinked. The thread is decided by the user from now on (R27): linked to the contacts it had
 * besides that one, so matching no longer attaches its later mail to it, or marked "don't sync"
 * when none remains. Emails of the thread the CRM already has under other messages stay as they
 * are: the user judged this one. Locally the write records what the CRM now holds, so the review,
 * the lookup and the sidebar show the remaining contacts (or none).
 *
 * Refused in plain words when the message is not in the CRM under that contact, and asked to wait
 * while its email is being written (a batch in flight carries the old contacts).
 */
export async function markWrongContact(deps: EngineDeps, input: WrongContact): Promise<MessageSyncState> {
  const { db } = deps;
  const mailbox = await getMailbox(db, input.mailboxId);
  if (!mailbox) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
  const [message, [verdict]] = await Promise.all([getMessage(db, mailbox.id, input.providerId), verdictsOf(db, mailbox.id, [input.providerId])]);
  if (!message || !verdict) throw MessagingError.of('handler_failed', 'That message is no longer in the synced mail of this mailbox. Reload the review.');
  const entry = await getOutboxEntry(db, verdict.key);
  const pushed = entry?.pushed;
  if (!entry || !pushed || entry.crmEmailId === null || entry.status === 'undone' || !pushed.contactIds.includes(input.contactId)) {
    throw MessagingError.of('handler_failed', 'That message is not in the CRM under that contact, so there is nothing to unlink. Reload the review to see where it stands.');
  }
  if (entry.batchId !== null) throw providerError('rate_limited', 'crm', { retryAfterMs: IN_FLIGHT_WAIT_MS, detail: 'This email is being written to the CRM right now; try again in a few seconds.' });
  const crm = await deps.crm();
  if (!crm) throw crmNotConnected('mark the wrong contact again');

  // Keyed by the push it undoes: a link made again later and found wrong again is a new request,
  // not the replay of this one. A CRM that no longer has the link (false) is already where we want it.
  await crm.client.deleteEmail(entry.crmEmailId, { contactId: input.contactId, scope: `wrong-contact:${pushed.at}` });

  const remaining = await threadContactsBut(deps, mailbox.id, message.threadKey, entry, input.contactId);
  await decideThread(deps, { mailboxId: mailbox.id, threadKey: message.threadKey, contactIds: remaining, dontSync: remaining.length === 0 }, { revive: false });
  await atomically(db, ['outbox'], async () => {
    const current = await getOutboxEntry(db, verdict.key);
    if (current) await putOutboxEntries(db, [withoutContact(current, input.contactId)]);
  });
  const [state] = (await threadState(db, mailbox.id, message.threadKey)).filter((s) => s.providerId === message.providerId);
  if (!state) throw MessagingError.of('handler_failed', 'That message is no longer in the synced mail of this mailbox. Reload the review.');
  return state;
}

/**
 * The contacts the thread stays linked to: its manual link if it has one, else every contact its
 * pushed messages went to, less the wrong one; only contacts the mirror still holds (a link to
 * another would be refused).
 */
async function threadContactsBut(deps: EngineDeps, mailboxId: string, threadKey: string, entry: OutboxEntry, wrong: string): Promise<string[]> {
  const link = await getThreadLink(deps.db, mailboxId, threadKey);
  const linked = link && !link.dontSync && link.contactIds.length > 0 ? link.contactIds : null;
  const matched = (await verdictsOfThread(deps.db, mailboxId, threadKey)).filter((v) => v.reason === null).flatMap((v) => v.contactIds);
  const ids = [...new Set(linked ?? [...matched, ...(entry.pushed?.contactIds ?? [])])].filter((id) => id !== wrong);
  return (await contactsByIds(deps.db, ids)).map((c) => c.id).sort();
}

/**
 * The write as the CRM holds it after the unlink: without that contact, pushed or to push. With no
 * contact left the CRM deleted the email: the write is `undone`, so no other copy of the message
 * (another mailbox's) pushes it again unless the user links the thread (R18's rule).
 */
function withoutContact(entry: OutboxEntry, contactId: string): OutboxEntry {
  const pushed = entry.pushed && { ...entry.pushed, contactIds: entry.pushed.contactIds.filter((id) => id !== contactId) };
  const contactIds = entry.contactIds.filter((id) => id !== contactId);
  const gone = pushed !== null && pushed.contactIds.length === 0;
  if (contactIds.length === 0) return { ...entry, status: 'undone', payload: null, pushed, crmEmailId: gone ? null : entry.crmEmailId };
  return { ...entry, contactIds, pushed: gone ? null : pushed, crmEmailId: gone ? null : entry.crmEmailId };
}
