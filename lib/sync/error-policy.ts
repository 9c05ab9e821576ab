import type { JobKind } from '../db';
import { ProviderError, providerError } from '../domain';

/** Transient failures in a row after which a mailbox job stops with a plain error (R12). */
export const MAX_TRANSIENT_FAILURES = 4;
/** The first backoff; each further failure doubles it (Twenty's 1 min × 2^(failures−1)). */
export const BASE_BACKOFF_MS = 60_000;
/** The longest backoff: a CRM outage of hours is retried at least this often, then drains. */
export const MAX_BACKOFF_MS = 30 * 60_000;
/** How long Graph or Gmail is given when a rate limit names no time. */
export const RATE_LIMIT_WAIT_MS = 60_000;
/**
 * The longest wait a peer's `Retry-After` may set: a hostile or broken CRM must not park the
 * outbox for years. A daily quota (Gmail's resets at Pacific midnight) waits at most a day.
 */
const MAX_TOLD_WAIT_MS = MAX_BACKOFF_MS;
export const MAX_QUOTA_WAIT_MS = 24 * 60 * 60_000;

/** A peer's `Retry-After`, bounded (see `MAX_TOLD_WAIT_MS`). */
function told(error: ProviderError, fallback: number, max = MAX_TOLD_WAIT_MS): number {
  const wait = error.data.retryAfterMs ?? fallback;
  return Math.min(Number.isFinite(wait) && wait >= 0 ? wait : fallback, max);
}

/**
 * What to do after a job step failed:
 * - `retry`: try again at `notBefore` (persisted, picked up by an alarm), `failures` counted;
 * - `block`: the user must act (reconnect, grant access) or wait for a quota (`notBefore`); the
 *   mailbox, or the CRM lane, shows the error with its fixing action (R12);
 * - `resync`: the provider forgot the cursor; fall back to a bounded re-sync (R14);
 * - `fail`: transient failures kept coming; stop with the plain error and its action, until the
 *   user syncs again. The CRM lane never fails: an outage of hours is waited out (R13, R15).
 */
export type ErrorDecision =
  | { action: 'retry'; notBefore: number; failures: number; error: ProviderError }
  | { action: 'block'; status: 'reconnect_needed' | 'error'; notBefore: number | null; error: ProviderError }
  | { action: 'resync'; error: ProviderError }
  | { action: 'fail'; error: ProviderError };

/** A failure that is not a typed error (a bug, or IndexedDB refusing a write): plain words, no detail leaked. */
function untyped(): ProviderError {
  return new ProviderError({
    code: 'bad_response',
    source: 'crm',
    message: 'The sync stopped on an unexpected problem in the extension. Try syncing again; if it keeps happening, reload the extension.',
    action: 'retry',
    retryable: false,
    retryAfterMs: null,
    at: Date.now(),
  });
}

/** The wait before attempt `failures + 1`: exponential, capped, never sooner than `Retry-After`. */
export function backoffMs(failures: number, retryAfterMs: number | null): number {
  const exponential = Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
  return Math.max(exponential, Math.min(retryAfterMs ?? 0, MAX_TOLD_WAIT_MS));
}

/**
 * The one error policy of the engine (R12, R14): for an error thrown by a step of a `job` that had
 * failed `failures` times in a row before, what happens next. The clients classify errors into
 * `ProviderError` codes; this decides what each code means for the job.
 */
export function decideOnError(error: unknown, job: { kind: JobKind; lane: string; failures: number }, now: number): ErrorDecision {
  const decision = decideFor(error, job, now);
  // The CRM lane never gives up (R13, R15): what would end a mailbox job waits, with the backoff,
  // so a CRM that keeps refusing is asked again later, never in a loop and never dropped.
  if (decision.action !== 'fail' || !onCrmLane(job)) return decision;
  const failures = job.failures + 1;
  return { action: 'retry', notBefore: now + backoffMs(failures, decision.error.data.retryAfterMs), failures, error: decision.error };
}

/** The contact mirror and the outbox: the CRM's jobs, not a mailbox's. */
function onCrmLane(job: { kind: JobKind }): boolean {
  return job.kind === 'outbox' || job.kind === 'contacts';
}

function decideFor(error: unknown, job: { kind: JobKind; lane: string; failures: number }, now: number): ErrorDecision {
  if (!(error instanceof ProviderError)) return { action: 'fail', error: untyped() };
  switch (error.code) {
    case 'reauth_required':
      return { action: 'block', status: 'reconnect_needed', notBefore: null, error };
    case 'insufficient_permissions':
      return { action: 'block', status: 'error', notBefore: null, error };
    case 'quota_exhausted':
      return { action: 'block', status: 'error', notBefore: now + told(error, MAX_BACKOFF_MS, MAX_QUOTA_WAIT_MS), error };
    case 'cursor_expired':
      return job.kind === 'incremental' ? { action: 'resync', error } : { action: 'fail', error };
    case 'rate_limited':
      // The provider said how long to wait; waiting is the fix, so it is not counted as a failure.
      return { action: 'retry', notBefore: now + told(error, RATE_LIMIT_WAIT_MS), failures: job.failures, error };
    case 'not_found':
      return { action: 'fail', error };
    default: {
      if (!error.retryable) return { action: 'fail', error };
      const failures = job.failures + 1;
      if (failures >= MAX_TRANSIENT_FAILURES) return { action: 'fail', error };
      return { action: 'retry', notBefore: now + backoffMs(failures, error.data.retryAfterMs), failures, error };
    }
  }
}

/** The error a job ends in when its transient failures kept coming: the last one, with how many. */
export function exhausted(error: ProviderError, failures: number): ProviderError {
  return providerError(error.code, error.data.source, { detail: `It failed ${failures} times in a row; press "Sync now" to try again.` });
}
