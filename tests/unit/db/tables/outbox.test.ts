import { beforeEach, describe, expect, it } from 'vitest';
import { toCrmEmail } from '@/lib/crm';
import {
  batchEntries,
  dueOutboxEntries,
  getOutboxEntry,
  type MailboxCrmDatabase,
  mergeOffer,
  type OfferOutcome,
  offerOutboxEntries,
  type OutboxEntry,
  type OutboxOffer,
  outboxEntrySchema,
  putOutboxEntries,
  rebuildOutboxForVisibility,
  withdrawOutboxSources,
} from '@/lib/db';
import { aMessage, anOutboxEntry, anOutboxOffer } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

const NOW = Date.parse('2026-11-21T08:00:00Z');
const A = 'gmail:rep@acme-sales.test';
const B = 'outlook:support@acme-sales.test';
const C = 'gmail:sam@acme-sales.test';

/** Mailbox B's copy of the same message (another provider id), at `visibility`, for `contactIds`. */
function copyInB(visibility: OutboxOffer['visibility'], contactIds: string[] = ['c-1'], runId = 'run-2'): OutboxOffer {
  const message = aMessage({ mailboxId: B, provider: 'outlook', providerId: 'AAMkAD-b', body: 'the body' });
  return anOutboxOffer({ mailboxId: B, providerId: 'AAMkAD-b', contactIds, runId, visibility, payload: toCrmEmail(message, contactIds, visibility, 'support@acme-sales.test') });
}

const pending = anOutboxEntry({ payload: anOutboxOffer().payload });
/** Sent by run 1: the CRM holds c-1 at snippet visibility. */
const sent = anOutboxEntry({ status: 'sent', attempts: 1, crmEmailId: 'em-1', pushed: { contactIds: ['c-1'], visibility: 'snippet', at: NOW - 1000 } });

type Case = [name: string, entry: OutboxEntry | undefined, offer: OutboxOffer, outcome: OfferOutcome, next: OutboxEntry | null];

const cases: Case[] = [
  [
    'a new key: queued as it came, due now',
    undefined,
    anOutboxOffer({ contactIds: ['c-2', 'c-1'] }),
    'queued',
    anOutboxEntry({ contactIds: ['c-1', 'c-2'], payload: anOutboxOffer().payload, nextAttemptAt: NOW, createdAt: NOW }),
  ],
  ['the same copy again, pending: seen, nothing written', pending, anOutboxOffer(), 'seen', null],
  ['the same copy again, sent: seen, nothing written', sent, anOutboxOffer(), 'seen', null],
  ['another mailbox’s copy adding nothing, pending: a duplicate that joins the sources', pending, copyInB('metadata'), 'duplicate', { ...pending, mailboxIds: [A, B] }],
  ['another mailbox’s copy adding nothing, sent: a duplicate that joins the sources', sent, copyInB('snippet'), 'duplicate', { ...sent, mailboxIds: [A, B] }],
  [
    'a copy adding contacts, pending: merged into one write with the union',
    pending,
    copyInB('metadata', ['c-3']),
    'merged',
    { ...pending, mailboxIds: [A, B], contactIds: ['c-1', 'c-3'] },
  ],
  [
    'the same copy adding contacts, pending (retro-match): merged',
    pending,
    anOutboxOffer({ contactIds: ['c-2'], runId: 'run-2' }),
    'merged',
    { ...pending, contactIds: ['c-1', 'c-2'] },
  ],
  [
    'a copy adding contacts at a narrower visibility, sent: back to pending, its content read again from the first source; still the run that first pushed it (undo, R18)',
    sent,
    copyInB('metadata', ['c-3']),
    'merged',
    { ...sent, status: 'pending', mailboxIds: [A, B], contactIds: ['c-1', 'c-3'], payload: null, attempts: 0, nextAttemptAt: NOW },
  ],
  [
    'a copy at a wider visibility, pending: takes the new source and its payload',
    pending,
    copyInB('full'),
    'merged',
    { ...pending, mailboxId: B, mailboxIds: [A, B], providerId: 'AAMkAD-b', visibility: 'full', payload: copyInB('full').payload },
  ],
  [
    'a copy at a wider visibility, sent: back to pending from the new source, an update of the same CRM email',
    sent,
    copyInB('full', ['c-3']),
    'merged',
    {
      ...sent,
      status: 'pending',
      mailboxId: B,
      mailboxIds: [A, B],
      providerId: 'AAMkAD-b',
      visibility: 'full',
      payload: copyInB('full', ['c-3']).payload,
      contactIds: ['c-1', 'c-3'],
      attempts: 0,
      nextAttemptAt: NOW,
    },
  ],
  [
    'a first read of the content of a pending write that had none: the same source, nothing new to count',
    { ...pending, payload: null },
    anOutboxOffer(),
    'seen',
    pending,
  ],
  ['undone, the same copy: never queued again', anOutboxEntry({ status: 'undone', crmEmailId: 'em-1' }), anOutboxOffer(), 'undone', null],
  ['undone, another copy with new contacts and a wider visibility: never queued again', anOutboxEntry({ status: 'undone' }), copyInB('full', ['c-9']), 'undone', null],
  [
    'cancelled (it left the mailbox), offered again: revived as a new write of the offer',
    anOutboxEntry({ status: 'cancelled', contactIds: ['c-old'], createdAt: 5, nextAttemptAt: 5, runId: 'run-0' }),
    anOutboxOffer({ runId: 'run-2' }),
    'queued',
    anOutboxEntry({ payload: anOutboxOffer().payload, runId: 'run-2', createdAt: 5, nextAttemptAt: NOW }),
  ],
  [
    'failed (the CRM refused it), offered again: revived, its attempts and error cleared',
    anOutboxEntry({ status: 'failed', attempts: 3, lastError: 'Unknown contact', createdAt: 5 }),
    anOutboxOffer({ runId: 'run-2' }),
    'queued',
    anOutboxEntry({ payload: anOutboxOffer().payload, runId: 'run-2', createdAt: 5, nextAttemptAt: NOW }),
  ],
];

describe('mergeOffer: one copy of a message against the write stored under its key (R13, R15, R18, R22)', () => {
  it.each(cases)('%s', (_name, entry, offer, outcome, next) => {
    const merged = mergeOffer(entry, offer, NOW);
    expect(merged).toEqual({ outcome, next });
    // Whatever it stores is a valid row.
    if (merged.next) expect(() => outboxEntrySchema.parse(merged.next)).not.toThrow();
  });

  it('compares a sent write with what the CRM holds, not with what was last offered', () => {
    // Pushed to c-1 only; a later pending merge of c-2 was withdrawn before it was sent.
    const entry = { ...sent, contactIds: ['c-1', 'c-2'] };
    expect(mergeOffer(entry, anOutboxOffer({ contactIds: ['c-2'] }), NOW)).toMatchObject({ outcome: 'merged', next: { status: 'pending', contactIds: ['c-1', 'c-2'] } });
  });
});

describe('outbox queries', () => {
  it('merges a page’s offers in one transaction: each offer sees the ones before it', async () => {
    const outcomes = await offerOutboxEntries(db, [anOutboxOffer(), copyInB('metadata'), anOutboxOffer(), copyInB('full', ['c-3']), anOutboxOffer({ idempotencyKey: '<other@x.test>' })], NOW);
    expect(outcomes).toEqual(['queued', 'duplicate', 'seen', 'merged', 'queued']);
    expect(await getOutboxEntry(db, anOutboxOffer().idempotencyKey)).toMatchObject({ mailboxId: B, mailboxIds: [A, B], contactIds: ['c-1', 'c-3'], visibility: 'full', status: 'pending' });
    expect(await db.outbox.count()).toBe(2);
  });

  it('writes nothing of the offers when one is not valid', async () => {
    await expect(offerOutboxEntries(db, [anOutboxOffer({ idempotencyKey: '<ok@x.test>' }), anOutboxOffer({ idempotencyKey: '<bad@x.test>', contactIds: [] })], NOW)).rejects.toThrow();
    expect(await db.outbox.count()).toBe(0);
  });

  it('hands out pending writes that are due, earliest first, at most the limit', async () => {
    await putOutboxEntries(db, [
      anOutboxEntry({ idempotencyKey: '<late@x>', nextAttemptAt: 300 }),
      anOutboxEntry({ idempotencyKey: '<due@x>', nextAttemptAt: 100 }),
      anOutboxEntry({ idempotencyKey: '<now@x>', nextAttemptAt: 200 }),
      anOutboxEntry({ idempotencyKey: '<first@x>', nextAttemptAt: 50 }),
      ...(['sent', 'failed', 'undone', 'cancelled'] as const).map((status) => anOutboxEntry({ idempotencyKey: `<${status}@x>`, nextAttemptAt: 0, status })),
    ]);
    expect((await dueOutboxEntries(db, 200, 10)).map((e) => e.idempotencyKey)).toEqual(['<first@x>', '<due@x>', '<now@x>']);
    expect((await dueOutboxEntries(db, 1000, 2)).map((e) => e.idempotencyKey)).toEqual(['<first@x>', '<due@x>']);
    expect(await dueOutboxEntries(db, 49, 10)).toEqual([]);
  });

  it('reads a batch being sent in key order, and only that batch', async () => {
    await putOutboxEntries(db, [
      anOutboxEntry({ idempotencyKey: '<b@x>', batchId: 'batch-1' }),
      anOutboxEntry({ idempotencyKey: '<a@x>', batchId: 'batch-1' }),
      anOutboxEntry({ idempotencyKey: '<c@x>', batchId: 'batch-2' }),
      anOutboxEntry({ idempotencyKey: '<d@x>' }),
    ]);
    expect((await batchEntries(db, 'batch-1')).map((e) => e.idempotencyKey)).toEqual(['<a@x>', '<b@x>']);
    expect(await batchEntries(db, 'batch-9')).toEqual([]);
  });

  it('withdraws a mailbox’s copies from writes not yet done: a source less, cancelled when none is left; done writes stay', async () => {
    const shared = anOutboxEntry({ idempotencyKey: '<shared@x>', mailboxIds: [A, B], payload: pending.payload, batchId: 'batch-1' });
    const sharedFromB = anOutboxEntry({ idempotencyKey: '<shared-b@x>', mailboxId: B, mailboxIds: [B, A] });
    const only = anOutboxEntry({ idempotencyKey: '<only@x>', payload: pending.payload, batchId: 'batch-1' });
    const done = anOutboxEntry({ idempotencyKey: '<done@x>', status: 'sent', crmEmailId: 'em-1' });
    const otherMailbox = anOutboxEntry({ idempotencyKey: '<other@x>', mailboxId: C, mailboxIds: [C] });
    const untouched = anOutboxEntry({ idempotencyKey: '<untouched@x>' });
    await putOutboxEntries(db, [shared, sharedFromB, only, done, otherMailbox, untouched]);

    const keys = ['<shared@x>', '<shared-b@x>', '<only@x>', '<done@x>', '<other@x>', '<unknown@x>'];
    expect(await withdrawOutboxSources(db, A, keys)).toBe(1);

    // A's copy was the source: B's is read again at B's visibility. A batch being sent is sent as
    // it was (the CRM may have it already); the answer is applied to the entry as it is then.
    expect(await getOutboxEntry(db, '<shared@x>')).toEqual({ ...shared, mailboxId: B, mailboxIds: [B], payload: null });
    expect(await getOutboxEntry(db, '<shared-b@x>')).toEqual({ ...sharedFromB, mailboxIds: [B] });
    expect(await getOutboxEntry(db, '<only@x>')).toEqual({ ...only, status: 'cancelled', payload: null });
    expect(await getOutboxEntry(db, '<done@x>')).toEqual(done);
    expect(await getOutboxEntry(db, '<other@x>')).toEqual(otherMailbox);
    expect(await getOutboxEntry(db, '<untouched@x>')).toEqual(untouched);
    expect(await withdrawOutboxSources(db, A, [])).toBe(0);
  });

  it('keeps a write already done in the CRM when the copies of its pending update are withdrawn', async () => {
    // Sent to c-1, then another copy added c-3; that copy left the mailbox before the update was written.
    const update = { ...sent, status: 'pending' as const, contactIds: ['c-1', 'c-3'], runId: 'run-2', payload: null };
    await putOutboxEntries(db, [update]);
    expect(await withdrawOutboxSources(db, A, [update.idempotencyKey])).toBe(0);
    // The CRM still holds what was pushed: the entry says so, so an undo still deletes it (R18).
    expect(await getOutboxEntry(db, update.idempotencyKey)).toEqual({ ...sent, runId: 'run-2' });
  });
});

describe('rebuildOutboxForVisibility (R22: a visibility changed)', () => {
  const full = toCrmEmail(aMessage({ snippet: 'Hello', body: 'The whole body' }), ['c-1'], 'full', 'rep@acme-sales.test');
  const entry = (key: string, overrides: Partial<OutboxEntry> = {}) => anOutboxEntry({ idempotencyKey: key, messageId: key, providerId: key, payload: full, visibility: 'full', ...overrides });
  const stored = async (key: string) => (await getOutboxEntry(db, key))!;

  it('lowered: a pending write of this mailbox loses its content, to be read again at the new level', async () => {
    await putOutboxEntries(db, [entry('<a@x>')]);
    expect(await rebuildOutboxForVisibility(db, A, 'metadata')).toBe(1);
    expect(await stored('<a@x>')).toMatchObject({ status: 'pending', payload: null, visibility: 'metadata' });
  });

  it('lowered: a frozen batch that would carry more than the new level is released and rebuilt, the other entries of the batch with it', async () => {
    const sending = { item: full, visibility: 'full' as const };
    const other = anOutboxEntry({ idempotencyKey: '<b@x>', mailboxId: B, mailboxIds: [B], payload: full, visibility: 'full', batchId: 'batch-1', sending });
    await putOutboxEntries(db, [entry('<a@x>', { batchId: 'batch-1', sending }), other]);
    await rebuildOutboxForVisibility(db, A, 'snippet');
    expect(await stored('<a@x>')).toMatchObject({ batchId: null, sending: null, payload: null, visibility: 'snippet' });
    // Released, not rebuilt: it is not this mailbox's, and is frozen again as it is.
    expect(await stored('<b@x>')).toMatchObject({ batchId: null, sending: null, payload: full, visibility: 'full' });
    expect(await batchEntries(db, 'batch-1')).toEqual([]);
  });

  it('lowered: a frozen batch already within the new level is still replayed as it was', async () => {
    const meta = toCrmEmail(aMessage(), ['c-1'], 'metadata', 'rep@acme-sales.test');
    const sending = { item: meta, visibility: 'metadata' as const };
    await putOutboxEntries(db, [entry('<a@x>', { batchId: 'batch-1', sending })]);
    await rebuildOutboxForVisibility(db, A, 'metadata');
    // The request is the same; the entry itself follows the new level for what comes after.
    expect(await stored('<a@x>')).toMatchObject({ batchId: 'batch-1', sending, payload: null, visibility: 'metadata' });
  });

  it('lowered: a pending update that adds nothing at the new level goes back to sent as the CRM holds it', async () => {
    const pushed = { contactIds: ['c-1'], visibility: 'snippet' as const, at: NOW };
    await putOutboxEntries(db, [entry('<a@x>', { pushed, crmEmailId: 'em-1' })]);
    await rebuildOutboxForVisibility(db, A, 'snippet');
    expect(await stored('<a@x>')).toMatchObject({ status: 'sent', payload: null, visibility: 'snippet', contactIds: ['c-1'], crmEmailId: 'em-1' });
  });

  it('raised: a pending write not yet frozen is read again at the new level; a frozen batch is left as it is', async () => {
    const snippet = toCrmEmail(aMessage({ snippet: 'Hello' }), ['c-1'], 'snippet', 'rep@acme-sales.test');
    const sending = { item: snippet, visibility: 'snippet' as const };
    await putOutboxEntries(db, [entry('<a@x>', { payload: snippet, visibility: 'snippet' }), entry('<b@x>', { payload: snippet, visibility: 'snippet', batchId: 'batch-1', sending })]);
    expect(await rebuildOutboxForVisibility(db, A, 'full')).toBe(1);
    expect(await stored('<a@x>')).toMatchObject({ payload: null, visibility: 'full' });
    expect(await stored('<b@x>')).toMatchObject({ payload: snippet, visibility: 'snippet', batchId: 'batch-1' });
  });

  it("leaves writes done, writes of other mailboxes and writes whose content comes from another mailbox's copy", async () => {
    const done = entry('<s@x>', { status: 'sent', payload: null, pushed: { contactIds: ['c-1'], visibility: 'full', at: NOW } });
    const elsewhere = entry('<o@x>', { mailboxId: B, mailboxIds: [B, A] });
    const foreign = entry('<f@x>', { mailboxId: C, mailboxIds: [C] });
    await putOutboxEntries(db, [done, elsewhere, foreign]);
    expect(await rebuildOutboxForVisibility(db, A, 'metadata')).toBe(0);
    expect([await stored('<s@x>'), await stored('<o@x>'), await stored('<f@x>')]).toEqual([done, elsewhere, foreign]);
  });
});
