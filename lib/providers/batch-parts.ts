import { type ProviderError, type ProviderErrorData, providerError } from '../domain';
import type { RetryOptions } from '../sync/retry';
import { retryOwnFailures } from './retry-own-failures';

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
 * the retry attempts. Parts refused with 401 in two rounds running mean the grant is gone
 * (`reauth_required`); any other failure is thrown as classified.
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
