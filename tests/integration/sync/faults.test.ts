import { describe, expect, it } from 'vitest';
import { getCheckpoint, getJob, jobId } from '@/lib/db';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const DAY = 24 * 60 * 60_000;
const HOUR = 60 * 60_000;
const WINDOW_DAYS = 60;

/** A Gmail list request, a message or thread read (alone or as a batch part), and history. */
const GMAIL_LIST = '^/gmail/v1/users/me/messages$';
const GMAIL_READ = '^/gmail/v1/users/me/(messages|threads)/[^/]+$';
const GMAIL_HISTORY = '^/gmail/v1/users/me/history$';
const GRAPH_WINDOW = '^/v1.0/me/mailFolders/(inbox|sentitems)/messages$';
const CRM_BATCH = '^/public/v1/emails/batch$';

useEngineHarness(7, (harness) => {
  h = harness;
});

/** Every injected fault answered a request (none is left waiting for one). */
async function expectFaultsUsed(ids: readonly number[]): Promise<void> {
  expect(await h.google.get<unknown[]>('/faults')).toEqual([]);
  const answered = new Set([...(await h.google.requests()), ...(await h.microsoft.requests()), ...(await h.crm.requests())].map((r) => r.faultId));
  expect(ids.filter((id) => !answered.has(id))).toEqual([]);
}

/** New mail from a CRM contact to `to`, through the emulator's delivery route. */
async function deliverFromContact(service: 'google' | 'microsoft', to: string, subject: string): Promise<string> {
  const truth = await h.truth([to === 'riley@acme-sales.test' ? 'riley' : 'support']);
  const pushed = truth.verdicts.find((v) => v.push && v.contactIds.length > 0)!;
  const admin = service === 'google' ? h.google : h.microsoft;
  const from = await contactAddress(pushed.contactIds[0]!);
  const { id } = await admin.post<{ id: string }>(`/${service}/deliver`, { from, to, subject, body: `Body of ${subject}` });
  return id;
}

/** The first address of a CRM contact, as the extension's mirror holds it. */
async function contactAddress(contactId: string): Promise<string> {
  const contacts = await h.deps.db.contacts.get(contactId);
  return contacts!.emails[0]!;
}

describe('faults injected throughout a backfill and the syncs after it: the CRM still ends with exactly the expected set', () => {
  it('Gmail: 429 with and without Retry-After, 5xx, dropped connections, on listing, reads and CRM writes; long waits persisted, not slept', { timeout: 120_000 }, async () => {
    const mailbox = await h.connect('gmail');
    const ids = [
      // A 429 that names a wait longer than a worker may sleep: persisted at once.
      await h.google.fault({ path: GMAIL_LIST, status: 429, reason: 'rateLimitExceeded', retryAfter: 120 }),
      // 429s with no Retry-After, more than the in-memory retries: the engine's own wait, persisted.
      await h.google.fault({ path: GMAIL_LIST, status: 429, reason: 'rateLimitExceeded', retryAfter: null, count: 5 }),
      // 5xx and dropped connections on reads (batch parts and whole requests): retried in memory.
      await h.google.fault({ path: GMAIL_READ, status: 503, retryAfter: null, count: 3 }),
      await h.google.fault({ path: GMAIL_READ, status: 500, count: 2 }),
      await h.google.fault({ path: '^/batch/gmail/v1$', drop: true, count: 1 }),
      // 5xx on the listing, more than the in-memory retries: a counted failure with backoff.
      await h.google.fault({ path: GMAIL_LIST, status: 500, count: 5 }),
      // The CRM's writes: dropped, then a 429 with a long wait, then 5xx.
      await h.crm.fault({ path: CRM_BATCH, drop: true, count: 1 }),
      await h.crm.fault({ path: CRM_BATCH, status: 429, retryAfter: 300, count: 1 }),
      await h.crm.fault({ path: CRM_BATCH, status: 502, count: 5 }),
    ];
    const startClock = h.clock;
    const startReal = Date.now();
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    await h.settle();
    await expectFaultsUsed(ids);
    // Incremental sync through history faults as well, with new mail to find.
    const later = [await h.google.fault({ path: GMAIL_HISTORY, status: 429, retryAfter: 90 }), await h.google.fault({ path: GMAIL_HISTORY, drop: true, count: 2 })];
    await deliverFromContact('google', mailbox.address, 'Faulty week');
    h.clock += 60_000;
    await h.settle();
    await expectFaultsUsed(later);

    const truth = await h.truth(['riley'], startClock - WINDOW_DAYS * DAY);
    expect(truth.crmEmails.length).toBeGreaterThan(5);
    await h.expectCrmMatches(truth.crmEmails);
    // The waits were persisted (jobs `waiting` until a later time) and skipped by moving the clock.
    const backfillWaits = h.waits.filter((w) => w.jobId === jobId(mailbox.id, 'backfill') && w.status === 'waiting');
    expect(backfillWaits.map((w) => w.code)).toEqual(expect.arrayContaining(['rate_limited', 'server']));
    expect(backfillWaits.some((w) => w.notBefore - w.at >= 120_000)).toBe(true);
    expect(h.waits.some((w) => w.jobId === jobId('crm', 'outbox') && w.notBefore - w.at >= 300_000)).toBe(true);
    expect(h.waits.some((w) => w.jobId === jobId(mailbox.id, 'incremental') && w.code === 'rate_limited')).toBe(true);
    expect(h.clock - startClock).toBeGreaterThanOrEqual(120_000 + 300_000);
    expect(Date.now() - startReal).toBeLessThan(60_000);
  });

  it('Outlook: a CRM outage across many scheduler ticks is waited out, persisted, then the outbox drains', { timeout: 120_000 }, async () => {
    const mailbox = await h.connect('outlook');
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    const started = h.clock;
    // The CRM goes down once the backfill's first page is committed (after its contact refresh).
    h.onProgress = async (update) => {
      if (update.jobId !== jobId(mailbox.id, 'backfill')) return;
      h.onProgress = null;
      await h.crm.post('/crm/down', { down: true });
    };
    // Scheduler ticks at most 5 minutes apart for over an hour; each CRM attempt happens only when its persisted wait is over.
    let ticks = 0;
    while (h.clock - started < HOUR + 10 * 60_000) {
      const next = await h.round();
      ticks++;
      expect(next).not.toBeNull();
      h.clock = Math.min(Math.max(h.clock, next!), h.clock + 5 * 60_000);
    }
    expect(ticks).toBeGreaterThan(12);
    // Incremental sync went on meanwhile: mail keeps flowing into the outbox while the CRM is away.
    expect((await h.deps.db.mailboxes.get(mailbox.id))?.lastSyncedAt).toBeGreaterThan(started + HOUR);
    // Down all along: nothing written, the mail safely in the outbox, the mailbox fine.
    expect(await h.crmEmails()).toEqual([]);
    expect(await getJob(h.deps.db, jobId('crm', 'outbox'))).toMatchObject({ status: 'waiting' });
    expect((await h.deps.db.mailboxes.get(mailbox.id))?.status).toBe('connected');
    expect((await getCheckpoint(h.deps.db, mailbox.id, 'backfill'))?.progress.finished).toBe(1);
    const outboxWaits = h.waits.filter((w) => w.jobId === jobId('crm', 'outbox'));
    expect(outboxWaits.length).toBeGreaterThan(3);
    // Backoff grows to its cap and never gives up.
    expect(Math.max(...outboxWaits.map((w) => w.notBefore - w.at))).toBeGreaterThanOrEqual(30 * 60_000);
    await h.crm.post('/crm/down', { down: false });
    await h.settle();
    const truth = await h.truth(['support'], started - WINDOW_DAYS * DAY);
    expect(truth.crmEmails.length).toBeGreaterThan(5);
    await h.expectCrmMatches(truth.crmEmails);
  });

  it('Gmail: history 404 (startHistoryId too old) falls back to a re-sync bounded by the last sync, not the whole window', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    await h.settle();
    const lastSync = (await h.deps.db.mailboxes.get(mailbox.id))!.lastSyncedAt!;
    await deliverFromContact('google', mailbox.address, 'After the cursor expired');
    await h.google.post('/expire', { what: 'history', user: 'riley' });
    const since = (await h.google.requests()).at(-1)?.seq ?? 0;
    h.clock += 60_000;
    await h.settle();
    const requests = await h.google.requests(undefined, { since });
    expect(requests.filter((r) => r.path.endsWith('/history')).map((r) => r.status)).toContain(404);
    const lists = requests.filter((r) => new RegExp(GMAIL_LIST).test(r.path));
    expect(lists.length).toBeGreaterThan(0);
    for (const list of lists) {
      const after = Number(new URLSearchParams(list.query).get('q')?.replace('after:', ''));
      expect(after * 1000).toBeGreaterThanOrEqual(lastSync - HOUR - 1000);
    }
    const truth = await h.truth(['riley'], h.clock - WINDOW_DAYS * DAY - 60_000);
    await h.expectCrmMatches(truth.crmEmails);
  });

  it('Outlook: delta 410 falls back to a re-sync bounded by the last sync', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('outlook');
    await h.engine.backfill(mailbox.id, { days: WINDOW_DAYS });
    await h.settle();
    const lastSync = (await h.deps.db.mailboxes.get(mailbox.id))!.lastSyncedAt!;
    await deliverFromContact('microsoft', mailbox.address, 'After the delta expired');
    await h.microsoft.post('/expire', { what: 'delta', user: 'support' });
    const since = (await h.microsoft.requests()).at(-1)?.seq ?? 0;
    h.clock += 60_000;
    await h.settle();
    const requests = await h.microsoft.requests(undefined, { since });
    expect(requests.filter((r) => r.path.endsWith('/delta')).map((r) => r.status)).toContain(410);
    const windows = requests.filter((r) => new RegExp(GRAPH_WINDOW).test(r.path));
    expect(windows.length).toBeGreaterThan(0);
    for (const window of windows) {
      const filter = new URLSearchParams(window.query).get('$filter') ?? '';
      const from = Date.parse(/receivedDateTime ge (\S+)/.exec(filter)![1]!);
      expect(from).toBeGreaterThanOrEqual(lastSync - HOUR - 1000);
    }
    const truth = await h.truth(['support'], h.clock - WINDOW_DAYS * DAY - 60_000);
    await h.expectCrmMatches(truth.crmEmails);
  });
});
