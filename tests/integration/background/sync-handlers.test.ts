import { beforeEach, describe, expect, it } from 'vitest';
import { engineOf } from '@/lib/background/engine';
import { createHandlers } from '@/lib/background/handlers';
import { getJob, getMailbox, jobId } from '@/lib/db';
import type { Mailbox } from '@/lib/domain';
import { dispatch, type Handlers, type MessageName, type MessageOutput, protocol, type Sender } from '@/lib/messaging';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { gmailTab, optionsPage, sidebarFrame, trust } from '../../support/senders';

/**
 * The background's answers to the engine's messages, through the protocol's dispatch, with the
 * background's own engine (real clock) against the emulators: what a webmail content script may
 * ask (sync now, per provider, debounced) and what the options page does with a thread.
 */
let h: EngineHarness;
let handlers: Handlers;


useEngineHarness(7, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

/** Sends one message as `sender` would, and returns its answer checked as the caller checks it. */
async function send<K extends MessageName>(name: K, input: unknown, sender: Sender): Promise<MessageOutput<K>> {
  const envelope = await dispatch(protocol, name, input, sender, handlers, trust);
  if (!envelope.ok) throw new Error(`${name} failed: ${envelope.error.code} ${envelope.error.message}`);
  return protocol[name].output.parse(envelope.value) as MessageOutput<K>;
}

const settled = () => engineOf(h.deps).idle();

/** What the engine's wake alarm does: a tick, then everything it started. */
async function wake(): Promise<void> {
  await engineOf(h.deps).tick();
  await settled();
}

async function lastSeq(): Promise<number> {
  return (await h.google.requests()).at(-1)?.seq ?? 0;
}

describe('requestSync from a webmail content script (R16)', () => {
  let gmail: Mailbox;
  let outlook: Mailbox;
  beforeEach(async () => {
    gmail = await h.connect('gmail');
    outlook = await h.connect('outlook');
  });

  it("syncs that provider's mailboxes only", { timeout: 30_000 }, async () => {
    // Both mailboxes synced a moment ago: neither is due for its periodic poll.
    await wake();
    const synced = (await getMailbox(h.deps.db, outlook.id))!.lastSyncedAt;
    expect(synced).toEqual(expect.any(Number));
    const [googleBefore, microsoftBefore] = [await lastSeq(), (await h.microsoft.requests()).at(-1)?.seq ?? 0];
    // Asked right after a sync ended, the next one starts after the debounce gap.
    const { jobs } = await send('requestSync', { provider: 'gmail' }, gmailTab);
    expect(jobs[0]!.notBefore).toBeGreaterThan(Date.now());
    await new Promise((resolve) => setTimeout(resolve, jobs[0]!.notBefore - Date.now() + 50));
    expect(jobs.map((j) => [j.lane, j.kind])).toEqual([[gmail.id, 'incremental']]);
    await settled();
    expect(await h.google.requests(/\/gmail\/v1\/users\/me\/history$/, { since: googleBefore })).toHaveLength(1);
    expect((await getMailbox(h.deps.db, outlook.id))!.lastSyncedAt).toBe(synced);
    expect(await h.microsoft.requests(undefined, { since: microsoftBefore })).toEqual([]);
  });

  it('is debounced: a second request while the sync runs joins it rather than starting another', async () => {
    const before = await lastSeq();
    // The first request to Gmail takes a while, so the sync is still running when the page asks again.
    await h.google.fault({ path: '/gmail/v1/users/me/profile$', delayMs: 600 });
    const first = await send('requestSync', { provider: 'gmail' }, gmailTab);
    const second = await send('requestSync', { provider: 'gmail' }, gmailTab);
    expect(second.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id));
    expect(second.jobs[0]!.status).toMatch(/queued|running/);
    await settled();
    // One sync: one read of the changes since the cursor.
    expect(await h.google.requests(/\/gmail\/v1\/users\/me\/history$/, { since: before })).toHaveLength(1);
  });
});

describe('requestSync cannot make the extension hammer a provider (R12, R16)', () => {
  it('leaves a persisted wait and an error state as they are; only the user’s Sync now overrides them', async () => {
    const gmail = await h.connect('gmail');
    await wake();
    // The next history read is rate limited for ten minutes: the sync waits, persisted.
    await h.google.fault({ path: '/gmail/v1/users/me/history$', status: 429, retryAfter: 600, count: 5 });
    // Due for its periodic poll (this engine runs on the real clock).
    await h.deps.db.mailboxes.update(gmail.id, { lastSyncedAt: 0 });
    await wake();
    const waiting = (await getJob(h.deps.db, jobId(gmail.id, 'incremental')))!;
    expect(waiting).toMatchObject({ status: 'waiting' });
    const before = await lastSeq();
    const { jobs } = await send('requestSync', { provider: 'gmail' }, gmailTab);
    await settled();
    expect(jobs).toEqual([expect.objectContaining({ id: waiting.id, status: 'waiting', notBefore: waiting.notBefore })]);
    expect(await h.google.requests(/\/history$/, { since: before })).toEqual([]);

    await h.deps.db.mailboxes.update(gmail.id, { status: 'error', lastError: { code: 'server', source: 'gmail', message: 'Gmail had a temporary problem.', action: 'retry', retryable: true, retryAfterMs: null, at: h.clock } });
    expect((await send('requestSync', { provider: 'gmail' }, gmailTab)).jobs).toEqual([]);
    expect((await getMailbox(h.deps.db, gmail.id))!.status).toBe('error');
    await h.google.delete('/faults');
    await send('syncNow', { mailboxId: gmail.id }, optionsPage);
    await settled();
    expect((await getMailbox(h.deps.db, gmail.id))!.status).toBe('connected');
  });
});

describe('thread decisions through the background (R27)', () => {
  it('the options page links a thread; the answer is its state, and the background pushes it', async () => {
    const gmail = await h.connect('gmail');
    const started = await send('backfill', { mailboxId: gmail.id, days: 90, confirmed: true }, optionsPage);
    expect(started).toMatchObject({ job: { kind: 'backfill' } });
    await settled();
    const verdict = (await h.deps.db.verdicts.where('[mailboxId+reason]').equals([gmail.id, 'no_contact']).first())!;

    const refused = await dispatch(protocol, 'setThreadDecision', { mailboxId: gmail.id, threadKey: verdict.threadKey, contactIds: ['ct-5'], dontSync: true }, optionsPage, handlers, trust);
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringMatching(/either linked to contacts or marked/) } });

    const { messages } = await send('setThreadDecision', { mailboxId: gmail.id, threadKey: verdict.threadKey, contactIds: ['ct-5'], dontSync: false }, optionsPage);
    expect(messages.length).toBeGreaterThan(0);
    for (const state of messages) expect(state).toMatchObject({ state: 'waiting', reason: null, contacts: [{ id: 'ct-5' }] });
    await settled();
    await wake();
    const sidebar = await send('getThreadView', { provider: 'gmail', threadKey: verdict.threadKey, participants: [] }, sidebarFrame);
    expect(sidebar.mailboxes[0]!.link).toEqual({ contacts: [expect.objectContaining({ id: 'ct-5' })], dontSync: false });
    for (const state of sidebar.mailboxes[0]!.messages) expect(state).toMatchObject({ state: 'pushed', contacts: [{ id: 'ct-5' }] });
    const emails = await h.crmEmails();
    expect(emails.filter((e) => e.contact_ids.includes('ct-5') && e.fields.thread_key === verdict.threadKey)).toHaveLength(messages.length);
  });
});
