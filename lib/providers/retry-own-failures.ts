import { type RetryOptions, withRetry } from '../sync/retry';

/** An error `withRetry` must pass through untouched: it was already retried where it arose. */
class Settled {
  constructor(readonly error: unknown) {}
}

/** Marks the failure of `work` as settled (see `retryOwnFailures`). */
export function settle<T>(work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    throw new Settled(error);
  });
}

/**
 * `withRetry` for the failures `operation` raises itself; those of inner calls wrapped in `settle`
 * come out as they were, so attempts do not multiply (each attempt here would spend all of `send`'s).
 */
export async function retryOwnFailures<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  try {
    return await withRetry(operation, options);
  } catch (error) {
    throw error instanceof Settled ? error.error : error;
  }
}
