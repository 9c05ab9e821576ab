import { describe, expect, it } from 'vitest';
import { disconnectCrm } from '@/lib/background/crm-connection';
import { createHandlers } from '@/lib/background/handlers';
import { engineOf } from '@/lib/background/engine';
import { getMailbox, jobsOfLane, putJob } from '@/lib/db';
import { dispatch, type Envelope, type Handlers, type MessageOutput, protocol } from '@/lib/messaging';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/**
 * Before a disconnect (R34): what the CRM says relies on the mailbox, its open jobs and the pushes
 * only it would still make; then the disconnect itself: jobs stopped, access revoked, data purged.
 */
let h: EngineHarness;
let handlers: Handlers;
const DAY = 24 * 60 * 60_000;
const WINDOW_DAYS = 90;
const CRM_PUSH = 'emails/batch$';

useEngineHarness(19, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

function send(name: 'getDisconnectImpact' | 'disconnectMailbox' | 'backfill' | 'syncNow', input: unknown): Promise<Envelope> {
  return dispatch(protocol, name, input, optionsPage, handlers, trust);
}

async function impact(id: string): Promise<MessageOutput<'getDisconnectImpact'>> {
  const envelope = await send('getDisconnectImpact', { id });
  if (!envelope.ok) throw new Error(`getDisconnectImpact failed: ${envelope.error.message}`);
  return protocol.getDisconnectImpact.output.parse(envelope.value);
}

/** Runs rounds until the mailbox's backfill of the last `days` is done, without waiting out the CRM's refusal. */
async function backfillWhileCrmRefuses(mailboxId: string, days = WINDOW_DAYS): Promise<void> {
  await h.engine.backfill(mailboxId, { days, confirmed: true });
  for (let i = 0; i < 20 && (await h.deps.db.jobs.get(`${mailboxId}/backfill`))?.status !== 'done'; i++) await h.round();
  expect((await h.deps.db.jobs.get(`${mailboxId}/backfill`))?.status).toBe('done');
}

describe('getDisconnectImpact (R34)', () => {
  it("lists the shared inbox's CRM workflows and templates, its open jobs, and the pushes only it holds; after the disconnect the CRM gets exactly the other mailbox's mail", async () => {
    const since = h.clock - WINDOW_DAYS * DAY;
    const riley = await h.connect('gmail');
    const support = await h.connect('outlook');
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 10_000 });
    await backfillWhileCrmRefuses(riley.id);
    await backfillWhileCrmRefuses(support.id);
    // The support inbox's next sync is held back by Graph: an open job, waiting.
    await h.microsoft.fault({ path: 'delta', status: 429, retryAfter: 3600, count: 10_000 });
    h.clock += 31_000;
    await h.round();

    const truth = await h.truth(['riley', 'support'], since);
    const onlySupport = truth.crmEmails.filter((e) => e.sources.every((s) => s.mailboxId === 'support'));
    const shared = truth.crmEmails.filter((e) => e.sources.some((s) => s.mailboxId === 'support') && e.sources.some((s) => s.mailboxId === 'riley'));
    expect(onlySupport.length).toBeGreaterThan(0);
    expect(shared.length).toBeGreaterThan(0);

    const found = await impact(support.id);
    expect(found).toMatchObject({
      crm: {
        workflows: [
          { id: 'wf-support-1', name: 'Auto-reply to new support requests' },
          { id: 'wf-support-2', name: 'Escalate unanswered mail after 24 h' },
        ],
        templates: [{ id: 'tpl-support-1', name: expect.stringMatching(/: first response$/) }],
      },
      crmError: null,
      waitingPushes: onlySupport.length,
    });
    expect(found.jobs.map((j) => [j.id, j.status])).toEqual([[`${support.id}/incremental`, 'waiting']]);
    // Riley's pushes are its own and the shared ones.
    expect((await impact(riley.id)).waitingPushes).toBe(truth.crmEmails.length - onlySupport.length - shared.length);

    expect(await send('disconnectMailbox', { id: support.id })).toMatchObject({ ok: true, value: { id: support.id } });
    await h.crm.delete('/faults');
    await h.microsoft.delete('/faults');
    await h.settle();
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);
  });

  it('a mailbox the CRM keeps no record of has nothing there relying on it', async () => {
    const riley = await h.connect('gmail');
    expect(await impact(riley.id)).toEqual({ crm: { workflows: [], templates: [] }, crmError: null, jobs: [], waitingPushes: 0 });
  });

  it('without a CRM, or when it cannot answer, says so in plain words and still lists the jobs', async () => {
    const riley = await h.connect('gmail');
    // Gmail holds the mailbox's jobs back: its sync and a preview wait, open.
    await h.google.fault({ path: '^/gmail/v1/', status: 429, retryAfter: 3600, count: 10_000 });
    await h.engine.preview(riley.id, 7);
    await h.engine.idle();
    const open = (await jobsOfLane(h.deps.db, riley.id)).map((j) => [j.id, j.status]).sort();
    expect(open).toEqual([[`${riley.id}/incremental`, 'waiting'], [`${riley.id}/preview`, 'waiting']]);
    await h.crm.fault({ path: '/dependencies$', status: 403, count: 1 });
    const refused = await impact(riley.id);
    expect(refused).toMatchObject({ crm: null, crmError: expect.stringMatching(/^The CRM did not grant the access the extension needs\..* It could not say whether workflows or templates use this mailbox; check in the CRM before you disconnect\.$/) });
    expect(refused.jobs.map((j) => [j.id, j.status]).sort()).toEqual(open);
    await disconnectCrm(h.deps);
    const noCrm = await impact(riley.id);
    expect(noCrm).toMatchObject({ crm: null, crmError: expect.stringMatching(/^No CRM is connected, so it cannot say/) });
    expect(noCrm.jobs.map((j) => [j.id, j.status]).sort()).toEqual(open);
  });

  it('refuses a mailbox that is not connected', async () => {
    expect(await send('getDisconnectImpact', { id: 'gmail:nobody@acme-sales.test' })).toMatchObject({ ok: false, error: { code: 'handler_failed', message: expect.stringMatching(/no longer connected/) } });
  });
});

describe('disconnectMailbox (R34)', () => {
  it('stops the running job, starts none while the grant is revoked, then purges the mailbox and its jobs', async () => {
    const riley = await h.connect('gmail');
    // The backfill's first listing is slow: it is running when the disconnect comes.
    await h.google.fault({ path: '/gmail/v1/users/me/messages$', delayMs: 1_500, count: 1 });
    await h.google.fault({ path: '^/revoke$', delayMs: 800, count: 1 });
    expect(await send('backfill', { mailboxId: riley.id, days: 7 })).toMatchObject({ ok: true });
    for (let i = 0; i < 50 && (await h.deps.db.jobs.get(`${riley.id}/backfill`))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await h.deps.db.jobs.get(`${riley.id}/backfill`))?.status).toBe('running');
    // A preview of the lane is due: the tick that follows the stopped backfill would start it.
    const now = Date.now();
    await putJob(h.deps.db, { id: `${riley.id}/preview`, lane: riley.id, kind: 'preview', status: 'queued', runId: null, params: { days: 7 }, notBefore: now, failures: 0, lastError: null, createdAt: now, updatedAt: now });

    expect(await send('disconnectMailbox', { id: riley.id })).toMatchObject({ ok: true, value: { id: riley.id, revoked: true, removeAccessUrl: null } });
    await engineOf(h.deps).idle();

    const [revoke] = await h.google.requests(/^\/revoke$/);
    const revokeStart = revoke!.at - revoke!.durationMs;
    // Nothing read the mailbox once the revocation started: the aborted listing had started before it.
    const reads = await h.google.requests(/^\/gmail\/v1\//);
    expect(reads.filter((r) => r.at - r.durationMs >= revokeStart)).toEqual([]);
    expect(await getMailbox(h.deps.db, riley.id)).toBeUndefined();
    expect(await jobsOfLane(h.deps.db, riley.id)).toEqual([]);
    expect(await h.deps.db.messages.count()).toBe(0);
  });

  it('ends a push the CRM client is retrying: nothing only the mailbox held reaches the CRM after it, a shared message is pushed from the other mailbox', async () => {
    const days = WINDOW_DAYS;
    const since = h.clock - days * DAY;
    const riley = await h.connect('gmail');
    const support = await h.connect('outlook');
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 10_000 });
    await backfillWhileCrmRefuses(riley.id, days);
    await backfillWhileCrmRefuses(support.id, days);
    await h.crm.delete('/faults');
    // Now the CRM fails pushes for a while: its client retries the batch in memory, 2 s apart.
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 503, retryAfter: 2, count: 10_000 });
    const since503 = (await h.crm.requests()).at(-1)?.seq ?? 0;
    const failed = async () => (await h.crm.requests(CRM_PUSH, { since: since503 })).some((r) => r.status === 503);
    const engine = engineOf(h.deps);
    expect(await send('syncNow', { mailboxId: riley.id })).toMatchObject({ ok: true });
    for (let i = 0; i < 250 && !(await failed()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await failed()).toBe(true);
    const frozen = await h.deps.db.outbox.filter((e) => e.batchId !== null).toArray();
    const onlySupport = frozen.filter((e) => e.mailboxIds.every((id) => id === support.id));
    const shared = frozen.filter((e) => e.mailboxIds.includes(support.id) && e.mailboxIds.includes(riley.id));
    expect(onlySupport.length).toBeGreaterThan(0);
    expect(shared.length).toBeGreaterThan(0);

    const pushesBefore = (await h.crm.requests()).at(-1)!.seq;
    const disconnectStart = Date.now();
    expect(await send('disconnectMailbox', { id: support.id })).toMatchObject({ ok: true, value: { id: support.id } });
    await h.crm.delete('/faults');
    await engine.idle();
    await h.settle();

    // No push started once the disconnect began (the one it found was waiting to be retried).
    const pushes = await h.crm.requests(CRM_PUSH, { since: pushesBefore });
    expect(pushes.filter((r) => r.at - r.durationMs < disconnectStart)).toEqual([]);
    // The CRM holds exactly the other mailbox's mail, the shared messages among it, as that mailbox has them.
    await h.expectCrmMatches((await h.truth(['riley'], since)).crmEmails);
    expect((await h.crmEmails()).map((e) => e.message_id)).toEqual(expect.arrayContaining(shared.map((e) => e.sending!.item.message_id)));
  });

  it('holds the outbox, queued and not cancelled, until every disconnect under way has ended; then it pushes', async () => {
    const riley = await h.connect('gmail');
    const support = await h.connect('outlook');
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 429, retryAfter: 3600, count: 10_000 });
    await backfillWhileCrmRefuses(support.id, 14);
    await h.crm.delete('/faults');
    await h.crm.fault({ method: 'POST', path: CRM_PUSH, status: 503, retryAfter: 2, count: 10_000 });
    const since503 = (await h.crm.requests()).at(-1)?.seq ?? 0;
    const pushes = () => h.crm.requests(CRM_PUSH, { since: since503 });
    const engine = engineOf(h.deps);
    await engine.syncNow(support.id);
    for (let i = 0; i < 250 && (await pushes()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await pushes()).length).toBe(1);
    const outbox = () => h.deps.db.jobs.get('crm/outbox');

    // Two stops at once (here of two lanes): the outbox stays held until the last one ends.
    let release!: () => void;
    const first = engine.withLaneStopped(riley.id, () => new Promise<void>((resolve) => (release = resolve)));
    await engine.withLaneStopped(support.id, async () => {
      expect(await outbox()).toMatchObject({ status: 'queued' });
      await h.crm.delete('/faults');
      await engine.tick();
      await engine.idle();
    });
    await engine.idle();
    expect(await outbox()).toMatchObject({ status: 'queued' });
    expect((await pushes()).length).toBe(1);

    release();
    await first;
    await engine.idle();
    expect(await outbox()).toMatchObject({ status: 'done' });
    expect((await pushes()).map((r) => r.status)).toEqual([503, 200]);
  });
});
