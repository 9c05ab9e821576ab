import { describe, expect, it } from 'vitest';
import type { GroundTruth, Verdict as TruthVerdict } from '@/emulators/seed/ground-truth';
import { createHandlers } from '@/lib/background/handlers';
import { getJob, jobId, type OutboxEntry } from '@/lib/db';
import type { Mailbox, Message, MessageSyncState } from '@/lib/domain';
import { dispatch, type Handlers, type MessageOutput, protocol } from '@/lib/messaging';
import { decideThread, threadState } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, sidebarFrame, trust } from '../../support/senders';

/**
 * Where each message of a thread stands (R17, R28) and the user's decisions about a thread (R27),
 * against the emulators' live ground truth: the thread state the sidebar reads, links, unlinks
 * and "don't sync", and what the CRM then holds.
 */
let h: EngineHarness;
let handlers: Handlers;
const DAY = 24 * 60 * 60_000;
const WINDOW_DAYS = 90;
let since: number;

/** The CRM's batch write, for faults that keep pushes waiting. */
const CRM_PUSH = 'emails/batch$';

useEngineHarness(7, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

/** Riley's mailbox after a confirmed backfill of the window (R10), everything pushed. */
async function backfilled(): Promise<Mailbox> {
  const mailbox = await h.connect('gmail');
  since = h.clock - WINDOW_DAYS * DAY;
  await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
  await h.settle();
  return mailbox;
}

/** Runs the engine's due work once through, without moving the clock past any wait. */
async function runDue(): Promise<void> {
  await h.engine.tick();
  await h.engine.idle();
}

/** Lets the 30 s incremental poll come due and runs it (with everything it queues). */
async function pollAndSettle(): Promise<void> {
  h.clock += 31_000;
  await h.settle();
}

async function storedMessages(mailboxId: string): Promise<Message[]> {
  return (await h.deps.db.messages.where('mailboxId').equals(mailboxId).toArray()) as Message[];
}

/** Stored threads whose every stored message the ground truth gives `reason` (null: pushed). */
function threadsWhere(truth: GroundTruth, stored: readonly Message[], test: (verdicts: TruthVerdict[]) => boolean): string[] {
  const storedIds = new Set(stored.map((m) => m.providerId));
  const byThread = new Map<string, TruthVerdict[]>();
  for (const v of truth.verdicts) if (storedIds.has(v.providerId)) byThread.set(v.threadId, [...(byThread.get(v.threadId) ?? []), v]);
  return [...byThread].filter(([, verdicts]) => test(verdicts)).map(([thread]) => thread);
}

/** The thread state as the sidebar reads it (its thread view), zod-checked as its caller does. */
async function sidebarState(threadKey: string): Promise<MessageSyncState[]> {
  const envelope = await dispatch(protocol, 'getThreadView', { provider: 'gmail', threadKey, participants: [] }, sidebarFrame, handlers, trust);
  if (!envelope.ok) throw new Error(`getThreadView failed: ${envelope.error.message}`);
  const answer = protocol.getThreadView.output.parse(envelope.value);
  expect(answer.mailboxes).toHaveLength(1);
  return answer.mailboxes[0]!.messages;
}

async function outboxOf(keys: readonly string[]): Promise<OutboxEntry[]> {
  return (await h.deps.db.outbox.bulkGet([...keys])).filter((e): e is OutboxEntry => e !== undefined);
}

async function crmKeys(): Promise<Set<string>> {
  return new Set((await h.crmEmails()).map((e) => e.message_id));
}

async function contactName(id: string): Promise<string> {
  return (await h.deps.db.contacts.get(id))!.name;
}

/** The key of each stored message, from its verdict. */
async function keysOf(mailboxId: string, providerIds: readonly string[]): Promise<string[]> {
  const verdicts = await h.deps.db.verdicts.bulkGet(providerIds.map((id) => [mailboxId, id] as [string, string]));
  return verdicts.map((v) => v!.key);
}

describe('thread sync state (R17, R28)', () => {
  it('reads each message as pushed (when, to whom) or skipped with its R21a reason, as the ground truth says, and answers no subject', async () => {
    const mailbox = await backfilled();
    const truth = await h.truth(['riley'], since);
    const verdictOf = new Map(truth.verdicts.map((v) => [v.providerId, v]));
    const stored = await storedMessages(mailbox.id);
    const pushedAt = new Map((await h.deps.db.outbox.toArray()).map((e) => [e.providerId, e.pushed?.at]));
    const reasonsSeen = new Set<string | null>();
    for (const threadKey of new Set(stored.map((m) => m.threadKey))) {
      const states = await sidebarState(threadKey);
      const ofThread = stored.filter((m) => m.threadKey === threadKey);
      expect(states.map((s) => s.providerId).sort()).toEqual(ofThread.map((m) => m.providerId).sort());
      for (const state of states) {
        const truthVerdict = verdictOf.get(state.providerId)!;
        reasonsSeen.add(truthVerdict.reason);
        if (truthVerdict.push) {
          expect(state).toMatchObject({ state: 'pushed', reason: null, at: pushedAt.get(state.providerId), error: null });
          expect(state.at).toBeGreaterThanOrEqual(since);
          const names = await Promise.all(truthVerdict.contactIds.map(contactName));
          expect(state.contacts.map((c) => c.name).sort()).toEqual(names.sort());
        } else {
          expect(state).toMatchObject({ state: 'skipped', reason: truthVerdict.reason, at: null });
        }
      }
      // The sidebar is told where mail stands, never what it says (R30): no subject, no content.
      const text = JSON.stringify(states);
      for (const message of ofThread) if (message.subject && message.subject.length > 3) expect(text).not.toContain(message.subject);
      for (const state of states) expect(Object.keys(state).sort()).toEqual(['at', 'contacts', 'date', 'direction', 'error', 'providerId', 'reason', 'state']);
    }
    expect([...reasonsSeen]).toEqual(expect.arrayContaining([null, 'internal_only', 'bulk', 'no_contact', 'excluded_category', 'blocked']));
  });

  it('reads pushable messages as waiting while the CRM refuses writes, then as pushed once it is back', async () => {
    const mailbox = await h.connect('gmail');
    since = h.clock - WINDOW_DAYS * DAY;
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 1000 });
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
    for (let i = 0; i < 10 && (await getJob(h.deps.db, jobId(mailbox.id, 'backfill')))?.status !== 'done'; i++) await runDue();
    expect((await getJob(h.deps.db, jobId(mailbox.id, 'backfill')))?.status).toBe('done');
    expect((await getJob(h.deps.db, jobId('crm', 'outbox')))?.status).toBe('waiting');

    const truth = await h.truth(['riley'], since);
    const [thread] = threadsWhere(truth, await storedMessages(mailbox.id), (vs) => vs.every((v) => v.push));
    const waiting = await sidebarState(thread!);
    expect(waiting.length).toBeGreaterThan(0);
    for (const state of waiting) expect(state).toMatchObject({ state: 'waiting', reason: null, at: null, contacts: [expect.objectContaining({ name: expect.any(String) })] });

    await h.crm.delete('/faults');
    await h.settle();
    for (const state of await sidebarState(thread!)) expect(state).toMatchObject({ state: 'pushed', at: expect.any(Number) });
    await h.expectCrmMatches(truth.crmEmails);
  });
});

describe('thread decisions (R27)', () => {
  it('a link of a thread of unmatched mail pushes its stored messages, reading them again only for the snippet, and the mail that follows; as the ground truth with the same mark', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const truth = await h.truth(['riley'], since);
    const thread = threadsWhere(truth, stored, (vs) => vs.length >= 2 && vs.every((v) => v.reason === 'no_contact'))[0]!;
    const ofThread = stored.filter((m) => m.threadKey === thread);
    const contact = 'ct-5';
    const before = (await h.google.requests()).at(-1)?.seq ?? 0;

    const run = await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey: thread, contactIds: [contact], dontSync: false });
    expect(run).toMatchObject({ kind: 'sync', status: 'succeeded', counts: { matched: ofThread.length, contacts: { [contact]: ofThread.length } } });
    for (const state of await threadState(h.deps.db, mailbox.id, thread, null)) expect(state).toMatchObject({ state: 'waiting', reason: null, contacts: [{ id: contact, name: await contactName(contact) }] });
    await h.google.put('/thread-marks', { mailbox: 'riley', threadId: thread, contactIds: [contact] });
    await h.settle();
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);

    // The snippet visibility needs content the store does not keep: exactly the thread's messages
    // are read again, nothing else of the window (R21a).
    const reads = (await h.google.requests(/\/gmail\/v1\/users\/me\//, { since: before })).filter((r) => !r.path.endsWith('/batch'));
    expect(reads.map((r) => r.path.split('/').at(-1)).sort()).toEqual(ofThread.map((m) => m.providerId).sort());
    for (const state of await sidebarState(thread)) expect(state).toMatchObject({ state: 'pushed', contacts: [{ id: contact }] });

    // Later mail of the thread follows the link: the sender is still no contact.
    const from = ofThread.find((m) => m.direction === 'received')?.from?.address ?? ofThread[0]!.to[0]!.address;
    const reply = await h.google.post<{ id: string }>('/google/deliver', { from, to: mailbox.address, subject: 'Re: follow-up', body: 'More', inReplyTo: ofThread[0]!.messageId });
    await pollAndSettle();
    const after = await sidebarState(thread);
    expect(after.find((s) => s.providerId === reply.id)).toMatchObject({ state: 'pushed', contacts: [{ id: contact }] });
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);
  });

  it('at metadata visibility a link reads nothing from the provider again', async () => {
    await h.google.put('/policy', { mailboxes: { riley: { visibility: 'metadata' } } });
    const connected = await h.connect('gmail');
    await h.deps.db.mailboxes.update(connected.id, { visibility: 'metadata' });
    const mailbox = { ...connected, visibility: 'metadata' as const };
    since = h.clock - WINDOW_DAYS * DAY;
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
    await h.settle();
    const stored = await storedMessages(mailbox.id);
    const thread = threadsWhere(await h.truth(['riley'], since), stored, (vs) => vs.every((v) => v.reason === 'no_contact'))[0]!;
    const before = (await h.google.requests()).at(-1)?.seq ?? 0;

    await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey: thread, contactIds: ['ct-5'], dontSync: false });
    await h.google.put('/thread-marks', { mailbox: 'riley', threadId: thread, contactIds: ['ct-5'] });
    await h.settle();
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);
    expect(await h.google.requests(/\/gmail\//, { since: before })).toEqual([]);
  });

  it('"don\'t sync" withdraws writes not yet made and stops later mail, while what the CRM has stays', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const truth = await h.truth(['riley'], since);
    const [pushedThread, pendingThread] = threadsWhere(truth, stored, (vs) => vs.every((v) => v.push));
    // Both threads were pushed by the backfill; only mail arriving later is still waiting.
    const pushedKeys = await keysOf(mailbox.id, stored.filter((m) => m.threadKey === pushedThread || m.threadKey === pendingThread).map((m) => m.providerId));
    const pendingFirst = stored.find((m) => m.threadKey === pendingThread && m.direction === 'received')!;

    // New mail in a pushed thread while the CRM refuses writes: it waits in the outbox.
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 1000 });
    const waiting = await h.google.post<{ id: string }>('/google/deliver', { from: pendingFirst.from!.address, to: mailbox.address, subject: 'Re: pending', body: '.', inReplyTo: pendingFirst.messageId });
    h.clock += 31_000;
    await runDue();
    expect((await sidebarState(pendingThread!)).find((s) => s.providerId === waiting.id)).toMatchObject({ state: 'waiting' });
    const [waitingKey] = await keysOf(mailbox.id, [waiting.id]);

    for (const threadKey of [pushedThread!, pendingThread!]) {
      await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey, contactIds: [], dontSync: true });
      await h.google.put('/thread-marks', { mailbox: 'riley', threadId: threadKey, dontSync: true });
      for (const state of await threadState(h.deps.db, mailbox.id, threadKey, null)) expect(state).toMatchObject({ state: 'skipped', reason: 'dont_sync' });
    }
    expect((await outboxOf([waitingKey!]))[0]).toMatchObject({ status: 'cancelled' });

    await h.crm.delete('/faults');
    const pushedFirst = stored.find((m) => m.threadKey === pushedThread && m.direction === 'received')!;
    const later = await h.google.post<{ id: string }>('/google/deliver', { from: pushedFirst.from!.address, to: mailbox.address, subject: 'Re: later', body: '.', inReplyTo: pushedFirst.messageId });
    await pollAndSettle();
    expect((await sidebarState(pushedThread!)).find((s) => s.providerId === later.id)).toMatchObject({ state: 'skipped', reason: 'dont_sync' });

    // The CRM: what the marks allow (the ground truth), plus what it had before the mark.
    const expected = new Set([...(await h.truth(['riley'], since)).crmEmails.map((e) => e.key), ...pushedKeys]);
    expect([...(await crmKeys())].sort()).toEqual([...expected].sort());
    expect(expected.has(waitingKey!)).toBe(false);
    for (const entry of await outboxOf(pushedKeys)) expect(entry.status).toBe('sent');
  });

  it('an unlink withdraws the writes the link queued and leaves the thread to matching, as the ground truth without a mark', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const thread = threadsWhere(await h.truth(['riley'], since), stored, (vs) => vs.every((v) => v.reason === 'no_contact'))[0]!;
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 1000 });
    await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey: thread, contactIds: ['ct-5'], dontSync: false });
    await runDue();
    const keys = await keysOf(mailbox.id, stored.filter((m) => m.threadKey === thread).map((m) => m.providerId));
    for (const entry of await outboxOf(keys)) expect(entry.status).toBe('pending');

    await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey: thread, contactIds: [], dontSync: false });
    for (const state of await sidebarState(thread)) expect(state).toMatchObject({ state: 'skipped', reason: 'no_contact', contacts: [] });
    for (const entry of await outboxOf(keys)) expect(entry.status).toBe('cancelled');
    await h.crm.delete('/faults');
    await h.settle();
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);
  });

  it('refuses a link to a contact the mirror does not hold, in plain words, and changes nothing', async () => {
    const mailbox = await backfilled();
    const thread = (await storedMessages(mailbox.id))[0]!.threadKey;
    const before = await threadState(h.deps.db, mailbox.id, thread, null);
    const envelope = await dispatch(protocol, 'setThreadDecision', { mailboxId: mailbox.id, threadKey: thread, contactIds: ['ct-999'], dontSync: false }, optionsPage, handlers, trust);
    expect(envelope).toMatchObject({ ok: false, error: { code: 'not_found', action: 'none', retryable: false, message: expect.stringMatching(/contact is not in the CRM/) } });
    expect(await h.deps.db.threadLinks.count()).toBe(0);
    expect(await threadState(h.deps.db, mailbox.id, thread, null)).toEqual(before);
  });

  it('an undone message is pushed again when the user links its thread, not by later syncs or an unlink', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const truth = await h.truth(['riley'], since);
    const thread = threadsWhere(truth, stored, (vs) => vs.every((v) => v.push && v.contactIds.length === 1))[0]!;
    const contact = truth.verdicts.find((v) => v.threadId === thread)!.contactIds[0]!;
    const keys = await keysOf(mailbox.id, stored.filter((m) => m.threadKey === thread).map((m) => m.providerId));
    const backfill = (await h.deps.db.syncRuns.toArray()).find((r) => r.kind === 'backfill')!;
    await h.engine.undo(mailbox.id, backfill.id);
    await h.settle();
    expect(await crmKeys()).toEqual(new Set());
    for (const state of await sidebarState(thread)) expect(state).toMatchObject({ state: 'undone' });

    // Neither the next sync nor clearing the thread's (absent) decision brings them back (R18).
    await pollAndSettle();
    await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey: thread, contactIds: [], dontSync: false });
    await h.settle();
    expect(await crmKeys()).toEqual(new Set());

    await decideThread(h.engineDeps, { mailboxId: mailbox.id, threadKey: thread, contactIds: [contact], dontSync: false });
    await h.settle();
    expect(await crmKeys()).toEqual(new Set(keys));
    for (const email of await h.crmEmails()) expect(email.contact_ids).toEqual([contact]);
    for (const state of await sidebarState(thread)) expect(state).toMatchObject({ state: 'pushed', contacts: [{ id: contact }] });
  });
});

describe('runs, review samples and "why wasn\'t this logged?" (R17, R24)', () => {
  /** A pages-only message from the options page, its answer zod-checked as the page does. */
  async function fromOptions<K extends 'getRuns' | 'getRunSample' | 'lookupMessages'>(name: K, input: unknown): Promise<MessageOutput<K>> {
    const envelope = await dispatch(protocol, name, input, optionsPage, handlers, trust);
    if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.message}`);
    return protocol[name].output.parse(envelope.value) as MessageOutput<K>;
  }

  it('a backfill run counts what it fetched, matched, pushed and skipped by reason, per contact, as the ground truth says', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const storedIds = new Set(stored.map((m) => m.providerId));
    const verdicts = (await h.truth(['riley'], since)).verdicts.filter((v) => storedIds.has(v.providerId));
    const skipped: Record<string, number> = {};
    const contacts: Record<string, number> = {};
    for (const v of verdicts) {
      if (v.reason) skipped[v.reason] = (skipped[v.reason] ?? 0) + 1;
      else for (const id of v.contactIds) contacts[id] = (contacts[id] ?? 0) + 1;
    }
    const pushed = verdicts.filter((v) => v.push).length;
    const { runs } = await fromOptions('getRuns', { mailboxId: mailbox.id });
    expect(runs.filter((r) => r.kind === 'backfill')).toHaveLength(1);
    expect(runs.find((r) => r.kind === 'backfill')).toMatchObject({ status: 'succeeded', undoneAt: null, counts: { fetched: stored.length, matched: pushed, pushed, duplicates: 0, errors: 0, skipped, contacts } });
  });

  it('counts the duplicates of a second mailbox and the writes the CRM refused, which read as failed with its words', async () => {
    const riley = await backfilled();
    const support = await h.connect('outlook');
    // The CRM refuses every batch on its merits, down to single emails: each is refused alone.
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 422, count: 10_000 });
    await h.engine.backfill(support.id, { days: WINDOW_DAYS, confirmed: true });
    await h.settle();
    const truth = await h.truth(['riley', 'support'], since);
    const shared = truth.crmEmails.filter((e) => e.sources.some((s) => s.mailboxId === 'riley') && e.sources.some((s) => s.mailboxId === 'support'));
    const supportOnly = truth.crmEmails.filter((e) => e.sources.every((s) => s.mailboxId === 'support'));
    expect(shared.length).toBeGreaterThan(0);
    const { runs } = await fromOptions('getRuns', { mailboxId: support.id });
    const run = runs.find((r) => r.kind === 'backfill')!;
    // The shared ones were pushed from Riley's mailbox; the rest were refused, one by one.
    expect(run.counts).toMatchObject({ duplicates: shared.length, errors: supportOnly.length, pushed: 0 });
    const failed = (await storedMessages(support.id)).find((m) => supportOnly.some((e) => e.sources.some((s) => s.providerId === m.providerId)))!;
    const [state] = (await threadState(h.deps.db, support.id, failed.threadKey, null)).filter((s) => s.providerId === failed.providerId);
    // In fixed words with the CRM's code, never the CRM's own text; and no content kept (R23).
    expect(state).toMatchObject({ state: 'failed', error: expect.stringMatching(/^The CRM refused this email( \([\w.:-]+\))?\.$/) });
    expect((await h.deps.db.outbox.where('status').equals('failed').toArray()).every((e) => e.payload === null)).toBe(true);
    expect((await fromOptions('getRuns', { mailboxId: riley.id })).runs.find((r) => r.kind === 'backfill')!.counts.duplicates).toBe(0);
  });

  it('a batch the CRM refuses whole is pushed in halves, so one refusal loses no email (R13)', async () => {
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 422, count: 1 });
    await backfilled();
    const truth = await h.truth(['riley'], since);
    await h.expectCrmMatches(truth.crmEmails);
    expect(await h.deps.db.outbox.where('status').equals('failed').count()).toBe(0);
  });

  it('a run sample lists up to N pushed messages per contact, newest first, with subject, sender, state and the CRM email id', async () => {
    const mailbox = await backfilled();
    const run = (await h.deps.db.syncRuns.toArray()).find((r) => r.kind === 'backfill')!;
    const stored = new Map((await storedMessages(mailbox.id)).map((m) => [m.providerId, m]));
    const crmIdOf = new Map((await h.crmEmails()).map((e) => [e.message_id, e.id]));
    const { contacts } = await fromOptions('getRunSample', { runId: run.id, perContact: 2 });
    expect(contacts.map((c) => c.contact.id).sort()).toEqual(Object.keys(run.counts.contacts).sort());
    for (const sample of contacts) {
      expect(sample.total).toBe(run.counts.contacts[sample.contact.id]);
      expect(sample.contact.name).toBe(await contactName(sample.contact.id));
      expect(sample.messages).toHaveLength(Math.min(2, sample.total));
      expect(sample.messages.map((m) => m.date)).toEqual([...sample.messages.map((m) => m.date)].sort((a, b) => b - a));
      for (const message of sample.messages) {
        const row = stored.get(message.providerId)!;
        const [key] = await keysOf(mailbox.id, [message.providerId]);
        expect(message).toMatchObject({ state: 'pushed', subject: row.subject, from: row.from?.address ?? null, crmEmailId: crmIdOf.get(key!) });
        expect(message.contacts.map((c) => c.id)).toContain(sample.contact.id);
      }
    }
  });

  it('finds messages by subject text and by address (Gmail dots and +tags folded), each with its state and reason', async () => {
    const mailbox = await backfilled();
    const stored = await storedMessages(mailbox.id);
    const truth = await h.truth(['riley'], since);
    const storedWith = (reason: string) => stored.find((m) => truth.verdicts.some((v) => v.providerId === m.providerId && v.reason === reason))!;
    const lookup = async (text: string, limit = 25) => (await fromOptions('lookupMessages', { mailboxId: mailbox.id, text, limit })).messages;

    const internal = storedWith('internal_only');
    const bySubject = await lookup(internal.subject!.slice(0, 12).toUpperCase());
    expect(bySubject.find((m) => m.providerId === internal.providerId)).toMatchObject({ state: 'skipped', reason: 'internal_only', subject: internal.subject, threadKey: internal.threadKey });

    const newsletter = storedWith('bulk');
    const byAddress = await lookup(`  ${newsletter.from!.address.toUpperCase()} `);
    expect(byAddress.length).toBeGreaterThan(0);
    expect(byAddress.find((m) => m.providerId === newsletter.providerId)).toMatchObject({ state: 'skipped', reason: 'bulk' });
    for (const found of byAddress) expect(stored.find((m) => m.providerId === found.providerId)!.participants).toContain(newsletter.participants[0]);

    const gmailUser = stored.find((m) => m.participants.some((p) => p.endsWith('@gmail.com')))!;
    const [local] = gmailUser.participants.find((p) => p.endsWith('@gmail.com'))!.split('@');
    const folded = await lookup(`${local!.slice(0, 1)}.${local!.slice(1)}+crm@GoogleMail.com`);
    expect(folded.find((m) => m.providerId === gmailUser.providerId)).toMatchObject({ reason: truth.verdicts.find((v) => v.providerId === gmailUser.providerId)!.reason });
  });

  it('answers the newest matches first when more match than the limit', async () => {
    const support = await h.connect('outlook');
    since = h.clock - WINDOW_DAYS * DAY;
    await h.engine.backfill(support.id, { days: WINDOW_DAYS, confirmed: true });
    await h.settle();
    const stored = await storedMessages(support.id);
    const counts = new Map<string, number>();
    for (const m of stored) for (const p of m.participants) if (p !== support.address) counts.set(p, (counts.get(p) ?? 0) + 1);
    const [address] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    const newest = stored.filter((m) => m.participants.includes(address)).sort((a, b) => b.date - a.date).slice(0, 2);
    const { messages } = await fromOptions('lookupMessages', { mailboxId: support.id, text: address, limit: 2 });
    expect(messages.map((m) => m.providerId)).toEqual(newest.map((m) => m.providerId));
  });
});
