import type { CDPSession } from '@playwright/test';
import { crmMismatches } from '../support/crm-expectations';
import { admin, call, connectRileyAndCrm, crmEmails, DAY_MS, jobs, markMatchingVerified, playwrightPage, rileyTruth, until } from './engine-steps';
import { expect, test } from './fixtures';

/** The backfill window: 180 days of riley's mail in the 10k world, about 2,200 messages in 5 pages. */
const DAYS = 180;
const STOPS = { backfill: 6, drain: 3 };

const randomMs = (from: number, to: number) => from + Math.floor(Math.random() * (to - from));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.afterEach(async () => {
  // The other specs keep the demo world and a CRM that is up.
  await admin.post('/crm/down', { down: false });
  await admin.post('/reset', { seed: 1, size: 'demo' });
});

test('the worker stopped at random points of a backfill and of an outbox drain resumes each time, and the CRM ends with exactly the expected set (R13, R15)', async ({ context, extensionId }) => {
  test.setTimeout(240_000);
  await admin.post('/reset', { seed: 1, size: '10k' });
  const tab = await context.newPage();
  await tab.goto(`chrome-extension://${extensionId}/options.html`);
  const page = playwrightPage(tab);
  const mailboxId = await connectRileyAndCrm(page);
  await markMatchingVerified(page, mailboxId);

  // Stops go through the DevTools protocol; the worker's running states prove each one happened.
  const cdp: CDPSession = await context.newCDPSession(tab);
  const stopped: number[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    if (versions.some((v) => v.runningStatus === 'stopped')) stopped.push(Date.now());
  });
  await cdp.send('ServiceWorker.enable');
  const stops: { phase: 'backfill' | 'drain'; afterMs: number; progress: number }[] = [];
  /**
   * Stops the worker at random points while `finished()` is false, waking it each time with a
   * message. A stop comes a random 0.2–`maxMs` s after the previous wake; after two stops without
   * progress (a page or a batch lost each time) the next waits for progress first, so the work
   * cannot be starved by the stops themselves.
   */
  async function stopAtRandom(phase: 'backfill' | 'drain', maxMs: number, progress: () => Promise<number>, finished: () => Promise<boolean>) {
    let last = await progress();
    let idle = 0;
    while (!(await finished())) {
      if (idle >= 2) {
        const before = last;
        last = await until(`progress of the ${phase}`, async () => ((await progress()) > before || (await finished()) ? progress() : undefined), 60_000);
        idle = 0;
        continue;
      }
      const afterMs = randomMs(200, maxMs);
      await sleep(afterMs);
      if (await finished()) break;
      const before = stopped.length;
      await cdp.send('ServiceWorker.stopAllWorkers');
      await until('the worker to stop', async () => (stopped.length > before ? true : undefined), 5000, 20);
      await jobs(page);
      const now = await progress();
      stops.push({ phase, afterMs, progress: now });
      idle = now > last ? 0 : idle + 1;
      last = now;
    }
  }

  const since = Date.now() - DAYS * DAY_MS;
  await call(page, 'backfill', { mailboxId, days: DAYS, confirmed: true });
  const backfillJob = `${mailboxId}/backfill`;
  const backfill = async () => {
    const state = await jobs(page);
    const job = state.jobs.find((j) => j.id === backfillJob);
    expect(job?.status).not.toBe('failed');
    return { done: job?.status === 'done', pages: state.progress.find((p) => p.jobId === backfillJob)?.done ?? 0 };
  };
  // Once the first page is committed (the contact mirror was read before it), the CRM goes down:
  // from then on every push fails and the outbox fills.
  await until('the first page of the backfill', async () => ((await backfill()).pages > 0 ? true : undefined), 60_000);
  await admin.post('/crm/down', { down: true });
  await stopAtRandom('backfill', 4000, async () => (await backfill()).pages, async () => (await backfill()).done);
  expect(stops.filter((s) => s.phase === 'backfill').length).toBeGreaterThanOrEqual(STOPS.backfill);

  const truth = await rileyTruth(since);
  const pushedDuringBackfill = (await crmEmails()).length;
  // Many writes wait for the drain: several batches of 100.
  expect(truth.crmEmails.length - pushedDuringBackfill).toBeGreaterThan(200);

  // The CRM is back, and each batch takes a while, so stops land inside batches too. The outbox
  // waits out its persisted backoff (a minute after the first failure); the user's "Sync now"
  // does not cut that short, so the test cancels the wait and lets the next tick queue a drain.
  await admin.post('/crm/down', { down: false });
  await admin.post('/crm/slow-writes', { path: '^/public/v1/emails/batch$', method: 'POST', delayMs: 1000, count: 40 });
  await call(page, 'cancelJob', { jobId: 'crm/outbox' });
  await call(page, 'syncNow', { mailboxId });
  const pushed = async () => (await crmEmails()).length;
  await stopAtRandom('drain', 2500, pushed, async () => (await pushed()) >= truth.crmEmails.length);
  expect(stops.filter((s) => s.phase === 'drain').length).toBeGreaterThanOrEqual(STOPS.drain);
  expect(stops.length).toBeGreaterThanOrEqual(10);
  expect(stopped.length).toBeGreaterThanOrEqual(stops.length);

  // Left alone now (the page only reads the jobs), the drain finishes.
  await until(
    'the outbox to drain',
    async () => {
      const { jobs: now } = await jobs(page);
      return (await pushed()) >= truth.crmEmails.length && now.every((j) => !['queued', 'running', 'waiting'].includes(j.status) || j.kind === 'incremental') ? true : undefined;
    },
    90_000,
    1000,
  );
  const mismatches = crmMismatches(await crmEmails(), (await rileyTruth(since)).crmEmails);
  expect(mismatches).toEqual({ missing: [], extra: [], wrong: [] });
  test.info().annotations.push({ type: 'stops', description: JSON.stringify({ stops, expected: truth.crmEmails.length, pushedDuringBackfill }) });
});
