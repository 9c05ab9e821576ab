import type { AccessTokenSource } from '../../auth/access-token';
import { type ProviderError, providerError } from '../../domain';
import { send } from '../../http/request';
import { DEFAULT_RETRY, withRetry } from '../../sync/retry';
import { classifyGmailError } from './errors';
import type { GmailApi } from './gmail-api';
import { type BatchCall, batchRequest, newBoundary, parseBatchResponse } from './multipart';

/** Gmail allows 100 calls in a batch and discourages more than 50 ("Batching requests"). */
export const MAX_BATCH_CALLS = 50;

const BATCH_PATH = '/batch/gmail/v1';

/** One GET to run inside a batch, with what it costs in quota units. */
export interface BatchGet {
  path: string;
  cost: number;
}

/** Carries a failure of the batch request itself past `withRetry`: `send` already retried it. */
class Settled {
  constructor(readonly error: unknown) {}
}

/**
 * Groups calls into batches of at most 50 whose cost fits the limit in one take, so a batch
 * never waits for more units than one window can hold.
 */
export function planBatches<T extends { cost: number }>(calls: readonly T[], capacity: number, maxCalls = MAX_BATCH_CALLS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let units = 0;
  for (const call of calls) {
    if (current.length > 0 && (current.length === maxCalls || units + call.cost > capacity)) {
      batches.push(current);
      current = [];
      units = 0;
    }
    current.push(call);
    units += call.cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The token source, remembering the last token it handed out, so a refused one can be named. */
function recording(tokens: AccessTokenSource): AccessTokenSource & { used: string | null } {
  const source = {
    used: null as string | null,
    async token(signal?: AbortSignal) {
      source.used = await tokens.token(signal);
      return source.used;
    },
    invalidate: (token: string) => tokens.invalidate(token),
  };
  return source;
}

/**
 * The failure that speaks for a round's wait: the longest `Retry-After`; else one without any
 * (the backoff applies); a refused token alone (wait 0) retries at once.
 */
function longestWait(errors: ProviderError[]): ProviderError | null {
  const rank = (e: ProviderError) => e.data.retryAfterMs ?? 0.5;
  return errors.reduce<ProviderError | null>((a, e) => (a && rank(a) >= rank(e) ? a : e), null);
}

interface Failure {
  index: number;
  error: ProviderError;
}

/**
 * Runs GETs through Gmail's batch endpoint and returns the 2xx bodies by the index of their call;
 * a call answered 404 (the message was deleted meanwhile) is left out. The batches go out
 * together; the mailbox's limiter spaces them, each taking the sum of its calls' costs before it
 * is sent.
 *
 * A failed part does not fail the batch: the parts refused with a 429 or a 403 rate limit, a
 * 5xx, or a 401 (the token is dropped first) are sent again, alone, in a new batch after the
 * longest `Retry-After` any of them gave (else the shared backoff), within the retry attempts.
 * Parts refused twice running with 401 mean the grant is gone (`reauth_required`); any other
 * part failure (permissions, daily quota) is thrown as classified.
 */
export async function batchGet(api: GmailApi, calls: readonly BatchGet[], signal?: AbortSignal): Promise<Map<number, unknown>> {
  const bodies = new Map<number, unknown>();
  let pending = calls.map((_, index) => index);
  let refusedBefore = false;

  const runBatch = async (indexes: number[]): Promise<Failure[]> => {
    const wire: BatchCall[] = indexes.map((index) => ({ id: `item-${index}`, method: 'GET', path: calls[index]!.path }));
    const { body, contentType } = batchRequest(wire, newBoundary());
    const tokens = recording(api.peer.tokens);
    const cost = indexes.reduce((sum, index) => sum + calls[index]!.cost, 0);
    const request = api.request(BATCH_PATH, cost, { method: 'POST', headers: { 'content-type': contentType }, body, signal });
    const response = await send({ ...api.peer, tokens }, request).catch((error: unknown) => {
      throw new Settled(error);
    });
    const answers = parseBatchResponse(await response.text(), response.headers.get('content-type'), wire);
    const failures: Failure[] = [];
    let refused = false;
    for (const index of indexes) {
      const answer = answers.get(`item-${index}`);
      if (!answer) failures.push({ index, error: providerError('server', 'gmail', { detail: 'A batch answer left out a call.' }) });
      else if (answer.status >= 200 && answer.status < 300) bodies.set(index, answer.body);
      else if (answer.status === 401) {
        refused = true;
        failures.push({ index, error: providerError('auth_expired', 'gmail', { retryAfterMs: 0 }) });
      } else if (answer.status !== 404) failures.push({ index, error: classifyGmailError(answer.status, answer.body, answer.headers) });
    }
    if (refused && tokens.used) await tokens.invalidate(tokens.used);
    return failures;
  };

  try {
    await withRetry(
      async () => {
        const batches = planBatches(pending.map((index) => ({ index, cost: calls[index]!.cost })), api.limiter.limit);
        const failures = (await Promise.all(batches.map((batch) => runBatch(batch.map((call) => call.index))))).flat();
        const refused = failures.some((f) => f.error.code === 'auth_expired');
        if (refused && refusedBefore) throw new Settled(providerError('reauth_required', 'gmail'));
        refusedBefore = refused;
        const fatal = failures.find((f) => !f.error.retryable);
        if (fatal) throw new Settled(fatal.error);
        pending = failures.map((f) => f.index);
        const wait = longestWait(failures.map((f) => f.error));
        if (wait) throw wait;
      },
      { ...DEFAULT_RETRY, ...api.retry, signal },
    );
  } catch (error) {
    throw error instanceof Settled ? error.error : error;
  }
  return bodies;
}
