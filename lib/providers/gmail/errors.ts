import { z } from 'zod';
import { echoableToken, type ProviderError, providerError } from '../../domain';
import { retryAfterMs } from '../../http/request';
import { msUntilPacificMidnight } from './quota';

/**
 * Google's API error JSON, as the Gmail API's "Resolve errors" guide shows it:
 * `{"error":{"code","message","errors":[{"domain","reason","message",…}],"status"}}`, where newer
 * answers add `details` with a `google.rpc.ErrorInfo` whose `reason` is an UPPER_SNAKE code
 * (e.g. `ACCESS_TOKEN_SCOPE_INSUFFICIENT`, `RATE_LIMIT_EXCEEDED`).
 */
const googleErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z.array(z.object({ reason: z.string().optional(), domain: z.string().optional() }).loose()).optional(),
    details: z.array(z.object({ reason: z.string().optional() }).loose()).optional(),
  }),
});

/** Per-minute and per-second limits: retry after a wait (R12). */
const RATE_LIMITED = new Set(['ratelimitexceeded', 'userratelimitexceeded', 'rate_limit_exceeded', 'concurrentlimitexceeded']);
/** The day's quota is gone: waiting seconds does not help. */
const QUOTA_GONE = new Set(['dailylimitexceeded', 'quotaexceeded', 'dailylimitexceededunreg']);
/** The token lacks a scope, or the account or domain may not use the API. */
const DENIED = new Set(['insufficientpermissions', 'access_token_scope_insufficient', 'forbidden', 'domainpolicy']);

/** The reasons an error body names, lower-cased: `errors[].reason`, then `details[].reason`. */
function reasonsOf(body: unknown): string[] {
  const parsed = googleErrorSchema.safeParse(body);
  if (!parsed.success) return [];
  const { errors = [], details = [] } = parsed.data.error;
  return [...errors, ...details].flatMap((item) => (item.reason ? [item.reason.toLowerCase()] : []));
}

/**
 * Classifies a non-2xx Gmail answer (R12), for whole requests and for the parts of a batch:
 * 401 is `auth_expired` (the shared `send` renews the token once); 429, and 403 with a rate-limit
 * reason, are `rate_limited` with `Retry-After`; 403 with a daily-limit reason is
 * `quota_exhausted`; any other 403 is `insufficient_permissions`; 404 is `not_found` (the history
 * caller turns it into `cursor_expired`); 5xx is `server`; anything else `bad_response`, final for
 * any other 4xx (a bad page token or query is refused again however often it is sent).
 */
export function classifyGmailError(status: number, body: unknown, headers: Headers): ProviderError {
  const reasons = reasonsOf(body);
  const has = (set: Set<string>) => reasons.some((reason) => set.has(reason));
  const wait = retryAfterMs(headers);

  if (status === 401) return providerError('auth_expired', 'gmail', { retryAfterMs: 0 });
  if (status === 429 || (status === 403 && has(RATE_LIMITED))) return providerError('rate_limited', 'gmail', { retryAfterMs: wait });
  if (status === 403 && has(QUOTA_GONE)) {
    return providerError('quota_exhausted', 'gmail', { retryAfterMs: wait ?? msUntilPacificMidnight(Date.now()), detail: 'It resets at midnight Pacific time.' });
  }
  if (status === 403) {
    const detail = has(DENIED) ? 'Reconnect Gmail and allow every permission asked for.' : undefined;
    return providerError('insufficient_permissions', 'gmail', detail ? { detail } : {});
  }
  if (status === 404) return providerError('not_found', 'gmail');
  if (status >= 500) return providerError('server', 'gmail', { retryAfterMs: wait });
  const reason = echoableToken(reasons[0]);
  return providerError('bad_response', 'gmail', { detail: `Gmail answered ${status}${reason ? ` ${reason}` : ''}.`, final: status >= 400 && status < 500 });
}
