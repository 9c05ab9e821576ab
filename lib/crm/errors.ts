import { echoableToken, ProviderError, providerError } from '../domain';
import { retryAfterMs } from '../http/request';
import { crmErrorSchema, scopeDetailsSchema, validationDetailsSchema } from './schemas';

/**
 * Classifies a non-2xx CRM answer (the contract's `ErrorResponse`, R37) as the typed error the
 * sync engine and the UI know (R12). It is the `HttpPeer.classify` of the CRM client:
 * - 401 → `auth_expired`; `send` drops the token and tries once more, and a second 401 becomes
 *   `reauth_required` (a personal access token cannot be renewed, so it always ends there);
 * - 403 `insufficient_scope` → `insufficient_permissions`, naming `details.required_scope`;
 * - 404 → `not_found`;
 * - 409 `idempotency_conflict` → `bad_response`, not retried: the extension reused a key for
 *   another request, which is a bug to report, not a passing problem;
 * - 409 `idempotency_in_progress` → `server`, retried after `Retry-After`: the same request is
 *   still running at the CRM (a retry after a dropped connection), and its answer will be replayed;
 * - 400 and 422 → `bad_response`, not retried, with the first field error in plain words;
 * - 429 → `rate_limited`, 503 and other 5xx → `server`, both with `Retry-After`.
 *
 * The CRM chooses every string of its answer, and its address is whatever the user typed in: a
 * scope, code or field name is quoted only when it is a short token (`echoableToken`), and a field
 * message only when it is one the contract documents.
 */
export function classifyCrmError(status: number, body: unknown, headers: Headers): ProviderError {
  const parsed = crmErrorSchema.safeParse(body);
  const error = parsed.success ? parsed.data.error : null;
  const wait = retryAfterMs(headers);

  if (status === 401) return providerError('auth_expired', 'crm', { retryAfterMs: 0 });
  if (status === 403) {
    const parsedScope = scopeDetailsSchema.safeParse(error?.details);
    const scope = parsedScope.success ? echoableToken(parsedScope.data.required_scope) : null;
    const detail = scope
      ? `It needs the "${scope}" permission: sign in to the CRM again and allow it, or use a token that has it.`
      : 'Sign in to the CRM again with an account that may do this.';
    return providerError('insufficient_permissions', 'crm', { detail });
  }
  if (status === 404) return providerError('not_found', 'crm');
  if (status === 409 && error?.code === 'idempotency_in_progress') {
    return providerError('server', 'crm', { retryAfterMs: wait, detail: 'It is still processing an earlier attempt of this request.' });
  }
  if (status === 409 && error?.code === 'idempotency_conflict') {
    return providerError('bad_response', 'crm', {
      detail: 'It refused a repeated request that differs from the first one sent under the same idempotency key. This is a bug in the extension; please report it.',
      final: true,
    });
  }
  if (status === 429) return providerError('rate_limited', 'crm', { retryAfterMs: wait });
  if (status >= 500) return providerError('server', 'crm', { retryAfterMs: wait });
  if (status === 422) {
    const refused = providerError('bad_response', 'crm', { detail: `It refused the data: ${firstFieldError(error?.details) ?? 'a field is not valid'}.`, final: true });
    const fields = validationDetailsSchema.safeParse(error?.details);
    return fields.success ? new CrmFieldsRefused(refused.data, fields.data.fields) : refused;
  }
  if (status >= 400 && status < 500) {
    const code = echoableToken(error?.code);
    return providerError('bad_response', 'crm', { detail: `It refused the request (${status}${code ? ` ${code}` : ''}).`, final: true });
  }
  return providerError('bad_response', 'crm', { detail: `It answered with HTTP ${status}.` });
}

/**
 * A 422 that names the fields the CRM refused (`details.fields`), kept so that a caller can tell
 * one refusal from another (`emailTaken`); the words for the user are the `ProviderError`'s.
 */
export class CrmFieldsRefused extends ProviderError {
  constructor(
    data: ProviderError['data'],
    readonly fields: Readonly<Record<string, readonly string[]>>,
  ) {
    super(data);
  }
}

/** Whether the CRM refused a contact because its email is already another contact's (createContact's 422). */
export function emailTaken(error: unknown): boolean {
  return error instanceof CrmFieldsRefused && (error.fields['email']?.includes('has already been taken') ?? false);
}

/** Field messages the contract documents (createContact, putMailbox); others are not quoted. */
const DOCUMENTED_FIELD_MESSAGES = new Set(['has already been taken', 'is required for a shared mailbox']);

/**
 * "email has already been taken" from `{"fields":{"email":["has already been taken"]}}`, "the
 * emails.3.date field is not valid" for a message the contract does not document; null when the
 * first field's name is not a short token.
 */
function firstFieldError(details: unknown): string | null {
  const parsed = validationDetailsSchema.safeParse(details);
  if (!parsed.success) return null;
  const [entry] = Object.entries(parsed.data.fields);
  const field = echoableToken(entry?.[0]);
  if (!entry || !field) return null;
  if (field === 'request') return 'the request is not valid';
  const name = field.replaceAll('_', ' ');
  const message = entry[1][0]!;
  return DOCUMENTED_FIELD_MESSAGES.has(message) ? `${name} ${message}` : `the ${name} field is not valid`;
}

/**
 * No CRM is connected, so `then` cannot happen yet: plain words, and "reconnect" as the fix (the
 * CRM connection in the options page is where the UI sends that action).
 */
export function crmNotConnected(then: string): ProviderError {
  return new ProviderError({
    code: 'reauth_required',
    source: 'crm',
    message: `No CRM is connected. Connect it under "CRM connection" in the options page, then ${then}.`,
    action: 'reconnect',
    retryable: false,
    retryAfterMs: null,
    at: Date.now(),
  });
}
