import type { JobProgress } from '../../lib/domain';
import { crmMismatches } from '../support/crm-expectations';
import { CdpBrowser } from './cdp-browser';
import { admin, call, connectRileyAndCrm, crmEmails, DAY_MS, markMatchingVerified, rileyTruth, until } from './engine-steps';
import { expect, test } from './fixtures';

/** A world where riley's last 365 days hold about 5,000 messages: over a minute at Gmail's 250 units/s. */
const WORLD = { seed: 1, size: 12_000 };
const DAYS = 365;

test.afterEach(async () => {
  await admin.post('/reset', { seed: 1, size: 'demo' });
});

test('a backfill longer than a minute completes without help: its own extension API calls keep the worker alive (R10, R13)', async () => {
  test.setTimeout(300_000);
  await admin.post('/reset', WORLD);
  // Not Playwright's browser: Playwright attaches DevTools to the worker, and Chrome never stops
  // a worker with DevTools attached. This browser attaches to the page only, like a user's.
  const browser = await CdpBrowser.launch();
  try {
    const page = await browser.openExtensionPage(await browser.extensionId(), 'options.html');
    const mailboxId = await connectRileyAndCrm(page);
    await markMatchingVerified(page, mailboxId);
    // The engine's 30 s tick alarm would wake (or keep awake) the worker on its own; without it,
    // only what the backfill does can keep the worker from its 30 s idle stop.
    expect(await page.evaluate(() => chrome.alarms.clear('engine-tick'), undefined)).toBe(true);
    // The control: once connecting's work is done, with no alarm, the worker stops after ~30 s
    // idle. This browser enforces the idle timeout the backfill below is kept through.
    await until('the idle worker to stop', async () => (browser.workerStates.some((s) => s.status === 'stopped') ? true : undefined), 90_000, 500);

    const since = Date.now() - DAYS * DAY_MS;
    const sentAt = Date.now();
    // The last message to the worker; from here on the page only reads session storage.
    await call(page, 'backfill', { mailboxId, days: DAYS, confirmed: true });
    const startsAtBackfill = browser.workerStarts();
    const jobId = `${mailboxId}/backfill`;
    const writes: JobProgress[] = [];
    const progress = () => page.evaluate((key) => chrome.storage.session.get('jobProgress').then((items) => (items.jobProgress as Record<string, JobProgress> | undefined)?.[key] ?? null), jobId);
    await until(
      'the backfill to finish',
      async () => {
        const now = await progress();
        if (now && now.updatedAt !== writes.at(-1)?.updatedAt) writes.push(now);
        // Its progress is cleared when the job ends.
        return writes.length > 0 && now === null ? true : undefined;
      },
      240_000,
      200,
    );
    const last = writes.at(-1)!;
    const truth = await rileyTruth(since);
    await until('the outbox to drain', async () => ((await crmEmails()).length >= truth.crmEmails.length ? true : undefined), 60_000, 500);
    expect(crmMismatches(await crmEmails(), truth.crmEmails)).toEqual({ missing: [], extra: [], wrong: [] });

    // It ran for more than a minute (the last write seen is a lower bound; the CRM check above
    // shows it went to the end), with a progress write at least every 20 s, and the worker never
    // stopped: no start after the one that served the backfill message.
    const ranMs = last.updatedAt - sentAt;
    const gaps = writes.slice(1).map((w, i) => w.updatedAt - writes[i]!.updatedAt);
    expect(ranMs).toBeGreaterThan(60_000);
    expect(Math.max(...gaps)).toBeLessThan(20_000);
    const during = browser.workerStates.filter((s) => s.at >= sentAt - browser.launchedAt && s.at <= last.updatedAt - browser.launchedAt + 1000);
    expect(during.filter((s) => s.status === 'stopping' || s.status === 'stopped')).toEqual([]);
    // Two starts in all: the browser's, and the one the backfill message caused after the control stop.
    expect(startsAtBackfill).toBe(2);
    expect(browser.workerStarts()).toBe(startsAtBackfill);

    test.info().annotations.push({
      type: 'long backfill',
      description: JSON.stringify({ ranMs, messages: last.done, progressWrites: writes.length, maxGapMs: Math.max(...gaps), crmEmails: truth.crmEmails.length, workerStates: browser.workerStates }),
    });
  } finally {
    await browser.close();
  }
});
