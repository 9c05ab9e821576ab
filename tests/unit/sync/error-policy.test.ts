import { describe, expect, it } from 'vitest';
import type { JobKind } from '@/lib/db';
import { type ProviderErrorCode, providerError, providerErrorCodeSchema } from '@/lib/domain';
import { BASE_BACKOFF_MS, backoffMs, decideOnError, MAX_BACKOFF_MS, MAX_TRANSIENT_FAILURES, RATE_LIMIT_WAIT_MS } from '@/lib/sync/error-policy';

const NOW = Date.parse('2026-11-21T08:00:00Z');
const MINUTE = 60_000;
const MAILBOX = 'gmail:rep@acme-sales.test';

/** The lane each kind runs on: the contacts mirror and the outbox on the CRM's, the rest per mailbox. */
const LANES: Record<JobKind, string> = { backfill: MAILBOX, incremental: MAILBOX, preview: MAILBOX, undo: MAILBOX, contacts: 'crm', outbox: 'crm' };
const KINDS = Object.keys(LANES) as JobKind[];
const jobOf = (kind: JobKind, failures = 0) => ({ kind, lane: LANES[kind], failures });

/** What each code means for a job that had not failed before, by kind (R12, R14). */
function expected(code: ProviderErrorCode, kind: JobKind): string {
  switch (code) {
    case 'reauth_required':
      return 'block reconnect_needed';
    case 'insufficient_permissions':
    case 'quota_exhausted':
      return 'block error';
    case 'cursor_expired':
      return kind === 'incremental' ? 'resync' : LANES[kind] === 'crm' ? 'retry' : 'fail';
    case 'not_found':
      // The CRM lane never gives up: what would end a mailbox job waits the backoff there.
      return LANES[kind] === 'crm' ? 'retry' : 'fail';
    default:
      return 'retry';
  }
}

describe('decideOnError: one policy for every error code and job (R12, R14)', () => {
  const grid = providerErrorCodeSchema.options.flatMap((code) => KINDS.map((kind) => [code, kind] as const));

  it.each(grid)('%s in a %s job', (code, kind) => {
    const error = providerError(code, LANES[kind] === 'crm' ? 'crm' : 'gmail');
    const decision = decideOnError(error, jobOf(kind), NOW);
    expect([decision.action, 'status' in decision ? decision.status : null].filter(Boolean).join(' ')).toBe(expected(code, kind));
    // The user sees the error itself, with its plain words and fixing action.
    expect(decision.error).toBe(error);
  });

  it('blocks on sign-in and permission errors at once, with no wait: only the user can fix them', () => {
    for (const code of ['reauth_required', 'insufficient_permissions'] as const) {
      expect(decideOnError(providerError(code, 'gmail'), jobOf('backfill', 0), NOW)).toMatchObject({ action: 'block', notBefore: null });
      expect(decideOnError(providerError(code, 'crm'), jobOf('outbox', 0), NOW)).toMatchObject({ action: 'block', notBefore: null });
    }
  });

  it('waits out a used-up daily quota: until the time the provider names, else the longest backoff', () => {
    expect(decideOnError(providerError('quota_exhausted', 'gmail', { retryAfterMs: 5 * MINUTE }), jobOf('backfill'), NOW)).toMatchObject({ notBefore: NOW + 5 * MINUTE });
    expect(decideOnError(providerError('quota_exhausted', 'gmail'), jobOf('backfill'), NOW)).toMatchObject({ notBefore: NOW + MAX_BACKOFF_MS });
  });

  it('does not count a rate limit as a failure: it waits the time asked, or a minute', () => {
    const limited = decideOnError(providerError('rate_limited', 'gmail', { retryAfterMs: 7_000 }), jobOf('backfill', 2), NOW);
    expect(limited).toMatchObject({ action: 'retry', notBefore: NOW + 7_000, failures: 2 });
    expect(decideOnError(providerError('rate_limited', 'outlook'), jobOf('incremental', 3), NOW)).toMatchObject({ action: 'retry', notBefore: NOW + RATE_LIMIT_WAIT_MS, failures: 3 });
    // A run of rate limits never ends in a failure.
    let failures = 0;
    for (let i = 0; i < 20; i++) {
      const decision = decideOnError(providerError('rate_limited', 'gmail'), jobOf('backfill', failures), NOW);
      expect(decision.action).toBe('retry');
      if (decision.action === 'retry') failures = decision.failures;
    }
    expect(failures).toBe(0);
  });

  it(`ends a mailbox job after ${MAX_TRANSIENT_FAILURES} transient failures in a row, backing off 1, 2, 4 minutes before`, () => {
    for (const kind of ['backfill', 'incremental', 'preview', 'undo'] as const) {
      const steps = [0, 1, 2, 3].map((failures) => decideOnError(providerError('server', 'gmail'), jobOf(kind, failures), NOW));
      expect(steps.map((d) => d.action), kind).toEqual(['retry', 'retry', 'retry', 'fail']);
      expect(steps.slice(0, 3), kind).toMatchObject([
        { failures: 1, notBefore: NOW + MINUTE },
        { failures: 2, notBefore: NOW + 2 * MINUTE },
        { failures: 3, notBefore: NOW + 4 * MINUTE },
      ]);
    }
  });

  it('never fails the CRM lane on transient errors: an outage of hours is waited out at most 30 minutes apart (R13)', () => {
    for (const kind of ['outbox', 'contacts'] as const) {
      for (const failures of [3, 4, 10, 1000]) {
        const decision = decideOnError(providerError('network', 'crm'), jobOf(kind, failures), NOW);
        expect(decision, `${kind} after ${failures}`).toMatchObject({ action: 'retry', failures: failures + 1 });
        if (decision.action === 'retry') expect(decision.notBefore - NOW).toBeLessThanOrEqual(MAX_BACKOFF_MS);
      }
    }
  });

  it('fails a mailbox job at once on an error that asking again cannot change; the CRM lane waits the backoff instead, never in a loop', () => {
    expect(decideOnError(providerError('bad_response', 'gmail', { final: true }), jobOf('backfill'), NOW)).toMatchObject({ action: 'fail' });
    expect(decideOnError(providerError('bad_response', 'crm', { final: true }), jobOf('outbox', 2), NOW)).toMatchObject({ action: 'retry', failures: 3, notBefore: NOW + 4 * MINUTE });
  });

  it('fails on an error that is not a ProviderError, in plain words that leak nothing of it', () => {
    const bug = new TypeError('Cannot read properties of undefined (reading "token") at Bearer ya29.SECRET-TOKEN, body: SECRET-BODY');
    for (const kind of KINDS) {
      const decision = decideOnError(bug, jobOf(kind), NOW);
      expect(decision.action, kind).toBe(LANES[kind] === 'crm' ? 'retry' : 'fail');
      expect(decision.error.data).toMatchObject({ action: 'retry', retryable: false });
      expect(decision.error.message).toMatch(/^The sync stopped on an unexpected problem/);
      expect(JSON.stringify(decision.error.toJSON())).not.toMatch(/SECRET|token|TypeError|undefined/);
    }
    expect(decideOnError('a thrown string', jobOf('backfill'), NOW).action).toBe('fail');
  });
});

describe('backoffMs', () => {
  it('doubles from a minute, capped at 30 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50, 5000].map((failures) => backoffMs(failures, null) / MINUTE)).toEqual([1, 2, 4, 8, 16, 30, 30, 30, 30]);
    expect(backoffMs(0, null)).toBe(BASE_BACKOFF_MS);
  });

  it('is never sooner than the Retry-After the peer asked for, up to the cap: a hostile Retry-After cannot park a job for years', () => {
    expect(backoffMs(1, 90_000)).toBe(90_000);
    expect(backoffMs(3, 90_000)).toBe(4 * MINUTE);
    expect(backoffMs(9, 2 * MAX_BACKOFF_MS)).toBe(MAX_BACKOFF_MS);
    const years = 1_000_000_000_000;
    expect(decideOnError(providerError('rate_limited', 'crm', { retryAfterMs: years }), jobOf('outbox'), NOW)).toMatchObject({ notBefore: NOW + MAX_BACKOFF_MS });
    expect(decideOnError(providerError('server', 'crm', { retryAfterMs: years }), jobOf('outbox'), NOW)).toMatchObject({ notBefore: NOW + MAX_BACKOFF_MS });
    expect(decideOnError(providerError('quota_exhausted', 'gmail', { retryAfterMs: years }), jobOf('backfill'), NOW)).toMatchObject({ notBefore: NOW + 24 * 60 * MINUTE });
    expect(decideOnError(providerError('server', 'gmail', { retryAfterMs: 3 * MINUTE }), jobOf('backfill', 0), NOW)).toMatchObject({ notBefore: NOW + 3 * MINUTE });
  });
});
