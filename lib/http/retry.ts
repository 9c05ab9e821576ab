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
 * Runs `operation` and retries it while it fails with a retryable `ProviderError` (429, 403 rate
 * limits, 5xx, network; R12). The wait honours the peer's `Retry-After` when it gave one;
 * otherwise it is exponential with full jitter, so many clients do not retry in step. Other
 * errors, and the last failure, are thrown unchanged. Aborting `signal` stops waiting at once.
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
