import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHandlers } from '@/lib/background/handlers';
import { connectMailbox, reconnectMailbox } from '@/lib/background/mailboxes';
import { getMailbox, updateMailbox } from '@/lib/db';
import type { Mailbox, ReviewPrompt } from '@/lib/domain';
import { dispatch, type Handlers, protocol } from '@/lib/messaging';
import { STALE_SYNC_MS } from '@/lib/sync/review-prompts';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';
import { gmailTab, optionsPage, trust } from '../../support/senders';

/**
 * Review prompts raised by the engine (R33), read and dismissed as the options page does, after
 * what really raises them against the emulators: a refused sign-in, a run of duplicates from a
 * second mailbox, a day without sync, and owners.
 */
let h: EngineHarness;
let handlers: Handlers;
const DAY = 24 * 60 * 60_000;


useEngineHarness(7, (harness) => {
  h = harness;
  handlers = createHandlers(h.deps);
});
afterEach(() => {
  vi.useRealTimers();
});

async function prompts(): Promise<ReviewPrompt[]> {
  const envelope = await dispatch(protocol, 'getReviewPrompts', {}, optionsPage, handlers, trust);
  if (!envelope.ok) throw new Error(envelope.error.message);
  return protocol.getReviewPrompts.output.parse(envelope.value).prompts;
}

async function dismiss(id: string): Promise<void> {
  expect(await dispatch(protocol, 'dismissReviewPrompt', { id }, optionsPage, handlers, trust)).toEqual({ ok: true, value: {} });
}

/** The prompts as the options page would read them at `at` (the clock of the test's engine). */
async function promptsAt(at: number): Promise<ReviewPrompt[]> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
  try {
    return await prompts();
  } finally {
    vi.useRealTimers();
  }
}

async function synced(mailbox: Mailbox, days = 60): Promise<void> {
  await h.engine.backfill(mailbox.id, { days, confirmed: true });
  await h.settle();
}

/** Google forgets every grant, then the next incremental sync meets the refused refresh (R12). */
async function revokeAndSync(mailbox: Mailbox): Promise<void> {
  await h.google.post('/expire', { what: 'refresh_tokens' });
  await h.google.post('/expire', { what: 'access_tokens' });
  h.clock += 31_000;
  await h.settle();
  expect((await getMailbox(h.deps.db, mailbox.id))!.status).toBe('reconnect_needed');
}

describe('review prompts (R33)', () => {
  it('an auth error prompts to reconnect; dismissed it stays quiet, and the next one prompts again', async () => {
    const mailbox = await h.connect('gmail');
    await synced(mailbox);
    expect(await prompts()).toEqual([]);

    await revokeAndSync(mailbox);
    const [access] = await prompts();
    expect(access).toMatchObject({ kind: 'provider_access', mailboxId: mailbox.id, action: 'reconnect', message: expect.stringMatching(/sign in again/i) });
    await dismiss(access!.id);
    expect(await prompts()).toEqual([]);

    await reconnectMailbox(h.deps, mailbox.id);
    h.clock += 31_000;
    await h.settle();
    expect(await prompts()).toEqual([]);
    await revokeAndSync(mailbox);
    expect(await prompts()).toEqual([expect.objectContaining({ kind: 'provider_access', action: 'reconnect' })]);
    expect((await prompts())[0]!.id).not.toBe(access!.id);
  });

  it('a run with more than 2 % duplicates prompts to review it', async () => {
    await synced(await h.connect('gmail'), 90);
    // Support's window reaches back to the newest message it shares with Riley, and no further.
    const truth = await h.truth(['riley', 'support'], h.clock - 90 * DAY);
    const shared = truth.crmEmails.filter((e) => new Set(e.sources.map((s) => s.mailboxId)).size === 2);
    const newest = Math.max(...truth.verdicts.filter((v) => shared.some((e) => e.key === v.key)).map((v) => v.date));
    const support = await h.connect('outlook');
    await synced(support, Math.ceil((h.clock - newest) / DAY));
    const run = (await h.deps.db.syncRuns.where('mailboxId').equals(support.id).toArray()).find((r) => r.kind === 'backfill')!;
    expect(run.counts.duplicates / run.counts.fetched).toBeGreaterThan(0.02);
    const found = await prompts();
    expect(found).toEqual([expect.objectContaining({ kind: 'duplicates', mailboxId: support.id, runId: run.id, action: 'review_run' })]);
    await dismiss(found[0]!.id);
    expect(await prompts()).toEqual([]);
  });

  it('no successful sync for 24 h while connected prompts "customer emails stopped syncing"', async () => {
    const mailbox = await h.connect('gmail');
    await synced(mailbox);
    const lastSync = (await getMailbox(h.deps.db, mailbox.id))!.lastSyncedAt!;
    expect(await promptsAt(lastSync + STALE_SYNC_MS - 60_000)).toEqual([]);
    const [stale] = await promptsAt(lastSync + STALE_SYNC_MS + 60_000);
    expect(stale).toMatchObject({ kind: 'stale_sync', mailboxId: mailbox.id, action: 'sync_now', message: expect.stringMatching(/^Customer emails stopped syncing/) });
  });

  it('an owner other than the signed-in account prompts, and so does a change of owner, each until dismissed', async () => {
    const shared = await connectMailbox(h.deps, { provider: 'outlook', scope: 'support', kind: 'shared', owner: 'Dana.Lead@acme-sales.test', recoveryNote: 'IT holds the password', backfillDays: 14 });
    const [owner] = await prompts();
    expect(owner).toMatchObject({ kind: 'owner_account', mailboxId: shared.id, action: 'review_owner', message: expect.stringContaining('Dana.Lead@acme-sales.test') });
    await dismiss(owner!.id);
    expect(await prompts()).toEqual([]);

    await updateMailbox(h.deps.db, shared.id, (m) => ({ ...m, owner: 'support@acme-sales.test' }));
    const [changed] = await prompts();
    expect(changed).toMatchObject({ kind: 'owner_changed', mailboxId: shared.id, message: expect.stringContaining('changed to support@acme-sales.test') });
    await dismiss(changed!.id);
    expect(await prompts()).toEqual([]);
    await updateMailbox(h.deps.db, shared.id, (m) => ({ ...m, owner: 'Sam.Next@acme-sales.test' }));
    expect((await prompts()).map((p) => p.kind).sort()).toEqual(['owner_account', 'owner_changed']);
  });

  it('is for the extension pages only, and dismissing an unknown prompt changes nothing', async () => {
    expect(await dispatch(protocol, 'getReviewPrompts', {}, gmailTab, handlers, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(await dispatch(protocol, 'dismissReviewPrompt', { id: 'stale_sync:x:1' }, gmailTab, handlers, trust)).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    await dismiss('stale_sync:nobody:1');
    expect(await prompts()).toEqual([]);
  });
});
