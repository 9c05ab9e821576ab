import { describe, expect, it } from 'vitest';
import { resumeEngine } from '@/lib/background/engine';
import { createHandlers } from '@/lib/background/handlers';
import { disconnectMailbox } from '@/lib/background/mailboxes';
import { getMailbox, jobId, putJob } from '@/lib/db';
import { dispatch, type Handlers, type MessageName, type MessageOutput, protocol } from '@/lib/messaging';
import { holdsGrant } from '@/lib/platform/token-store';
import { INCREMENTAL_EVERY_MS, MAX_QUOTA_WAIT_MS } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { optionsPage, trust } from '../../support/senders';

/**
 * Disconnect (R34) and the CRM's record of the mailbox (R37), against the emulators: the record
 * leaves the CRM with the mailbox, follows the status the engine gives the mailbox, and a
 * disconnect a stopped worker left half done is finished by the next start.
 */
let h: EngineHarness;
let handlers: Handlers;

useEngineHarness(11, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});

const CRM_MAILBOX = '^/public/v1/mailboxes/';
const GMAIL_HISTORY = '/gmail/v1/users/me/history$';

/** Sends one message from the options page; its answer checked as the page checks it. */
async function call<K extends MessageName>(name: K, input: unknown): Promise<MessageOutput<K>> {
  const answer = await dispatch(protocol, name, input, optionsPage, handlers, trust);
  if (!answer.ok) throw new Error(`${name} failed: ${answer.error.code} ${answer.error.message}`);
  return protocol[name].output.parse(answer.value) as MessageOutput<K>;
}

/** The CRM's record of a mailbox, as its admin API shows it (`GET /__admin/crm/mailboxes`). */
async function crmRecord(address: string): Promise<{ address: string; status: string } | undefined> {
  const { mailboxes } = await h.crm.get<{ mailboxes: { address: string; status: string }[] }>('/crm/mailboxes');
  return mailboxes.find((m) => m.address.toLowerCase() === address);
}

/** Waits (real time) until `check` holds; fails after 10 s. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('gave up waiting');
}

describe("disconnect and the CRM's mailbox record (R34, R37)", { timeout: 60_000 }, () => {
  it("removes the CRM's record of the mailbox; its pushed emails stay", async () => {
    const mailbox = await h.connect('gmail');
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    expect(await crmRecord(mailbox.address)).toMatchObject({ status: 'connected' });
    const pushed = (await h.crm.get<{ emails: unknown[] }>('/crm/emails')).emails.length;
    expect(pushed).toBeGreaterThan(0);
    expect(await call('disconnectMailbox', { id: mailbox.id })).toMatchObject({ revoked: true, crmRecordError: null });
    expect(await crmRecord(mailbox.address)).toBeUndefined();
    expect((await h.crm.get<{ emails: unknown[] }>('/crm/emails')).emails).toHaveLength(pushed);
  });

  it('a CRM that fails the removal does not keep the mailbox here; the answer says the CRM still lists it', async () => {
    const mailbox = await h.connect('outlook');
    await h.crm.fault({ path: CRM_MAILBOX, method: 'DELETE', status: 403, count: 1 });
    const answer = await call('disconnectMailbox', { id: mailbox.id });
    expect(answer.crmRecordError).toMatch(/^The CRM still lists support@acme-sales\.test as a connected mailbox: .+ remove the mailbox in the CRM/);
    expect(await getMailbox(h.deps.db, mailbox.id)).toBeUndefined();
    expect(await crmRecord(mailbox.address)).toMatchObject({ status: 'connected' });
  });

  it("the record's status follows the engine: error while the daily quota is used up, connected again after", async () => {
    const mailbox = await h.connect('gmail');
    await h.engine.syncNow(mailbox.id);
    await h.settle();
    await h.google.fault({ path: GMAIL_HISTORY, status: 403, reason: 'dailyLimitExceeded', count: 1 });
    h.clock += INCREMENTAL_EVERY_MS;
    await h.round();
    expect(await getMailbox(h.deps.db, mailbox.id)).toMatchObject({ status: 'error', lastError: { code: 'quota_exhausted' } });
    expect(await crmRecord(mailbox.address)).toMatchObject({ status: 'error' });
    h.clock += MAX_QUOTA_WAIT_MS;
    await h.round();
    expect(await getMailbox(h.deps.db, mailbox.id)).toMatchObject({ status: 'connected' });
    expect(await crmRecord(mailbox.address)).toMatchObject({ status: 'connected' });
  });
});

describe('a disconnect cut short by the worker stopping (R34)', { timeout: 60_000 }, () => {
  it('marks the mailbox before revoking; the engine runs nothing for it, and the next start finishes the purge', async () => {
    const mailbox = await h.connect('gmail');
    await h.engine.backfill(mailbox.id, { days: 60 });
    await h.settle();
    // The first worker is held after the revocation, at the CRM call, as if it had stopped there.
    await h.crm.fault({ path: CRM_MAILBOX, method: 'DELETE', delayMs: 3000, count: 1 });
    const first = disconnectMailbox(h.deps, mailbox.id);
    await until(async () => !(await holdsGrant(mailbox.id)));
    const marked = await getMailbox(h.deps.db, mailbox.id);
    expect(marked?.disconnectingSince).toEqual(expect.any(Number));
    expect(await h.deps.db.messages.where('mailboxId').equals(mailbox.id).count()).toBeGreaterThan(0);

    // A job left queued for the lane is not run, and no new one is queued for it.
    await putJob(h.deps.db, { id: jobId(mailbox.id, 'backfill'), lane: mailbox.id, kind: 'backfill', status: 'queued', runId: null, params: { days: 7 }, notBefore: 0, failures: 0, lastError: null, createdAt: h.clock, updatedAt: h.clock });
    const before = await h.deps.db.jobs.where('lane').equals(mailbox.id).toArray();
    h.clock += INCREMENTAL_EVERY_MS;
    const next = h.restarted();
    await next.engine.tick();
    await next.engine.idle();
    expect(await next.deps.db.jobs.where('lane').equals(mailbox.id).toArray()).toEqual(before);
    await expect(next.engine.syncNow(mailbox.id)).rejects.toThrow(/being disconnected/);

    // The next worker's start finishes the disconnect: data, jobs and the CRM's record are gone.
    await resumeEngine(next.deps, next.engine);
    await next.engine.idle();
    expect(await getMailbox(next.deps.db, mailbox.id)).toBeUndefined();
    expect(await next.deps.db.messages.where('mailboxId').equals(mailbox.id).count()).toBe(0);
    expect(await next.deps.db.jobs.where('lane').equals(mailbox.id).count()).toBe(0);
    expect(await crmRecord(mailbox.address)).toBeUndefined();
    await first;
  });
});
