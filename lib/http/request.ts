import type { z } from 'zod';
import { bestEffort } from '../async';
import type { AccessTokenSource } from '../auth/access-token';
import { fetchWithCredential } from '../auth/oauth';
import { echoableToken, ProviderError, type ProviderErrorData, providerError } from '../domain';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from './retry';
import { jsonOrText } from './json-or-text';

type Source = ProviderErrorData['source'];

/** One remote peer as the clients see it: who it is, how to sign requests, how it words errors. */
export interface HttpPeer {
  source: Source;
  tokens: AccessTokenSource;
  /** Turns a non-2xx answer (body already parsed as JSON when it was JSON) into a typed error. */
  classify(status: number, body: unknown, headers: Headers): ProviderError;
  retry?: Partial<RetryOptions>;
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: BodyInit;
  signal?: AbortSignal;
  /**
   * Runs before every attempt, once the token is at hand, e.g. to wait for rate-limit budget: the
   * request then leaves as soon as the budget allows, not after a token refresh that the
   * budget's clock did not count.
   */
  beforeAttempt?: (signal?: AbortSignal) => Promise<void>;
  /**
   * False for a request that must not happen twice (sending an email): it is repeated only when
   * the peer said it did not process it (401, 429, or a 503 with `Retry-After`), never after a
   * dropped connection, a 5xx or an unreadable answer, which may follow a processed request.
   */
  idempotent?: false;
}

/**
 * Sends an authorised request and returns the 2xx response. Around it:
 * - a 401 drops the token and tries once more with a fresh one; a second 401 means the grant is
 *   gone (`reauth_required`);
 * - transient failures (429, 5xx, network, per `classify`) retry with backoff and `Retry-After`;
 * - anything else is thrown as the peer's typed `ProviderError`. Aborts propagate unchanged.
 * A redirect is never followed (the token would go with it): it fails like an unreachable peer.
 */
export async function send(peer: HttpPeer, request: HttpRequest): Promise<Response> {
  let refusedOnce = false;
  return withRetry(
    async () => {
      const token = await peer.tokens.token(request.signal);
      await request.beforeAttempt?.(request.signal);
      let response: Response;
      try {
        // The bearer token never follows a redirect to wherever the peer points.
        response = await fetchWithCredential(
          request.url,
          { method: request.method ?? 'GET', headers: { ...request.headers, authorization: `Bearer ${token}` }, body: request.body, signal: request.signal },
          peer.source,
        );
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        throw request.idempotent === false && error instanceof ProviderError && error.code === 'network' ? once(error) : error;
      }
      if (response.ok) return response;
      // An error answer whose body cannot be read is classified by its status alone.
      const body = jsonOrText((await bestEffort('read an error answer', response.text())) ?? '');
      if (response.status === 401) {
        await peer.tokens.invalidate(token);
        if (refusedOnce) throw providerError('reauth_required', peer.source);
        refusedOnce = true;
        // Retry at once with a new token; the refresh itself reports a lost grant.
        throw providerError('auth_expired', peer.source, { retryAfterMs: 0 });
      }
      const failure = peer.classify(response.status, body, response.headers);
      const unprocessed = response.status === 429 || (response.status === 503 && response.headers.has('retry-after'));
      if (request.idempotent === false && !unprocessed) throw once(failure);
      throw failure;
    },
    { ...DEFAULT_RETRY, ...peer.retry, signal: request.signal },
  );
}

/** The same error, marked so that `withRetry` does not repeat a request that may have happened. */
function once(error: ProviderError): ProviderError {
  return new ProviderError({ ...error.data, retryable: false });
}

/**
 * `send`, then the JSON body checked against `schema`. A body that is not JSON or does not fit is
 * `bad_response`; it is fetched once more (a truncated answer is often transient), and only that
 * is retried here: `send` has already retried everything else.
 */
export async function requestJson<S extends z.ZodType>(peer: HttpPeer, request: HttpRequest & { schema: S }): Promise<z.output<S>> {
  for (let attempt = 1; ; attempt++) {
    const response = await send(peer, request);
    const text = await response.text();
    try {
      return parseJson(peer.source, text, request.schema);
    } catch (error) {
      if (attempt >= 2 || request.idempotent === false) throw error;
    }
  }
}

/** Parses a JSON text against a schema; any failure is `bad_response`, without echoing the body. */
export function parseJson<S extends z.ZodType>(source: Source, text: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw providerError('bad_response', source, { detail: 'The answer was not valid JSON.' });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // A path can hold the peer's own keys (a record's), so it is named only when it is a short token.
    const where = echoableToken(parsed.error.issues[0]?.path.join('.'));
    throw providerError('bad_response', source, { detail: where ? `Unexpected shape at ${where}.` : 'Unexpected shape in the answer.' });
  }
  return parsed.data;
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when
 * absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
