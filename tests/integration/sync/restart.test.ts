import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { getCheckpoint, getJob, getRun, jobId } from '@/lib/db';
import { isExcludedFolder } from '@/lib/matching/skip-rules';
import { EngineHarness } from '../../support/engine-harness';

let emulators: RunningEmulators;
const DAY = 24 * 60 * 60_000;
/** The whole seeded mailbox (400 days): several pages of 50 per folder. */
const WINDOW_DAYS = 401;
/** One page of the Outlook backfill lists every folder in one `$batch`: this is the Inbox part of each. */
const GRAPH_INBOX_WINDOW = '^/v1.0/me/mailFolders/inbox/messages$';
const PAGES_BEFORE_STOP = 1;
/** Longer than the whole test: the first worker's request is still pending when the second one has finished. */
const HANG_MS = 20_000;

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
});
afterAll(() => emulators.stop());

describe('worker restart (R13): a second engine on the same database resumes from the last committed page', () => {
  it('outlook: the first worker hangs on its 2nd page and dies; the next resumes at page 2, with no duplicate write', { timeout: 60_000 }, async () => {
    const first = new EngineHarness(emulators.urls);
    await first.setUp({ seed: 7, size: 'demo' });
    await first.google.delete('/faults');
    const mailbox = await first.connect('outlook');
    // Page 1 goes through; the 2nd page’s listing hangs, as a worker stopped mid-request would.
    await first.microsoft.fault({ path: GRAPH_INBOX_WINDOW, delayMs: 1, count: PAGES_BEFORE_STOP });
    await first.microsoft.fault({ path: GRAPH_INBOX_WINDOW, delayMs: HANG_MS });
    await first.engine.backfill(mailbox.id, { days: WINDOW_DAYS, confirmed: true });
    void first.engine.tick();
    for (let i = 0; i < 200 && (await first.microsoft.get<unknown[]>('/faults')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const atStop = await getCheckpoint(first.deps.db, mailbox.id, 'backfill');
    expect(atStop?.progress.finished).toBe(0);
    expect(atStop?.progress.done).toBeGreaterThan(0);
    expect((await getJob(first.deps.db, jobId(mailbox.id, 'backfill')))?.status).toBe('running');
    // The first worker is stuck for good, as a stopped one is: the second starts on the same database.
    const since = (await first.microsoft.requests()).at(-1)!.seq;
    const second = first.restarted();
    await second.engine.start();
    await second.settle();

    // It listed from the stored cursor: no first page again (a first page asks for the count).
    const windows = (await second.microsoft.requests(GRAPH_INBOX_WINDOW, { since })).filter((r) => r.faultId === null);
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.filter((r) => new URLSearchParams(r.query).get('$count') === 'true')).toEqual([]);
    const job = await getJob(second.deps.db, jobId(mailbox.id, 'backfill'));
    expect(job?.status).toBe('done');
    const run = await getRun(second.deps.db, job!.runId!);
    const truth = await second.truth(['support'], second.clock - WINDOW_DAYS * DAY);
    const listed = truth.verdicts.filter((v) => !isExcludedFolder(v.folder));
    // Every message counted once: the pages before the stop were not fetched again.
    expect(run?.counts.fetched).toBe(listed.length);
    expect(run?.status).toBe('succeeded');
    await second.expectCrmMatches(truth.crmEmails);
    // Only now is the stuck worker let go (its request aborted), so the test leaves nothing running.
    await first.engine.cancel(jobId(mailbox.id, 'backfill'));
    await first.engine.idle();
  });
});
