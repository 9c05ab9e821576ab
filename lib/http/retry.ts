import { ProviderError } from '../domain';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Backoff before the second attempt; doubles after each failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
  /** Injected in tests; `Math.random` otherwise. */
  random?: () => number;
  /** Called before each wait, e.g. to show "retrying in 8 s" (R12). */
  onRetry?: (error: ProviderError, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 500, maxDelayMs: 60_000 };

/**
 * The longest a client may wait in memory (a timer) before it acts again. Chrome stops an MV3
 * service worker after about 30 s without extension events or API calls, and a pending timer
 * does not count as one, so a longer wait can die with the worker and be forgotten. 20 s leaves
 * room for the request that follows the wait. A longer wait is handed to the caller instead, as
 * a retryable `ProviderError` whose `retryAfterMs` the sync engine stores as "not before".
 */
export const MAX_IN_MEMORY_WAIT_MS = 20_000;

/**
 * `error`, to be retried no sooner than `waitMs` from now: what a client throws instead of
 * waiting longer than `MAX_IN_MEMORY_WAIT_MS`. Code, words and time stay the peer's.
 */
export function deferred(error: ProviderError, waitMs: number): ProviderError {
  return new ProviderError({ ...error.data, retryable: true, retryAfterMs: Math.ceil(waitMs) });
}

/**
 * Runs `operation` and retries it while it fails with a retryable `ProviderError` (429, 403 rate
 * limits, 5xx, network; R12). The wait honours the peer's `Retry-After` when it gave one;
 * otherwise it is exponential with full jitter, so many clients do not retry in step. Other
 * errors, and the last failure, are thrown unchanged. Aborting `signal` stops waiting at once.
 * A wait longer than `MAX_IN_MEMORY_WAIT_MS` is not slept: the failure is thrown at once with
 * that wait as its `retryAfterMs` (see `deferred`).
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || attempt >= options.attempts) throw error;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = error.data.retryAfterMs ?? Math.round(random() * backoff);
      if (delayMs > MAX_IN_MEMORY_WAIT_MS) throw deferred(error, delayMs);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
