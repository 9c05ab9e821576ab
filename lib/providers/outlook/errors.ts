import { GraphError } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { echoableToken, ProviderError, providerError } from '../../domain';
import { jsonOrText } from '../../http/json-or-text';
import { retryAfterMs } from '../../http/request';

/**
 * Graph's error JSON, as documented under "Microsoft Graph error responses":
 * `{"error":{"code","message","innerError":{"code"?,"date","request-id","client-request-id"}}}`.
 * Some workloads put the more specific code in `innerError.code`.
 */
const graphErrorSchema = z.object({
  error: z.object({
    code: z.string().optional(),
    message: z.string().optional(),
    innerError: z.object({ code: z.string().optional() }).optional(),
  }),
});

/** Codes that mean "the delta or skip token is gone": 410 Gone, or these in the error JSON (R14). */
const CURSOR_GONE = new Set(['syncstatenotfound', 'syncstateinvalid', 'resyncrequired']);
/** Exchange's throttling codes; `MailboxConcurrency` usually arrives only in the message text. */
const THROTTLED = new Set(['toomanyrequests', 'applicationthrottled', 'mailboxconcurrency', 'errortoomanyobjectsopened']);
const DENIED = new Set(['erroraccessdenied', 'authorization_requestdenied', 'accessdenied', 'erroraccessdeniedtoauth']);

/**
 * Classifies a non-2xx Graph answer (R12): the `HttpPeer.classify` of the Outlook client, also used
 * for the parts of a `$batch`. 401 is `auth_expired` (request.ts renews the token and retries once).
 * Any other 4xx is a final `bad_response`: a bad `$filter` or skip token is refused again however
 * often it is sent.
 */
export function classifyGraphError(status: number, body: unknown, headers: Headers): ProviderError {
  const parsed = graphErrorSchema.safeParse(body);
  const codes = parsed.success ? [parsed.data.error.code, parsed.data.error.innerError?.code].filter((c) => c !== undefined).map((c) => c.toLowerCase()) : [];
  const message = parsed.success ? (parsed.data.error.message ?? '') : '';
  const wait = retryAfterMs(headers);
  const has = (set: Set<string>) => codes.some((code) => set.has(code));

  if (status === 401) return providerError('auth_expired', 'outlook', { retryAfterMs: 0 });
  if (status === 410 || has(CURSOR_GONE)) return providerError('cursor_expired', 'outlook');
  if (status === 429 || has(THROTTLED) || /MailboxConcurrency/i.test(message)) return providerError('rate_limited', 'outlook', { retryAfterMs: wait });
  // A 503 that says when to come back is Graph shedding load, not an outage.
  if (status === 503 && wait !== null) return providerError('rate_limited', 'outlook', { retryAfterMs: wait });
  if (status === 403 || has(DENIED)) return providerError('insufficient_permissions', 'outlook', { detail: 'Reconnect Outlook and allow every permission asked for.' });
  if (status === 404) return providerError('not_found', 'outlook');
  if (status >= 500) return providerError('server', 'outlook', { retryAfterMs: wait });
  const code = echoableToken(codes[0]);
  return providerError('bad_response', 'outlook', { detail: `Graph answered ${status}${code ? ` ${code}` : ''}.`, final: status >= 400 && status < 500 });
}

/**
 * Any error out of the Graph client library as a `ProviderError`: a `GraphError` carries the status,
 * the code and the headers of the answer (its `body` is the `error` object as JSON text); a
 * `GraphError` without a status (-1) wraps a failure before any answer, e.g. fetch's `TypeError`.
 */
export function graphFailure(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof GraphError && error.statusCode > 0) {
    const inner = typeof error.body === 'string' ? jsonOrText(error.body) : error.body;
    const body = inner && typeof inner === 'object' ? { error: inner } : { error: { code: error.code ?? undefined, message: error.message } };
    return classifyGraphError(error.statusCode, body, error.headers ?? new Headers());
  }
  const name = error instanceof GraphError ? error.code : error instanceof Error ? error.name : null;
  if (name === 'TypeError') return providerError('network', 'outlook');
  if (name === 'SyntaxError') return providerError('bad_response', 'outlook', { detail: 'The answer was not valid JSON.' });
  return providerError('bad_response', 'outlook');
}
