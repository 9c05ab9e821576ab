import { describe, expect, it } from 'vitest';
import { engineOf } from '@/lib/background/engine';
import { createHandlers } from '@/lib/background/handlers';
import { getJob, getRun, type Job, jobId, unfinishedJobs } from '@/lib/db';
import type { JobProgress } from '@/lib/domain';
import { isExcludedFolder } from '@/lib/matching/skip-rules';
import { INCREMENTAL_EVERY_MS } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const DAY = 24 * 60 * 60_000;
/** The whole seeded mailbox (400 days): several Outlook window pages of 50 per folder. */
const WHOLE_DAYS = 401;
/** Every folder's part of an Outlook window page (a `$batch` part each). */
const GRAPH_WINDOW = /^\/v1\.0\/me\/mailFolders\/[^/]+\/messages$/;
const CRM_BATCH = '^/public/v1/emails/batch$';

useEngineHarness(7, (harness) => {
  h = harness;
});

/** The answer is a job, not a request for confirmation. */
function asJob(answer: Job | { confirm: unknown }): Job {
  if ('confirm' in answer) throw new Error(`expected a job, got ${JSON.stringify(answer)}`);
  return answer;
}

describe('cancel (R10): what a backfill committed stays, and it stops where it stands', () => {
  it('outlook: cancelled after its first committed page, it ends cancelled, keeps and pushes page 1, lists no further page', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('outlook');
    const id = jobId(mailbox.id, 'backfill');
    let cancelledAfterSeq: number | null = null;
    h.onProgress = async (update) => {
      if (update.jobId !== id || cancelledAfterSeq !== null) return;
      await h.engine.cancel(id);
      cancelledAfterSeq = (await h.microsoft.requests()).at(-1)!.seq;
    };
    await h.engine.backfill(mailbox.id, { days: WHOLE_DAYS, confirmed: true });
    await h.settle();

    expect(cancelledAfterSeq).not.toBeNull();
    const job = await getJob(h.deps.db, id);
    expect(job?.status).toBe('cancelled');
    const run = await getRun(h.deps.db, job!.runId!);
    expect(run?.status).toBe('cancelled');
    // Page 1 only: fewer than the window holds, and every one of them stored with its verdict.
    const truth = await h.truth(['support'], h.clock - WHOLE_DAYS * DAY);
    const listed = truth.verdicts.filter((v) => !isExcludedFolder(v.folder));
    const stored = await h.deps.db.verdicts.where('mailboxId').equals(mailbox.id).toArray();
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(listed.length);
    expect(run?.counts.fetched).toBe(stored.length);
    expect(await h.deps.db.messages.where('mailboxId').equals(mailbox.id).count()).toBe(stored.length);
    // Their CRM writes were pushed, and only theirs.
    const pushedKeys = new Set(stored.filter((v) => v.reason === null).map((v) => v.key));
    expect(pushedKeys.size).toBeGreaterThan(0);
    await h.expectCrmMatches(truth.crmEmails.filter((e) => pushedKeys.has(e.key)));
    // No window page was asked for after the cancel.
    expect(await h.microsoft.requests(GRAPH_WINDOW, { since: cancelledAfterSeq! })).toEqual([]);
  });

  it('outlook: cancelled while its second page is being listed, the request is cut short and the job ends cancelled at once', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('outlook');
    const id = jobId(mailbox.id, 'backfill');
    const inbox = '^/v1.0/me/mailFolders/inbox/messages$';
    // Page 1 goes through; page 2's listing would hang far longer than this test may take.
    await h.microsoft.fault({ path: inbox, delayMs: 1, count: 1 });
    await h.microsoft.fault({ path: inbox, delayMs: 30_000 });
    await h.engine.backfill(mailbox.id, { days: WHOLE_DAYS, confirmed: true });
    const running = h.engine.tick();
    for (let i = 0; i < 300 && (await h.microsoft.get<unknown[]>('/faults')).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await h.microsoft.get<unknown[]>('/faults')).toEqual([]);
    const before = await h.deps.db.verdicts.where('mailboxId').equals(mailbox.id).count();
    expect(before).toBeGreaterThan(0);
    const since = (await h.microsoft.requests()).at(-1)!.seq;

    const started = Date.now();
    await h.engine.cancel(id);
    await running;
    await h.engine.idle();
    expect(Date.now() - started).toBeLessThan(10_000);
    const job = await getJob(h.deps.db, id);
    expect(job?.status).toBe('cancelled');
    expect((await getRun(h.deps.db, job!.runId!))?.status).toBe('cancelled');
    // The hung page was never committed, and no page came after it.
    await h.settle();
    expect(await h.deps.db.verdicts.where('mailboxId').equals(mailbox.id).count()).toBe(before);
    expect(await h.microsoft.requests(GRAPH_WINDOW, { since })).toEqual([]);
  });
});

describe('the first backfill is held to 14 days until "matching verified" (R10)', () => {
  it('gmail: 30 and 15 days are refused in plain words naming the checklist item and queue nothing; 14 is accepted; once verified, 30 is', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail', 'sales', false);
    const id = jobId(mailbox.id, 'backfill');
    for (const days of [30, 15]) {
      await expect(h.engine.backfill(mailbox.id, { days })).rejects.toThrow(/held to 14 days.*"matching verified"/);
      expect(await getJob(h.deps.db, id)).toBeUndefined();
    }
    expect(asJob(await h.engine.backfill(mailbox.id, { days: 14 }))).toMatchObject({ id, status: 'queued', params: { days: 14 } });
    await h.settle();
    expect((await getJob(h.deps.db, id))?.status).toBe('done');

    await h.deps.db.mailboxes.update(mailbox.id, { checklist: { ...mailbox.checklist, matching_verified: h.clock } });
    expect(asJob(await h.engine.backfill(mailbox.id, { days: 30 }))).toMatchObject({ id, status: 'queued', params: { days: 30 } });
    await h.settle();
    expect((await getJob(h.deps.db, id))?.status).toBe('done');
  });
});

describe('above 60 days a backfill needs a confirmation carrying the provider estimate (R10)', () => {
  // Gmail's whole seeded mailbox fits one page; Outlook's 90 days too, so its estimate could be
  // the page's length: the whole mailbox (several pages) is asked as well, where only `$count` tells.
  for (const [provider, seedId, days] of [
    ['gmail', 'riley', 90],
    ['outlook', 'support', 90],
    ['outlook', 'support', WHOLE_DAYS],
  ] as const) {
    it(`${provider}: ${days} days answers the estimate of the window and queues nothing; confirmed, it runs and fetches exactly that many`, { timeout: 60_000 }, async () => {
      const mailbox = await h.connect(provider);
      const id = jobId(mailbox.id, 'backfill');
      const since = h.clock - days * DAY;
      const answer = await h.engine.backfill(mailbox.id, { days });
      expect('confirm' in answer).toBe(true);
      const { confirm } = answer as { confirm: { days: number; estimate: number | null } };
      expect(confirm.days).toBe(days);
      // What the emulator holds in the window, in the folders the provider lists: Gmail leaves out
      // spam and trash (`includeSpamTrash=false`), Outlook lists every folder but the excluded ones.
      const truth = await h.truth([seedId], since);
      const inWindow = truth.verdicts.filter((v) => (provider === 'gmail' ? v.folder !== 'spam' && v.folder !== 'trash' : !isExcludedFolder(v.folder)));
      expect(inWindow.length).toBeGreaterThan(0);
      expect(confirm.estimate).toBe(inWindow.length);
      expect(await getJob(h.deps.db, id)).toBeUndefined();
      expect(await unfinishedJobs(h.deps.db)).toEqual([]);

      const job = asJob(await h.engine.backfill(mailbox.id, { days, confirmed: true }));
      expect(job).toMatchObject({ id, status: 'queued', params: { days } });
      await h.settle();
      const done = await getJob(h.deps.db, id);
      expect(done?.status).toBe('done');
      expect((await getRun(h.deps.db, done!.runId!))?.counts.fetched).toBe(confirm.estimate);
    });
  }

  it('gmail: 60 days needs no confirmation', async () => {
    const mailbox = await h.connect('gmail');
    expect(asJob(await h.engine.backfill(mailbox.id, { days: 60 }))).toMatchObject({ status: 'queued', params: { days: 60 } });
    await h.settle();
  });
});

describe('progress and ETA the UI reads (R10)', () => {
  it('outlook: getJobs shows growing counts, a total no smaller than them and a non-negative ETA while pages remain; cleared at the end', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('outlook');
    const id = jobId(mailbox.id, 'backfill');
    const handlers = createHandlers(h.deps);
    const seen: { update: JobProgress; read: JobProgress | undefined; status: Job['status'] | undefined }[] = [];
    h.onProgress = async (update) => {
      if (update.jobId !== id) return;
      const answer = await handlers.getJobs({}, {});
      seen.push({ update, read: answer.progress.find((p) => p.jobId === id), status: answer.jobs.find((j) => j.id === id)?.status });
    };
    // The ETA is the pace so far on the engine's clock, which stands still unless moved: each use
    // of the provider (once a page) takes a second of it, as real requests take time.
    const provider = h.engineDeps.provider;
    h.engineDeps.provider = (m) => {
      h.clock += 1_000;
      return provider(m);
    };
    await h.engine.backfill(mailbox.id, { days: WHOLE_DAYS, confirmed: true });
    await h.settle();

    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const [index, { update, read, status }] of seen.entries()) {
      expect(read).toEqual(update);
      expect(status).toBe('running');
      expect(update).toMatchObject({ lane: mailbox.id, kind: 'backfill', status: 'running' });
      if (index > 0) expect(update.done).toBeGreaterThan(seen[index - 1]!.update.done);
      expect(update.total).not.toBeNull();
      expect(update.total!).toBeGreaterThanOrEqual(update.done);
      if (update.done > 0 && update.total! > update.done) {
        expect(typeof update.etaMs).toBe('number');
        expect(update.etaMs!).toBeGreaterThanOrEqual(0);
      }
    }
    // Pages remained at some point, so an ETA was shown.
    expect(seen.some(({ update }) => update.etaMs !== null && update.etaMs > 0)).toBe(true);
    const last = seen.at(-1)!.update;
    expect(last.total).toBe(last.done);
    expect((await handlers.getJobs({}, {})).progress.find((p) => p.jobId === id)).toBeUndefined();
  });
});

describe('a wait that ended while no worker ran is run when the next worker starts (R12, R13)', () => {
  it('gmail: the outbox waits for a CRM that is down; a worker started after the wait runs it with start() alone', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    const outboxId = jobId('crm', 'outbox');
    await h.crm.fault({ path: CRM_BATCH, status: 503, retryAfter: null, count: 1000 });
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.round();
    const waiting = await getJob(h.deps.db, outboxId);
    expect(waiting).toMatchObject({ status: 'waiting' });
    expect(waiting!.notBefore).toBeGreaterThan(h.clock);
    expect(await h.crmEmails()).toEqual([]);
    await h.crm.delete('/faults');

    // A worker started before the wait ends: nothing runs, and it asks to be woken at the wait's end.
    const early = h.restarted();
    await early.engine.start();
    await early.engine.idle();
    const earliest = Math.min(...(await unfinishedJobs(h.deps.db)).map((j) => j.notBefore).filter((t) => t > early.clock));
    expect(earliest).toBe(waiting!.notBefore);
    expect(early.wakes).toContain(waiting!.notBefore);
    expect(early.wakes.every((at) => at >= waiting!.notBefore)).toBe(true);
    expect(await getJob(h.deps.db, outboxId)).toMatchObject({ status: 'waiting', notBefore: waiting!.notBefore });
    expect(await h.crmEmails()).toEqual([]);

    // The next worker starts after the wait ended: start() alone runs it to the end.
    const late = h.restarted();
    late.clock = waiting!.notBefore + 1;
    await late.engine.start();
    await late.engine.idle();
    expect(await getJob(h.deps.db, outboxId)).toMatchObject({ status: 'done' });
    const truth = await late.truth(['riley'], h.clock - 60 * DAY);
    expect(truth.crmEmails.length).toBeGreaterThan(5);
    await late.expectCrmMatches(truth.crmEmails);
  });
});

// Gmail only: Outlook's cursor is a time ("changes from now"), whose first round re-reads recent
// mail, so one taken after the backfill would find this mail too and the test could not fail.
describe('the incremental cursor is taken before the backfill (R10, R16)', () => {
  it('gmail: mail delivered as the first page is committed reaches the CRM through incremental sync afterwards', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    // Polled a moment ago: no incremental job runs beside the backfill and takes a cursor of its
    // own, so only the backfill's cursor can bring the mail delivered during it.
    await h.deps.db.mailboxes.update(mailbox.id, { lastSyncedAt: h.clock });
    const start = h.clock;
    let delivered: string | null = null;
    h.onProgress = async (update) => {
      if (update.jobId !== jobId(mailbox.id, 'backfill') || delivered !== null) return;
      expect(await getJob(h.deps.db, jobId(mailbox.id, 'incremental'))).toBeUndefined();
      const pushed = (await h.truth(['riley'])).verdicts.find((v) => v.push && v.contactIds.length > 0)!;
      const from = (await h.deps.db.contacts.get(pushed.contactIds[0]!))!.emails[0]!;
      delivered = (await h.google.post<{ id: string }>('/google/deliver', { from, to: mailbox.address, subject: 'During the first page', body: 'Sent mid-backfill.' })).id;
    };
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    expect(delivered).not.toBeNull();
    expect(await h.deps.db.verdicts.get([mailbox.id, delivered!])).toBeUndefined();

    h.clock += INCREMENTAL_EVERY_MS;
    await h.settle();
    const truth = await h.truth(['riley'], start - 60 * DAY);
    const verdict = truth.verdicts.find((v) => v.providerId === delivered)!;
    expect(verdict.push).toBe(true);
    expect((await h.crmEmails()).map((e) => e.message_id)).toContain(verdict.key);
    await h.expectCrmMatches(truth.crmEmails);
  });
});

describe('the CRM connected again (R8, R12)', () => {
  it('a CRM that refused the sign-in blocks its writes, without a loop; connecting it again drains them at once, not after the blocked wait', async () => {
    const mailbox = await h.connect('gmail');
    // The contact mirror first, while the CRM still takes the token.
    await h.engine.tick();
    await h.engine.idle();
    // The pasted token is refused from now on: every CRM call answers 401.
    await h.crm.fault({ path: '^/public/v1/', status: 401, count: 10_000 });
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.engine.tick();
    await h.engine.idle();
    const outbox = (await getJob(h.deps.db, jobId('crm', 'outbox')))!;
    expect(outbox).toMatchObject({ status: 'blocked', lastError: { code: 'reauth_required', action: 'reconnect' } });
    expect(outbox.notBefore).toBeGreaterThan(h.clock + 10 * 60_000);
    const refused = (await h.crm.requests(CRM_BATCH)).length;
    // Ticks while blocked send nothing.
    await h.engine.tick();
    await h.engine.idle();
    expect((await h.crm.requests(CRM_BATCH)).length).toBe(refused);

    await h.crm.delete('/faults');
    await createHandlers(h.deps).connectCrm({ baseUrl: h.urls.crm, authMethod: 'personal_token', token: 'crm_pat_demo' }, {});
    // The real handler resumes the engine of these dependencies; this test's engine is told the same.
    await h.engine.resumeCrm();
    // No clock moved: without the resume, the writes would wait out the blocked lane's 30 minutes.
    const clock = h.clock;
    for (let i = 0; i < 5; i++) await h.round();
    // The handler's own engine (one per set of dependencies) may hold the outbox meanwhile: its
    // pushes end before the CRM is read, and a last round takes what it left queued.
    await engineOf(h.deps).idle();
    await h.round();
    expect(h.clock).toBe(clock);
    const truth = await h.truth(['riley'], h.clock - 60 * DAY);
    await h.expectCrmMatches(truth.crmEmails);
  });
});
