import { beforeEach, describe, expect, it } from 'vitest';
import { commitPage, emptyCounts, getCheckpoint, getOutboxEntry, getRun, type MailboxCrmDatabase, type PageCommit, putMailbox, putOutboxEntries, seqOf } from '@/lib/db';
import { aMailbox, aMessage, anOutboxEntry, anOutboxOffer, aSyncRun, aVerdict } from '../../fixtures/domain';
import { useFreshDatabase } from '../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
const mailboxId = aMailbox().id;
const noCounts = emptyCounts();

beforeEach(async () => {
  db = database();
  await putMailbox(db, aMailbox());
  await db.syncRuns.add(aSyncRun());
});

/** Page `n` of a backfill: two messages, one pushed and one skipped, one CRM write, and the cursor to page `n + 1`. */
function page(n: number, fromSeq: number, overrides: Partial<PageCommit> = {}): PageCommit {
  return {
    mailboxId,
    job: 'backfill',
    fromSeq,
    cursor: `page-${n + 1}`,
    progress: { done: n * 2 },
    messages: [aMessage({ providerId: `p${n}-a` }), aMessage({ providerId: `p${n}-b` })],
    verdicts: [aVerdict({ providerId: `p${n}-a`, key: `<key-${n}>` }), aVerdict({ providerId: `p${n}-b`, key: `<bulk-${n}>`, reason: 'bulk' })],
    outbox: [anOutboxOffer({ idempotencyKey: `<key-${n}>`, providerId: `p${n}-a` })],
    removed: [],
    runId: 'run-1',
    counts: { ...noCounts, fetched: 2, matched: 1, skipped: { bulk: 1 }, contacts: { 'c-1': 1 } },
    ...overrides,
  };
}

/** Everything a page commit writes, to compare before and after a refused or failed one. */
async function snapshot() {
  return {
    messages: await db.messages.toArray(),
    verdicts: await db.verdicts.toArray(),
    outbox: await db.outbox.toArray(),
    run: await getRun(db, 'run-1'),
    checkpoint: await getCheckpoint(db, mailboxId, 'backfill'),
  };
}

describe('commitPage (R13)', () => {
  it('commits messages, verdicts, outbox entries, run counts and the cursor together, page after page', async () => {
    const first = await commitPage(db, page(1, 0), 1000);
    expect(first).toEqual({
      committed: true,
      outcomes: ['queued'],
      checkpoint: { mailboxId, job: 'backfill', cursor: 'page-2', progress: { done: 2 }, seq: 1, updatedAt: 1000 },
    });
    const second = await commitPage(db, page(2, seqOf(await getCheckpoint(db, mailboxId, 'backfill'))), 2000);
    expect(second).toMatchObject({ committed: true, checkpoint: { cursor: 'page-3', seq: 2, updatedAt: 2000 } });

    expect((await db.messages.toArray()).map((m) => m.providerId)).toEqual(['p1-a', 'p1-b', 'p2-a', 'p2-b']);
    // Messages are kept as metadata only (R23): the snippet travels in the outbox payload alone.
    expect((await db.messages.toArray()).every((m) => m.snippet === null && m.body === null)).toBe(true);
    expect((await db.verdicts.toArray()).map((v) => [v.providerId, v.reason])).toEqual([
      ['p1-a', null],
      ['p1-b', 'bulk'],
      ['p2-a', null],
      ['p2-b', 'bulk'],
    ]);
    expect((await db.outbox.toArray()).map((e) => e.idempotencyKey)).toEqual(['<key-1>', '<key-2>']);
    expect(await getOutboxEntry(db, '<key-1>')).toMatchObject({ status: 'pending', payload: { snippet: 'Here is the signed quote' }, createdAt: 1000 });
    expect((await getRun(db, 'run-1'))?.counts).toEqual({ ...noCounts, fetched: 4, matched: 2, skipped: { bulk: 2 }, contacts: { 'c-1': 2 } });
  });

  it('forgets the messages that left, with their verdicts, and withdraws their writes not yet done, in the same commit', async () => {
    await commitPage(db, page(1, 0));
    // A copy in another mailbox keeps `<shared>` going; `<key-1>` has no other source.
    await putOutboxEntries(db, [anOutboxEntry({ idempotencyKey: '<shared>', providerId: 'p1-b', mailboxIds: [mailboxId, 'outlook:other@acme-sales.test'] })]);
    const result = await commitPage(
      db,
      page(2, 1, {
        removed: [
          { providerId: 'p1-a', key: '<key-1>' },
          { providerId: 'p1-b', key: '<shared>' },
          { providerId: 'never-seen', key: null },
        ],
      }),
    );
    expect(result).toMatchObject({ committed: true });
    expect((await db.messages.toArray()).map((m) => m.providerId)).toEqual(['p2-a', 'p2-b']);
    expect((await db.verdicts.toArray()).map((v) => v.providerId)).toEqual(['p2-a', 'p2-b']);
    expect(await getOutboxEntry(db, '<key-1>')).toMatchObject({ status: 'cancelled' });
    expect(await getOutboxEntry(db, '<shared>')).toMatchObject({ status: 'pending', mailboxId: 'outlook:other@acme-sales.test', mailboxIds: ['outlook:other@acme-sales.test'] });
  });

  it('counts offers that repeat another mailbox’s write as duplicates of the run (R15, R17)', async () => {
    const other = 'outlook:other@acme-sales.test';
    await putOutboxEntries(db, [anOutboxEntry({ idempotencyKey: '<key-1>', mailboxId: other, mailboxIds: [other], status: 'sent', crmEmailId: 'em-1' })]);
    const result = await commitPage(db, page(1, 0, { counts: { ...page(1, 0).counts, duplicates: 2 } }));
    expect(result).toMatchObject({ committed: true, outcomes: ['duplicate'] });
    expect((await getRun(db, 'run-1'))?.counts.duplicates).toBe(3);
    expect(await getOutboxEntry(db, '<key-1>')).toMatchObject({ status: 'sent', mailboxIds: [other, mailboxId] });
    // Reading the same page's copy again is no duplicate of the run.
    expect(await commitPage(db, page(1, 1))).toMatchObject({ committed: true, outcomes: ['seen'] });
    expect((await getRun(db, 'run-1'))?.counts.duplicates).toBe(3);
  });

  it('writes nothing of a page whose write fails midway: the job resumes from the checkpoint before it', async () => {
    await commitPage(db, page(1, 0));
    const before = await snapshot();
    // The outbox write comes after the checkpoint, the removals, the messages and the verdicts of the page.
    db.outbox.hook('creating', () => {
      throw new Error('QuotaExceededError: the disk is full');
    });
    await expect(commitPage(db, page(2, 1, { removed: [{ providerId: 'p1-a', key: '<key-1>' }] }))).rejects.toThrow('the disk is full');
    expect(await snapshot()).toEqual(before);
  });

  it('writes nothing of a page whose run counts cannot be added, the last write of the page', async () => {
    await commitPage(db, page(1, 0));
    const before = await snapshot();
    await expect(commitPage(db, page(2, 1, { removed: [{ providerId: 'p1-a', key: '<key-1>' }], counts: { ...noCounts, fetched: 0.5 } }))).rejects.toThrow();
    expect(await snapshot()).toEqual(before);
  });

  it('writes nothing of a page with a verdict that is not valid', async () => {
    const before = await snapshot();
    await expect(commitPage(db, page(1, 0, { verdicts: [aVerdict({ providerId: 'p1-a' }), aVerdict({ providerId: 'p1-b', key: '' })] }))).rejects.toThrow();
    expect(await snapshot()).toEqual(before);
  });

  it('writes nothing of a page with a message that is not valid', async () => {
    const before = await snapshot();
    const broken = page(1, 0, { messages: [aMessage({ providerId: 'ok' }), aMessage({ providerId: 'bad', date: Number.NaN })] });
    await expect(commitPage(db, broken)).rejects.toThrow();
    expect(await snapshot()).toEqual(before);
  });

  it('never moves the cursor back: a page read from an older checkpoint is refused whole', async () => {
    await commitPage(db, page(1, 0));
    await commitPage(db, page(2, 1));
    const before = await snapshot();
    // A second worker (or a retry after a lost answer) read page 2 again from checkpoint 1.
    const late = await commitPage(db, page(2, 1, { cursor: 'page-3-again', messages: [aMessage({ providerId: 'late' })] }));
    expect(late).toEqual({ committed: false, reason: 'stale_checkpoint', checkpoint: before.checkpoint });
    // A job that started with no checkpoint is older than any stored one.
    expect(await commitPage(db, page(9, 0))).toMatchObject({ committed: false, reason: 'stale_checkpoint' });
    // A seq the database never gave out is no state the page can be from either.
    expect(await commitPage(db, page(9, 7))).toMatchObject({ committed: false, reason: 'stale_checkpoint' });
    expect(await snapshot()).toEqual(before);
    expect(before.checkpoint).toMatchObject({ cursor: 'page-3', seq: 2 });
  });

  it('refuses a page of a mailbox disconnected meanwhile, so its data does not come back', async () => {
    await db.mailboxes.delete(mailboxId);
    const before = await snapshot();
    expect(await commitPage(db, page(1, 0))).toEqual({ committed: false, reason: 'mailbox_gone', checkpoint: undefined });
    expect(await snapshot()).toEqual(before);
  });

  it('keeps an outbox entry already sent: the same copy read again is not reset to pending', async () => {
    const sent = anOutboxEntry({ idempotencyKey: '<key-1>', status: 'sent', attempts: 1, crmEmailId: 'em-9', pushed: { contactIds: ['c-1'], visibility: 'snippet', at: 1 } });
    await putOutboxEntries(db, [sent]);
    const result = await commitPage(db, page(1, 0, { outbox: [anOutboxOffer({ idempotencyKey: '<key-1>' }), anOutboxOffer({ idempotencyKey: '<key-new>' })] }));
    expect(result).toMatchObject({ committed: true, outcomes: ['seen', 'queued'] });
    expect(await getOutboxEntry(db, '<key-1>')).toEqual(sent);
  });

  it('refuses a page carrying another mailbox’s rows, or counting towards a run that is not recorded or not its own', async () => {
    const before = await snapshot();
    await expect(commitPage(db, page(1, 0, { messages: [aMessage({ mailboxId: 'outlook:other@acme-sales.test' })] }))).rejects.toThrow(/carries a row of outlook:other/);
    await expect(commitPage(db, page(1, 0, { verdicts: [aVerdict({ mailboxId: 'outlook:other@acme-sales.test' })] }))).rejects.toThrow(/carries a row of outlook:other/);
    await expect(commitPage(db, page(1, 0, { outbox: [anOutboxOffer({ mailboxId: 'outlook:other@acme-sales.test' })] }))).rejects.toThrow(/carries a row of outlook:other/);
    await expect(commitPage(db, page(1, 0, { runId: 'run-unknown' }))).rejects.toThrow(/not recorded/);
    await db.syncRuns.add(aSyncRun({ id: 'run-other', mailboxId: 'outlook:other@acme-sales.test' }));
    await expect(commitPage(db, page(1, 0, { runId: 'run-other' }))).rejects.toThrow(/not a run of/);
    expect(await snapshot()).toEqual(before);
    expect((await getRun(db, 'run-other'))?.counts).toEqual(noCounts);
  });
});
