import { describe, expect, it } from 'vitest';
import { getJob, jobId } from '@/lib/db';
import { ProviderError } from '@/lib/domain';
import { INCREMENTAL_EVERY_MS, MAX_TRANSIENT_FAILURES } from '@/lib/sync';
import { type EngineHarness, useEngineHarness } from '../../support/engine-harness';

let h: EngineHarness;
const GMAIL_HISTORY = '^/gmail/v1/users/me/history$';

useEngineHarness(7, (harness) => {
  h = harness;
});

/** `count` scheduler ticks, each once the periodic sync and every persisted wait are due. */
async function rounds(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const next = await h.round();
    h.clock = Math.max(h.clock + INCREMENTAL_EVERY_MS, next ?? 0);
  }
}

/** A first sync (it takes the history cursor), then the clock where the next periodic sync is due. */
async function firstSync(mailboxId: string): Promise<void> {
  await h.engine.syncNow(mailboxId);
  await h.settle();
  h.clock += INCREMENTAL_EVERY_MS;
}

describe('the mailbox’s error state (R12)', () => {
  it('gmail: a 401 once the refresh token expired puts the mailbox in "Reconnect needed" and refuses a backfill', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await h.engine.syncNow(mailbox.id);
    await h.settle();
    await h.google.post('/expire', { what: 'refresh_tokens', user: 'riley' });
    await h.google.post('/expire', { what: 'access_tokens', user: 'riley' });
    h.clock += INCREMENTAL_EVERY_MS;
    await h.settle();
    const stored = await h.deps.db.mailboxes.get(mailbox.id);
    expect(stored).toMatchObject({ status: 'reconnect_needed', lastError: { code: 'reauth_required', action: 'reconnect' } });
    const refused = await h.engine.backfill(mailbox.id, { days: 7 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ code: 'reauth_required' });
    expect(await getJob(h.deps.db, jobId(mailbox.id, 'backfill'))).toBeUndefined();
  });

  it('gmail: a run of 429s does not change the mailbox’s status; the sync catches up once they stop', { timeout: 60_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await firstSync(mailbox.id);
    await h.google.fault({ path: GMAIL_HISTORY, status: 429, reason: 'rateLimitExceeded', retryAfter: 60, count: 8 });
    await rounds(8);
    expect(h.waits.filter((w) => w.jobId === jobId(mailbox.id, 'incremental') && w.code === 'rate_limited').length).toBeGreaterThanOrEqual(6);
    expect(await h.deps.db.mailboxes.get(mailbox.id)).toMatchObject({ status: 'connected', lastError: null });
    await h.settle();
    expect(await getJob(h.deps.db, jobId(mailbox.id, 'incremental'))).toMatchObject({ status: 'done' });
  });

  it('gmail: four failed runs of 5xx end in a plain error with "retry" that blocks backfill, and "Sync now" clears it', { timeout: 90_000 }, async () => {
    const mailbox = await h.connect('gmail');
    await firstSync(mailbox.id);
    // Every attempt's in-memory retries fail too.
    await h.google.fault({ path: GMAIL_HISTORY, status: 500, count: 1000 });
    await rounds(MAX_TRANSIENT_FAILURES - 1);
    expect((await h.deps.db.mailboxes.get(mailbox.id))?.status).toBe('connected');
    await rounds(1);
    const failed = await h.deps.db.mailboxes.get(mailbox.id);
    expect(failed).toMatchObject({ status: 'error', lastError: { code: 'server', action: 'retry' } });
    expect(failed!.lastError!.message).toMatch(/4 times/);
    expect(failed!.lastError!.message).not.toMatch(/undefined|Error:|http|\{/);
    expect(await getJob(h.deps.db, jobId(mailbox.id, 'incremental'))).toMatchObject({ status: 'failed' });
    // No more attempts while the mailbox waits for the user.
    const before = (await h.google.requests(GMAIL_HISTORY)).length;
    await rounds(3);
    expect((await h.google.requests(GMAIL_HISTORY)).length).toBe(before);

    // The seed: no backfill while the error is unresolved; "Sync now" comes first.
    await expect(h.engine.backfill(mailbox.id, { days: 7 })).rejects.toThrow(/Run Sync now first; backfill once it succeeds\.$/);
    expect(await getJob(h.deps.db, jobId(mailbox.id, 'backfill'))).toBeUndefined();
    expect(await h.deps.db.mailboxes.get(mailbox.id)).toMatchObject({ status: 'error', lastError: { code: 'server' } });

    await h.google.delete('/faults');
    await h.engine.syncNow(mailbox.id);
    await h.settle();
    expect(await h.deps.db.mailboxes.get(mailbox.id)).toMatchObject({ status: 'connected', lastError: null });
    expect(await getJob(h.deps.db, jobId(mailbox.id, 'incremental'))).toMatchObject({ status: 'done' });
    expect(await h.engine.backfill(mailbox.id, { days: 7 })).toMatchObject({ status: 'queued', params: { days: 7 } });
    await h.settle();
  });
});
