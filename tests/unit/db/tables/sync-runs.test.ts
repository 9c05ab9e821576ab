import { beforeEach, describe, expect, it } from 'vitest';
import { addRun, addRunCounts, emptyCounts, finishRun, getRun, type MailboxCrmDatabase, runsOf, sumCounts } from '@/lib/db';
import { providerError } from '@/lib/domain';
import { aSyncRun } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});
const noCounts = emptyCounts();

describe('sync run queries (R17)', () => {
  it('lists the runs of one mailbox newest first', async () => {
    await addRun(db, aSyncRun({ id: 'old', startedAt: 1 }));
    await addRun(db, aSyncRun({ id: 'new', startedAt: 3 }));
    await addRun(db, aSyncRun({ id: 'other', startedAt: 2, mailboxId: 'outlook:other@acme-sales.test' }));
    expect((await runsOf(db, aSyncRun().mailboxId)).map((r) => r.id)).toEqual(['new', 'old']);
    await expect(addRun(db, aSyncRun({ id: 'old' }))).rejects.toThrow();
  });

  it('adds counts reason by reason and contact by contact, and finishes a run with its error', async () => {
    expect(
      sumCounts(
        { ...noCounts, fetched: 1, skipped: { bulk: 1 }, contacts: { 'c-1': 1 } },
        { ...noCounts, fetched: 2, errors: 1, skipped: { bulk: 2, no_contact: 1 }, contacts: { 'c-1': 2, 'c-2': 1 } },
      ),
    ).toEqual({
      ...noCounts,
      fetched: 3,
      errors: 1,
      skipped: { bulk: 3, no_contact: 1 },
      contacts: { 'c-1': 3, 'c-2': 1 },
    });
    await addRun(db, aSyncRun());
    await addRunCounts(db, 'run-1', { ...noCounts, pushed: 2 });
    const error = providerError('quota_exhausted', 'gmail').toJSON();
    const finished = await finishRun(db, 'run-1', { status: 'failed', finishedAt: 99, error });
    expect(finished).toEqual({ ...aSyncRun(), counts: { ...noCounts, pushed: 2 }, status: 'failed', finishedAt: 99, error });
    expect(await getRun(db, 'run-1')).toEqual(finished);
    await expect(finishRun(db, 'nope', { status: 'cancelled', finishedAt: 1, error: null })).rejects.toThrow(/not recorded/);
  });
});
