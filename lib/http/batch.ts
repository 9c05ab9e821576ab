import type { AccessTokenSource } from '../auth/access-token';
import { type ProviderError, type ProviderErrorData, providerError } from '../domain';
import { type RetryOptions, withRetry } from './retry';

/** A token source that remembers the last token it handed out. */
export interface RecordingTokens extends AccessTokenSource {
  /** Drops the token last handed out, if any, so the next `token()` gets a new one. */
  invalidateUsed(): Promise<void>;
}

/**
 * Wraps `tokens` for one batch request. A batch can answer 200 while its parts answer 401, and
 * only the token that batch was sent with may be dropped then: `invalidate` of the current token
 * could throw away one that another batch has just renewed.
 */
export function recordingTokens(tokens: AccessTokenSource): RecordingTokens {
  let used: string | null = null;
  return {
    async token(signal) {
      used = await tokens.token(signal);
      return used;
    },
    invalidate: (token) => tokens.invalidate(token),
    invalidateUsed: async () => {
      if (used !== null) await tokens.invalidate(used);
    },
  };
}

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

/** A part of a batch that did not succeed, by the index of its call. */
export interface PartFailure {
  index: number;
  error: ProviderError;
}

/**
 * The failure that speaks for a round's wait: the longest `Retry-After`; else one without any
 * (the backoff applies); a refused token alone (wait 0) retries at once.
 */
function longestWait(errors: ProviderError[]): ProviderError | null {
  const rank = (e: ProviderError) => e.data.retryAfterMs ?? 0.5;
  return errors.reduce<ProviderError | null>((a, e) => (a && rank(a) >= rank(e) ? a : e), null);
}

/**
 * Runs the calls `0 … count - 1` of a batch endpoint in rounds. `round` sends the calls it is given,
 * in as many batch requests as it needs, and returns the parts that failed: a part refused with 401
 * as `auth_expired`, once the token its batch used was dropped. It wraps those batch requests in
 * `settle`: `send` has retried them already.
 *
 * A failed part does not fail the call: retryable failures (429, 5xx, 401) go again, alone, in the
 * next round, after the longest `Retry-After` any of them gave (else the shared backoff), within
 * the retry attempts. A wait longer than `MAX_IN_MEMORY_WAIT_MS` is not slept: the call fails at
 * once with that wait as `retryAfterMs` (see `withRetry`). Parts refused with 401 in two rounds
 * running mean the grant is gone (`reauth_required`); any other failure is thrown as classified.
 */
export async function retryParts(
  count: number,
  round: (indexes: number[]) => Promise<PartFailure[]>,
  source: ProviderErrorData['source'],
  options: RetryOptions,
): Promise<void> {
  let pending = Array.from({ length: count }, (_, index) => index);
  let refusedBefore = false;
  await retryOwnFailures(async () => {
    const failures = await round(pending);
    const refused = failures.some((f) => f.error.code === 'auth_expired');
    if (refused && refusedBefore) throw providerError('reauth_required', source);
    refusedBefore = refused;
    const fatal = failures.find((f) => !f.error.retryable);
    if (fatal) throw fatal.error;
    pending = failures.map((f) => f.index);
    const wait = longestWait(failures.map((f) => f.error));
    if (wait) throw wait;
  }, options);
}
