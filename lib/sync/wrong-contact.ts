import { crmNotConnected } from '../crm';
import { contactsByIds, getMailbox, getMessage, getOutboxEntry, getThreadLink, type OutboxEntry, outboxEntries, putOutboxEntries, type Verdict, verdictsOf, verdictsOfThread } from '../db';
import { type MessageSyncState, providerError } from '../domain';
import { MessagingError } from '../messaging';
import type { EngineDeps } from './engine-deps';
import { crmOrigin, threadState } from './state';
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
 * "Wrong contact" in the review (R24): unlinks a pushed message from one contact in the CRM
 * (`DELETE /emails/{id}?contact_id=`; the CRM deletes an email with its last link), then keeps it
 * unlinked. The user's verdict is recorded on the thread (R27), which is decided by hand from now
 * on: linked to the contacts it had besides that one, or marked "don't sync" when none remains.
 * So the thread's other emails in the CRM under that contact (written from this mailbox's copies)
 * are unlinked too, since the decision covers them, and its later mail is not attached to that
 * contact again. Locally each write records what the CRM now holds, so the review, the lookup and
 * the sidebar show the remaining contacts (or none). Returns where the message stands now.
 *
 * Refused in plain words when the message is not in the CRM under that contact, and asked to wait
 * (retryable) while a write of the thread carrying that contact is fixed in a batch: the CRM may
 * be applying it right now, and it would link the contact again behind the unlink. The same check
 * runs again in the decision's transaction, since a batch may be fixed while the unlinks are out;
 * and an email of the thread the CRM came to hold under the contact meanwhile (a batch fixed, sent
 * and recorded in between) starts the unlink again, so it is unlinked too (`dropContactFromWrites`).
 * Writes of the thread not yet made lose the contact too, so no reply waiting in the outbox goes
 * to it. A failure part way is safe to retry: links already removed answer "not found" and count
 * as done.
 */
export function markWrongContact(deps: EngineDeps, input: WrongContact): Promise<MessageSyncState> {
  return untilSettled(() => markWrongOnce(deps, input, 'review'));
}

/** Where the user asked for the unlink: the words of a refusal say what to reload. */
type Surface = 'review' | 'sidebar';

const RELOAD: Record<Surface, string> = { review: 'Reload the review', sidebar: 'Reload the sidebar' };

/**
 * Thrown inside the decision's transaction when an email of the thread reached the CRM under the
 * contact since the unlinks were decided: the transaction is rolled back and the unlink is done
 * again from the top (`untilSettled`), this time unlinking that email in the CRM too.
 */
class PushedMeanwhile extends Error {}

/** How many times an unlink starts again when the engine keeps pushing the thread under it. */
const UNLINK_ATTEMPTS = 3;

async function untilSettled<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof PushedMeanwhile)) throw error;
      if (attempt >= UNLINK_ATTEMPTS) throw providerError('rate_limited', 'crm', { retryAfterMs: IN_FLIGHT_WAIT_MS, detail: 'Emails of this conversation are being sent to the CRM right now; try again in a moment.' });
    }
  }
}

async function markWrongOnce(deps: EngineDeps, input: WrongContact, surface: Surface): Promise<MessageSyncState> {
  const { db } = deps;
  const mailbox = await getMailbox(db, input.mailboxId);
  if (!mailbox) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
  const [message, [verdict]] = await Promise.all([getMessage(db, mailbox.id, input.providerId), verdictsOf(db, mailbox.id, [input.providerId])]);
  if (!message || !verdict) throw MessagingError.of('handler_failed', `That message is no longer in the synced mail of this mailbox. ${RELOAD[surface]}.`);
  const entry = await getOutboxEntry(db, verdict.key);
  if (!entry || !linkedTo(entry, input.contactId)) {
    throw MessagingError.of('handler_failed', `That message is not in the CRM under that contact, so there is nothing to unlink. ${RELOAD[surface]} to see where it stands.`);
  }
  const thread = await verdictsOfThread(db, mailbox.id, message.threadKey);
  const threadKeys = [...new Set(thread.map((v) => v.key))];
  const entries = await outboxEntries(db, threadKeys);
  refuseWhileSending(entries, input.contactId);
  const linked = entries.filter((e) => linkedTo(e, input.contactId));
  const crm = await deps.crm();
  if (!crm) throw crmNotConnected('mark the wrong contact again');

  // Keyed by the push each undoes: a link made again later and found wrong again is a new
  // request, not the replay of this one.
  for (const written of linked) await crm.client.deleteEmail(written.crmEmailId!, { contactId: input.contactId, scope: `wrong-contact:${written.pushed!.at}` });

  // The writes and the thread's decision land together: no batch is fixed in between with the old contacts.
  const remaining = await threadContactsBut(deps, mailbox.id, message.threadKey, thread, input.contactId);
  const dontSync = remaining.length === 0;
  const alongside = () => dropContactFromWrites(deps, threadKeys, input.contactId, dontSync, linked);
  await decideThread(deps, { mailboxId: mailbox.id, threadKey: message.threadKey, contactIds: remaining, dontSync }, { alongside });
  const [state] = (await threadState(db, mailbox.id, message.threadKey, await crmOrigin(deps))).filter((s) => s.providerId === message.providerId);
  if (!state) throw MessagingError.of('handler_failed', `That message is no longer in the synced mail of this mailbox. ${RELOAD[surface]}.`);
  return state;
}

/**
 * In the decision's transaction: the thread's writes lose the contact (`withoutContact`), pushed
 * ones as the CRM now holds them and those not yet made so that no reply waiting in the outbox
 * goes to it. Re-read here, since the engine may have fixed a batch, or sent one and recorded it,
 * since the caller looked: a batch in flight asks to wait (`refuseWhileSending`), and an email the
 * CRM now holds under the contact that the caller did not unlink (`unlinked`) starts the unlink
 * again (`PushedMeanwhile`) rather than let the CRM keep it while the answer says it is gone.
 */
async function dropContactFromWrites(deps: EngineDeps, threadKeys: readonly string[], contactId: string, dontSync: boolean, unlinked: readonly OutboxEntry[]): Promise<void> {
  const current = await outboxEntries(deps.db, threadKeys);
  refuseWhileSending(current, contactId);
  const done = new Set(unlinked.map((e) => `${e.idempotencyKey} ${e.crmEmailId}`));
  if (current.some((e) => linkedTo(e, contactId) && !done.has(`${e.idempotencyKey} ${e.crmEmailId}`))) throw new PushedMeanwhile();
  const affected = current.filter((e) => linkedTo(e, contactId) || (e.status === 'pending' && e.contactIds.includes(contactId)));
  await putOutboxEntries(deps.db, affected.map((e) => withoutContact(e, contactId, dontSync)));
}

/**
 * Asks to wait while a write of the thread that carries the contact is fixed in a batch (see
 * `OutboxEntry.batchId`): the CRM may be applying it, or replays it as it was.
 */
function refuseWhileSending(entries: readonly OutboxEntry[], contactId: string): void {
  const carrying = entries.some((e) => e.batchId !== null && (e.contactIds.includes(contactId) || (e.sending?.item.contact_ids.includes(contactId) ?? false)));
  if (carrying) throw providerError('rate_limited', 'crm', { retryAfterMs: IN_FLIGHT_WAIT_MS, detail: 'An email of this conversation is being sent to the CRM right now; try again in a moment.' });
}

/** Whether the CRM holds the write's email under `contactId`, as far as the outbox knows. */
function linkedTo(entry: OutboxEntry, contactId: string): boolean {
  return entry.crmEmailId !== null && entry.status !== 'undone' && (entry.pushed?.contactIds.includes(contactId) ?? false);
}

/**
 * The contacts the thread is linked to now: its manual link if it has one, else every contact its
 * messages are pushed to.
 */
async function threadContacts(deps: EngineDeps, mailboxId: string, threadKey: string, thread: readonly Verdict[]): Promise<string[]> {
  const link = await getThreadLink(deps.db, mailboxId, threadKey);
  const linked = link && !link.dontSync && link.contactIds.length > 0 ? link.contactIds : null;
  return [...new Set(linked ?? thread.filter((v) => v.reason === null).flatMap((v) => v.contactIds))];
}

/**
 * The contacts the thread stays linked to: `threadContacts` less the wrong one; only contacts
 * the mirror still holds (a link to another would be refused).
 */
async function threadContactsBut(deps: EngineDeps, mailboxId: string, threadKey: string, thread: readonly Verdict[], wrong: string): Promise<string[]> {
  const ids = (await threadContacts(deps, mailboxId, threadKey, thread)).filter((id) => id !== wrong);
  return (await contactsByIds(deps.db, ids)).map((c) => c.id).sort();
}

/** Which thread of a mailbox, and the contact to take off it. */
export interface ThreadUnlink {
  mailboxId: string;
  threadKey: string;
  contactId: string;
}

/**
 * "Unlink" in the sidebar (R27): takes one contact off a thread of a mailbox. When one of the
 * thread's messages is in the CRM under that contact, this is the review's "wrong contact" on it
 * (`markWrongContact`): every email of the thread the CRM holds under the contact is unlinked, and
 * the thread is decided by hand. Otherwise the thread is decided by hand at once: linked to its
 * current contacts (`threadContacts`) but that one, or "don't sync" when none is left, and its
 * writes not yet made lose the contact. Either way its later mail is not attached to the contact.
 * The same re-check runs in the decision's transaction: when the engine pushed one of the
 * thread's emails under the contact since the look, the unlink starts again and goes the
 * "wrong contact" way, so the answer never says unlinked while the CRM keeps the contact.
 * A contact shown on a skipped message (what matching found, say in a personal mailbox) counts as
 * linked. Refused in plain words when the contact is not linked to the thread. Returns the
 * thread's states.
 */
export function unlinkThreadContact(deps: EngineDeps, input: ThreadUnlink): Promise<MessageSyncState[]> {
  return untilSettled(() => unlinkOnce(deps, input));
}

async function unlinkOnce(deps: EngineDeps, input: ThreadUnlink): Promise<MessageSyncState[]> {
  const { db } = deps;
  const mailbox = await getMailbox(db, input.mailboxId);
  if (!mailbox) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
  const thread = await verdictsOfThread(db, mailbox.id, input.threadKey);
  const threadKeys = [...new Set(thread.map((v) => v.key))];
  const entries = await outboxEntries(db, threadKeys);
  const pushed = thread.find((v) => entries.some((e) => e.idempotencyKey === v.key && linkedTo(e, input.contactId)));
  if (pushed) {
    await markWrongOnce(deps, { mailboxId: mailbox.id, providerId: pushed.providerId, contactId: input.contactId }, 'sidebar');
    return threadState(db, mailbox.id, input.threadKey, await crmOrigin(deps));
  }
  const waiting = entries.some((e) => e.status === 'pending' && e.contactIds.includes(input.contactId));
  // A skipped message shows the contacts matching found (a personal mailbox's, say): those count too.
  const shown = thread.some((v) => v.contactIds.includes(input.contactId));
  if (!waiting && !shown && !(await threadContacts(deps, mailbox.id, input.threadKey, thread)).includes(input.contactId)) {
    throw MessagingError.of('handler_failed', `That contact is not linked to this conversation, so there is nothing to unlink. ${RELOAD.sidebar} to see where it stands.`);
  }
  refuseWhileSending(entries, input.contactId);
  const remaining = await threadContactsBut(deps, mailbox.id, input.threadKey, thread, input.contactId);
  const dontSync = remaining.length === 0;
  // A correction of what is queued, not a request for mail: writes not yet made take exactly the
  // remaining contacts (a union would keep the unlinked one), and nothing an undo removed returns.
  const alongside = () => dropContactFromWrites(deps, threadKeys, input.contactId, dontSync, []);
  await decideThread(deps, { mailboxId: mailbox.id, threadKey: input.threadKey, contactIds: remaining, dontSync }, { alongside });
  return threadState(db, mailbox.id, input.threadKey, await crmOrigin(deps));
}

/**
 * The write as the CRM holds it after the unlink: without that contact, pushed or to push. When no
 * contact is left the CRM deleted the email. Then a thread marked "don't sync" makes the write
 * `undone`, so no other copy of the message (another mailbox's) pushes it again unless the user
 * links the thread (R18's rule); a thread linked to other contacts leaves it `cancelled`, for its
 * link to push it to them as a new email.
 */
function withoutContact(entry: OutboxEntry, contactId: string, dontSync: boolean): OutboxEntry {
  const pushed = entry.pushed && { ...entry.pushed, contactIds: entry.pushed.contactIds.filter((id) => id !== contactId) };
  const contactIds = entry.contactIds.filter((id) => id !== contactId);
  if (pushed && pushed.contactIds.length > 0) return { ...entry, contactIds, pushed };
  const gone = { ...entry, pushed: null, crmEmailId: null };
  if (entry.status === 'pending' && contactIds.length > 0) return { ...gone, contactIds };
  return { ...gone, status: dontSync ? 'undone' : 'cancelled', payload: null };
}
