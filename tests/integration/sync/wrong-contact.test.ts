import { describe, expect, it } from 'vitest';
import type { GroundTruth, Verdict as TruthVerdict } from '@/emulators/seed/ground-truth';
import { disconnectCrm } from '@/lib/background/crm-connection';
import { createHandlers } from '@/lib/background/handlers';
import type { Mailbox, Message } from '@/lib/domain';
import { dispatch, type Envelope, type Handlers, type MessageOutput, protocol } from '@/lib/messaging';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/**
 * "Wrong contact" in the review (R24), over the protocol as the options page sends it, against
 * the CRM emulator and the ground truth under the same thread mark (R27).
 */
let h: EngineHarness;
let handlers: Handlers;
const DAY = 24 * 60 * 60_000;
const WINDOW_DAYS = 90;
let since: number;

useEngineHarness(17, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

function send(name: 'wrongContact' | 'getRunSample' | 'lookupMessages', input: unknown): Promise<Envelope> {
  return dispatch(protocol, name, input, optionsPage, handlers, trust);
}

async function answer<K extends 'wrongContact' | 'getRunSample' | 'lookupMessages'>(name: K, input: unknown): Promise<MessageOutput<K>> {
  const envelope = await send(name, input);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.message}`);
  return protocol[name].output.parse(envelope.value) as MessageOutput<K>;
}

/** Riley's mailbox after a backfill of the window, everything pushed. */
async function backfilled(): Promise<Mailbox> {
  const mailbox = await h.connect('gmail');
  since = h.clock - WINDOW_DAYS * DAY;
  await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
  await h.settle();
  return mailbox;
}

async function storedMessages(mailboxId: string): Promise<Message[]> {
  return (await h.deps.db.messages.where('mailboxId').equals(mailboxId).toArray()) as Message[];
}

/** A stored thread of several messages whose every pushed message goes to exactly `contacts` of them. */
function threadPushedTo(truth: GroundTruth, stored: readonly Message[], contacts: number): { threadId: string; pushed: TruthVerdict[] } {
  const ids = new Set(stored.map((m) => m.providerId));
  const byThread = new Map<string, TruthVerdict[]>();
  for (const v of truth.verdicts) if (ids.has(v.providerId)) byThread.set(v.threadId, [...(byThread.get(v.threadId) ?? []), v]);
  for (const [threadId, verdicts] of byThread) {
    const pushed = verdicts.filter((v) => v.push);
    if (pushed.length >= 2 && pushed.every((v) => v.contactIds.length === contacts && v.contactIds.join() === pushed[0]!.contactIds.join())) return { threadId, pushed };
  }
  throw new Error(`no stored thread pushed to ${contacts} contacts`);
}

/** Lets the 30 s incremental poll come due and runs it with everything it queues. */
async function pollAndSettle(): Promise<void> {
  h.clock += 31_000;
  await h.settle();
}

describe('"wrong contact" (R24)', () => {
  it('unlinks the contact in the CRM and links the thread to the others; a reply goes only to them; the CRM is the ground truth with that link', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const { threadId, pushed } = threadPushedTo(await h.truth(['riley'], since), stored, 2);
    const [wrong, right] = pushed[0]!.contactIds as [string, string];
    const target = pushed[0]!;
    const before = (await h.crm.requests()).at(-1)?.seq ?? 0;
    const { message } = await answer('wrongContact', { mailboxId: mailbox.id, providerId: target.providerId, contactId: wrong });
    expect(message).toMatchObject({ providerId: target.providerId, state: 'pushed', reason: null, contacts: [{ id: right }] });

    // One unlink per email of the thread, each for that contact only; nothing rewritten.
    const deletes = await h.crm.requests(/\/public\/v1\/emails\//, { since: before });
    expect(deletes.map((r) => [r.method, r.query, r.status])).toEqual(pushed.map(() => ['DELETE', `?contact_id=${wrong}`, 204]));
    const keys = new Set(pushed.map((v) => v.key));
    for (const email of (await h.crmEmails()).filter((e) => keys.has(e.message_id))) expect(email.contact_ids).toEqual([right]);

    await h.google.put('/thread-marks', { mailbox: 'riley', threadId, contactIds: [right] });
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);

    // The review and the lookup read the same: the message is under the right contact only.
    const run = (await h.deps.db.syncRuns.toArray()).find((r) => r.kind === 'backfill')!;
    const { contacts } = await answer('getRunSample', { runId: run.id, perContact: 50 });
    expect(contacts.find((c) => c.contact.id === wrong)?.messages.map((m) => m.providerId) ?? []).not.toContain(target.providerId);
    expect(contacts.find((c) => c.contact.id === right)!.messages.find((m) => m.providerId === target.providerId)).toMatchObject({ contacts: [{ id: right }] });
    const subject = stored.find((m) => m.providerId === target.providerId)!.subject!;
    const { messages } = await answer('lookupMessages', { mailboxId: mailbox.id, text: subject.slice(0, 20) });
    expect(messages.find((m) => m.providerId === target.providerId)).toMatchObject({ state: 'pushed', contacts: [{ id: right }] });

    // A reply in the thread, from the wrong contact's own address: it goes to the right one only.
    const first = stored.find((m) => m.providerId === target.providerId)!;
    const reply = await h.google.post<{ id: string }>('/google/deliver', { from: first.participants.find((p) => !p.endsWith('@acme-sales.test'))!, to: mailbox.address, subject: 'Re: more', body: '.', inReplyTo: first.messageId });
    await pollAndSettle();
    const truth = await h.truth(['riley'], since);
    expect(truth.verdicts.find((v) => v.providerId === reply.id)).toMatchObject({ push: true, contactIds: [right] });
    await h.expectCrmMatches(truth.crmEmails);
  });

  it('with no contact left, the emails go from the CRM and the thread is marked "don\'t sync": a reply is not pushed; the CRM is the ground truth with that mark', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const { threadId, pushed } = threadPushedTo(await h.truth(['riley'], since), stored, 1);
    const [wrong] = pushed[0]!.contactIds as [string];
    const target = pushed.at(-1)!;
    const { message } = await answer('wrongContact', { mailboxId: mailbox.id, providerId: target.providerId, contactId: wrong });
    // Skipped, as every skipped message reads: with what matching found, which the mark overrides.
    expect(message).toMatchObject({ providerId: target.providerId, state: 'skipped', reason: 'dont_sync', at: null });
    const keys = new Set(pushed.map((v) => v.key));
    expect((await h.crmEmails()).filter((e) => keys.has(e.message_id))).toEqual([]);
    await h.google.put('/thread-marks', { mailbox: 'riley', threadId, dontSync: true });
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);

    const first = stored.find((m) => m.providerId === target.providerId)!;
    const reply = await h.google.post<{ id: string }>('/google/deliver', { from: first.participants.find((p) => !p.endsWith('@acme-sales.test'))!, to: mailbox.address, subject: 'Re: again', body: '.', inReplyTo: first.messageId });
    await pollAndSettle();
    const { messages } = await answer('lookupMessages', { mailboxId: mailbox.id, text: 'Re: again' });
    expect(messages).toMatchObject([{ providerId: reply.id, state: 'skipped', reason: 'dont_sync' }]);
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);
    // Asking again: nothing is linked any more, said plainly.
    expect(await send('wrongContact', { mailboxId: mailbox.id, providerId: target.providerId, contactId: wrong })).toMatchObject({
      ok: false,
      error: { code: 'handler_failed', message: expect.stringMatching(/not in the CRM under that contact/) },
    });
  });

  it('refuses a message that is not pushed to that contact, and says so when no CRM is connected; nothing changes', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const truth = await h.truth(['riley'], since);
    const skipped = truth.verdicts.find((v) => !v.push && stored.some((m) => m.providerId === v.providerId))!;
    const { pushed } = threadPushedTo(truth, stored, 1);
    const other = pushed[0]!.contactIds[0] === 'ct-1' ? 'ct-2' : 'ct-1';
    const emails = await h.crmEmails();
    for (const input of [
      { mailboxId: mailbox.id, providerId: skipped.providerId, contactId: pushed[0]!.contactIds[0] },
      { mailboxId: mailbox.id, providerId: pushed[0]!.providerId, contactId: other },
      { mailboxId: mailbox.id, providerId: 'no-such-message', contactId: other },
    ]) {
      expect(await send('wrongContact', input)).toMatchObject({ ok: false, error: { code: 'handler_failed', action: 'none' } });
    }
    await disconnectCrm(h.deps);
    expect(await send('wrongContact', { mailboxId: mailbox.id, providerId: pushed[0]!.providerId, contactId: pushed[0]!.contactIds[0] })).toMatchObject({
      ok: false,
      error: { code: 'reauth_required', action: 'reconnect', message: expect.stringMatching(/^No CRM is connected/) },
    });
    expect(await h.crmEmails()).toEqual(emails);
    expect(await h.deps.db.threadLinks.count()).toBe(0);
  });
});
