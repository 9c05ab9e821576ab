import { describe, expect, it } from 'vitest';
import { createHandlers } from '@/lib/background/handlers';
import { reconnectMailbox } from '@/lib/background/mailboxes';
import { getJob, getMailbox, jobId, runsOf } from '@/lib/db';
import type { Mailbox } from '@/lib/domain';
import { dispatch, type Envelope, type Handlers, type MessageName, type MessageOutput, protocol } from '@/lib/messaging';
import { INCREMENTAL_EVERY_MS } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/**
 * Mailbox care through the protocol, against the emulators: editing a mailbox's details (R5, R6,
 * R22) with the CRM's record kept in step, the checklist items the user confirms (R7, R32), and
 * the reviewed sample that lifts the first backfill's hold (R24). The engine is the harness's
 * (its clock moves through persisted waits); the handlers start no job here.
 */
let h: EngineHarness;
let handlers: Handlers;

useEngineHarness(7, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

const DANA = 'dana@acme-sales.test';
const NOTE = 'Dana and Lee hold the recovery codes in the IT vault.';
const CRM_MAILBOX = '^/public/v1/mailboxes/';
const CRM_BATCH = '^/public/v1/emails/batch$';

function envelope(name: MessageName, input: unknown): Promise<Envelope> {
  return dispatch(protocol, name, input, optionsPage, handlers, trust);
}

/** Sends one message from the options page; its answer checked as the page checks it. */
async function call<K extends MessageName>(name: K, input: unknown): Promise<MessageOutput<K>> {
  const answer = await envelope(name, input);
  if (!answer.ok) throw new Error(`${name} failed: ${answer.error.code} ${answer.error.message}`);
  return protocol[name].output.parse(answer.value) as MessageOutput<K>;
}

/** The typed error a message was refused with. */
async function refusal(name: MessageName, input: unknown) {
  const answer = await envelope(name, input);
  if (answer.ok) throw new Error(`${name} was not refused`);
  return answer.error;
}

interface CrmMailboxRecord {
  address: string;
  purpose: string;
  kind: string;
  owner: string | null;
  status: string;
  recovery_note: string | null;
  display_name: string | null;
  provider: string | null;
}

async function crmRecord(address: string): Promise<CrmMailboxRecord | undefined> {
  const { mailboxes } = await h.crm.get<{ mailboxes: CrmMailboxRecord[] }>('/crm/mailboxes');
  return mailboxes.find((m) => m.address.toLowerCase() === address);
}

describe('updateMailbox (R5, R6, R22)', () => {
  it('refuses a shared mailbox without an owner or a recovery note, in plain words, and keeps the mailbox as it was', async () => {
    const mailbox = await h.connect('gmail');
    expect(await refusal('updateMailbox', { id: mailbox.id, kind: 'shared' })).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/^A shared mailbox needs an owner/) });
    expect(await refusal('updateMailbox', { id: mailbox.id, kind: 'shared', owner: DANA })).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/^A shared mailbox needs a recovery note/) });
    expect(await getMailbox(h.deps.db, mailbox.id)).toEqual(mailbox);
  });

  it('a new owner re-opens "purpose and owner confirmed", a new recovery note "recovery documented"', async () => {
    const mailbox = await h.connect('gmail');
    await call('updateMailbox', { id: mailbox.id, kind: 'shared', owner: DANA, recoveryNote: NOTE });
    await call('confirmChecklistItem', { id: mailbox.id, item: 'purpose_owner_confirmed' });
    const confirmed = await call('confirmChecklistItem', { id: mailbox.id, item: 'recovery_documented' });
    expect(confirmed.checklist).toMatchObject({ purpose_owner_confirmed: expect.any(Number), recovery_documented: expect.any(Number) });
    const owner = await call('updateMailbox', { id: mailbox.id, owner: 'lee@acme-sales.test' });
    expect(owner.checklist.purpose_owner_confirmed).toBeUndefined();
    expect(owner.checklist.recovery_documented).toEqual(confirmed.checklist.recovery_documented);
    const note = await call('updateMailbox', { id: mailbox.id, recoveryNote: 'Lee holds them now.' });
    expect(note.checklist.recovery_documented).toBeUndefined();
  });

  it("keeps the CRM's mailbox record in step on connect and on every edit", async () => {
    const mailbox = await h.connect('gmail');
    expect(await crmRecord(mailbox.address)).toMatchObject({ purpose: 'sales', kind: 'personal', owner: null, status: 'connected', recovery_note: null, display_name: mailbox.identity!.displayName, provider: 'gmail' });
    const updated = await call('updateMailbox', { id: mailbox.id, scope: 'support', kind: 'shared', owner: DANA, recoveryNote: NOTE });
    expect(updated.crmRecordError).toBeNull();
    expect(await crmRecord(mailbox.address)).toMatchObject({ purpose: 'support', kind: 'shared', owner: DANA, recovery_note: NOTE, display_name: mailbox.identity!.displayName, provider: 'gmail', status: 'connected' });
  });

  it('a CRM that refuses the record does not fail the edit: the mailbox says so until a later write succeeds', async () => {
    const mailbox = await h.connect('outlook');
    await h.crm.fault({ path: CRM_MAILBOX, method: 'PUT', status: 403, count: 1 });
    const edited = await call('updateMailbox', { id: mailbox.id, scope: 'finance' });
    expect(edited.scope).toBe('finance');
    expect(edited.crmRecordError).toMatch(/^The CRM's record of this mailbox was not updated: .+ Your changes here are saved/);
    expect((await crmRecord(mailbox.address))!.purpose).toBe('support');
    const again = await call('updateMailbox', { id: mailbox.id, owner: DANA });
    expect(again.crmRecordError).toBeNull();
    expect(await crmRecord(mailbox.address)).toMatchObject({ purpose: 'finance', owner: DANA });
  });

  it("a shared mailbox's owner written as a name is refused on its field, as the forms do; nothing changes here or in the CRM", async () => {
    const mailbox = await h.connect('gmail');
    expect(await refusal('updateMailbox', { id: mailbox.id, kind: 'shared', owner: 'Dana Owner', recoveryNote: NOTE })).toMatchObject({ code: 'invalid_payload', fields: { owner: expect.stringMatching(/^Enter the owner's email address/) } });
    expect(await getMailbox(h.deps.db, mailbox.id)).toMatchObject({ kind: 'personal', owner: null });
    expect((await crmRecord(mailbox.address))!.kind).toBe('personal');
  });
});

describe('updateMailbox: the visibility (R22)', () => {
  /** What any CRM email holds beyond the metadata. */
  const content = (fields: Record<string, unknown>) => ['subject', 'snippet', 'body'].filter((f) => f in fields);

  /** A 60-day backfill while the CRM refuses every batch: its writes wait in the outbox, built at the mailbox's level. */
  async function backfillWithCrmRefusing(mailbox: Mailbox): Promise<void> {
    await h.crm.fault({ path: CRM_BATCH, status: 503, count: 1000 });
    await h.engine.backfill(mailbox.id, { days: 60 });
    for (let round = 0; round < 20 && (await getJob(h.deps.db, jobId(mailbox.id, 'backfill')))?.status !== 'done'; round++) h.clock = Math.max(h.clock, (await h.round()) ?? h.clock);
  }

  it('lowered while writes wait for the CRM: they reach it at the new level, never the old one', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await call('updateMailbox', { id: mailbox.id, visibility: 'full' });
    await backfillWithCrmRefusing(mailbox);
    const waiting = await h.deps.db.outbox.where('status').equals('pending').toArray();
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.some((e) => e.payload?.body !== undefined)).toBe(true);

    const lowered = await call('updateMailbox', { id: mailbox.id, visibility: 'metadata' });
    expect(lowered.visibility).toBe('metadata');
    expect((await h.deps.db.outbox.where('status').equals('pending').toArray()).every((e) => e.payload === null && e.visibility === 'metadata')).toBe(true);
    await h.crm.delete('/faults');
    await h.settle();
    const emails = await h.crmEmails();
    expect(emails.length).toBe(waiting.length);
    expect(emails.flatMap((e) => content(e.fields))).toEqual([]);
  });

  it('lowered while the outbox reads content at the old level: what it read is not kept', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await call('updateMailbox', { id: mailbox.id, visibility: 'full' });
    await backfillWithCrmRefusing(mailbox);
    // Lowered once: the waiting writes are to be read again at "snippet" when they are drained.
    await call('updateMailbox', { id: mailbox.id, visibility: 'snippet' });
    await h.crm.delete('/faults');
    // The drain's read of that content is slow, and the user lowers the level again meanwhile.
    await h.google.fault({ path: '^/batch/gmail/v1$', delayMs: 1500, count: 1 });
    const drain = h.round();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await call('updateMailbox', { id: mailbox.id, visibility: 'metadata' });
    await drain;
    await h.settle();
    expect((await h.google.requests('^/batch/gmail/v1$')).length).toBeGreaterThan(0);
    const emails = await h.crmEmails();
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.flatMap((e) => content(e.fields))).toEqual([]);
  });

  it('lowered while a batch the CRM refused whole is pushed in halves: the halves not yet sent are rebuilt at the new level', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await call('updateMailbox', { id: mailbox.id, visibility: 'full' });
    // The first batch is refused whole on its merits: it is pushed in halves, and the user lowers
    // the level once the first half is written.
    await h.crm.fault({ path: CRM_BATCH, status: 422, count: 1 });
    const firstHalf = new Set<string>();
    const crm = h.engineDeps.crm;
    h.engineDeps.crm = async () => {
      const connected = await crm();
      if (!connected) return connected;
      const pushEmails: typeof connected.client.pushEmails = async (items, options) => {
        const results = await connected.client.pushEmails(items, options);
        if (firstHalf.size === 0 && options?.scope?.endsWith('/0')) {
          for (const item of items) firstHalf.add(item.message_id);
          await call('updateMailbox', { id: mailbox.id, visibility: 'metadata' });
        }
        return results;
      };
      return { ...connected, client: { ...connected.client, pushEmails } };
    };
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    expect(firstHalf.size).toBeGreaterThan(0);
    const emails = await h.crmEmails();
    // What left before the change carries the old level; nothing else does.
    expect(emails.filter((e) => firstHalf.has(e.message_id)).every((e) => 'subject' in e.fields)).toBe(true);
    expect(emails.filter((e) => !firstHalf.has(e.message_id)).flatMap((e) => content(e.fields))).toEqual([]);
    expect(emails.length).toBeGreaterThan(firstHalf.size);
    expect(await h.deps.db.outbox.where('status').equals('pending').count()).toBe(0);
  });

  it('raised: what is pushed from then on carries the new level; what the CRM has is not written again', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await call('updateMailbox', { id: mailbox.id, visibility: 'metadata' });
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    const before = await h.crmEmails();
    expect(before.length).toBeGreaterThan(0);
    expect(before.flatMap((e) => content(e.fields))).toEqual([]);

    await call('updateMailbox', { id: mailbox.id, visibility: 'full' });
    const contact = (await h.deps.db.contacts.toArray())[0]!.emails[0]!;
    await h.google.post('/google/deliver', { from: contact, to: mailbox.address, subject: 'After the raise', body: 'The whole body of it.' });
    h.clock += INCREMENTAL_EVERY_MS;
    await h.settle();
    const after = await h.crmEmails();
    const fresh = after.filter((e) => !before.some((b) => b.id === e.id));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.fields).toMatchObject({ subject: 'After the raise', body: expect.stringContaining('The whole body of it.') });
    expect(after.filter((e) => before.some((b) => b.id === e.id))).toEqual(before);
  });
});

describe('confirmChecklistItem (R7, R32)', () => {
  it('refuses in plain words what makes no sense yet, and ticks what does', async () => {
    const mailbox = await h.connect('gmail');
    expect(await refusal('confirmChecklistItem', { id: mailbox.id, item: 'recovery_documented' })).toMatchObject({ message: expect.stringMatching(/is a personal mailbox: only a shared mailbox needs/) });
    await h.deps.db.mailboxes.update(mailbox.id, { identity: null });
    expect(await refusal('confirmChecklistItem', { id: mailbox.id, item: 'sender_verified' })).toMatchObject({ message: expect.stringMatching(/have not been read from the provider yet/) });
    await h.deps.db.mailboxes.update(mailbox.id, { identity: mailbox.identity });
    expect((await call('confirmChecklistItem', { id: mailbox.id, item: 'sender_verified' })).checklist.sender_verified).toEqual(expect.any(Number));
    expect(await refusal('confirmChecklistItem', { id: mailbox.id, item: 'test_send' })).toMatchObject({ code: 'invalid_payload' });
  });

  it('a reconnect that reads another display name or reply-to re-opens "sender verified"; the same identity keeps it', async () => {
    const mailbox = await h.connect('outlook');
    const verified = await call('confirmChecklistItem', { id: mailbox.id, item: 'sender_verified' });
    expect((await reconnectMailbox(h.deps, mailbox.id)).checklist.sender_verified).toBe(verified.checklist.sender_verified);
    // What the user confirmed was another identity than the provider shows now.
    await h.deps.db.mailboxes.update(mailbox.id, { identity: { ...mailbox.identity!, displayName: 'Support (old name)' } });
    const reconnected = await reconnectMailbox(h.deps, mailbox.id);
    expect(reconnected.identity).toEqual(mailbox.identity);
    expect(reconnected.checklist.sender_verified).toBeUndefined();
  });

  it('connecting an existing mailbox again does the same', async () => {
    const mailbox = await h.connect('gmail');
    const verified = await call('confirmChecklistItem', { id: mailbox.id, item: 'sender_verified' });
    expect((await h.connect('gmail')).checklist.sender_verified).toBe(verified.checklist.sender_verified);
    await h.deps.db.mailboxes.update(mailbox.id, { identity: { ...mailbox.identity!, replyTo: 'old-replies@acme-sales.test' } });
    const connected = await h.connect('gmail', 'sales', false);
    expect(connected.identity).toEqual(mailbox.identity);
    expect(connected.checklist.sender_verified).toBeUndefined();
  });
});

describe('markSampleReviewed (R24, R32)', () => {
  async function runs(mailbox: Mailbox) {
    return runsOf(h.deps.db, mailbox.id);
  }

  it('ticks "timeline reviewed" and "matching verified" for a finished backfill that pushed mail, which lifts the 14-day hold', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail', 'sales', false);
    await expect(h.engine.backfill(mailbox.id, { days: 30 })).rejects.toThrow(/held to 14 days/);
    // The mirror first, then a customer email within the first 14 days, for the backfill to push.
    await h.settle();
    const contact = (await h.deps.db.contacts.toArray())[0]!.emails[0]!;
    await h.google.post('/google/deliver', { from: contact, to: mailbox.address, subject: 'Within the first fortnight', body: 'Hello.' });
    await h.engine.preview(mailbox.id, 14);
    await h.settle();
    await h.engine.backfill(mailbox.id, { days: 14 });
    await h.settle();
    const [backfill, preview] = [(await runs(mailbox)).find((r) => r.kind === 'backfill')!, (await runs(mailbox)).find((r) => r.kind === 'preview')!];
    expect(backfill.counts.pushed).toBeGreaterThan(0);

    expect(await refusal('markSampleReviewed', { mailboxId: mailbox.id, runId: preview.id })).toMatchObject({ message: expect.stringMatching(/A preview pushes nothing/) });
    const other = await h.connect('outlook');
    expect(await refusal('markSampleReviewed', { mailboxId: other.id, runId: backfill.id })).toMatchObject({ message: expect.stringMatching(/not in the sync history of support@/) });
    await h.deps.db.syncRuns.update(backfill.id, { status: 'running', finishedAt: null });
    expect(await refusal('markSampleReviewed', { mailboxId: mailbox.id, runId: backfill.id })).toMatchObject({ message: expect.stringMatching(/still going/) });
    await h.deps.db.syncRuns.update(backfill.id, { status: 'succeeded', finishedAt: h.clock, counts: { ...backfill.counts, pushed: 0 } });
    expect(await refusal('markSampleReviewed', { mailboxId: mailbox.id, runId: backfill.id })).toMatchObject({ message: expect.stringMatching(/pushed no email/) });
    await h.deps.db.syncRuns.update(backfill.id, { counts: backfill.counts });
    expect((await getMailbox(h.deps.db, mailbox.id))!.checklist.matching_verified).toBeUndefined();

    const reviewed = await call('markSampleReviewed', { mailboxId: mailbox.id, runId: backfill.id });
    expect(reviewed.checklist).toMatchObject({ timeline_reviewed: expect.any(Number), matching_verified: expect.any(Number) });
    expect(await h.engine.backfill(mailbox.id, { days: 30 })).toMatchObject({ kind: 'backfill', params: { days: 30 } });
  });

  it('refuses a run that was undone', async () => {
    const mailbox = await h.connect('gmail');
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    const run = (await runs(mailbox)).find((r) => r.kind === 'backfill')!;
    expect(run.counts.pushed).toBeGreaterThan(0);
    await h.deps.db.syncRuns.update(run.id, { undoneAt: h.clock });
    expect(await refusal('markSampleReviewed', { mailboxId: mailbox.id, runId: run.id })).toMatchObject({ message: expect.stringMatching(/was undone/) });
  });
});
