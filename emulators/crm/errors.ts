import type { Context } from 'hono';
import type { z } from 'zod';

/**
 * The CRM's one error shape (`ErrorResponse` in `lib/crm/openapi.yaml`):
 * `{"error":{"code","message","details"?}}`, for every status the API answers with an error.
 */
export interface CrmErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** Field path (`emails.3.date`) to its messages, as `details.fields` of a 422. */
export type FieldErrors = Record<string, string[]>;

/** An error body; `details` only when there are some. */
function crmError(code: string, message: string, details?: Record<string, unknown>): CrmErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

/** Answers an error in the CRM's shape. */
export function fail(c: Context, status: number, code: string, message: string, details?: Record<string, unknown>, headers?: Record<string, string>): Response {
  return c.json(crmError(code, message, details), status as 400, headers);
}

/** 422 `validation_failed` with `details.fields`. */
export function validationFailed(c: Context, fields: FieldErrors): Response {
  return fail(c, 422, 'validation_failed', 'The given data was invalid.', { fields });
}

/** Zod issues as `details.fields`; an issue on the whole value is filed under `request`. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || 'request';
    (fields[key] ??= []).push(issue.message);
  }
  return fields;
}

/** RFC 6750: a 401 names the scheme, and `invalid_token` when a token was sent. */
export const WWW_AUTHENTICATE = 'Bearer realm="crm", error="invalid_token"';

interface Default {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const DEFAULTS: Record<number, Default> = {
  400: { code: 'bad_request', message: 'The request body is not valid JSON.' },
  401: { code: 'unauthenticated', message: 'Unauthenticated.', headers: { 'WWW-Authenticate': WWW_AUTHENTICATE } },
  403: { code: 'insufficient_scope', message: 'The token does not allow this action.' },
  404: { code: 'not_found', message: 'Not found.' },
  409: { code: 'idempotency_conflict', message: 'The idempotency key was used with another request.' },
  // The documented 422 always names at least one field.
  422: { code: 'validation_failed', message: 'The given data was invalid.', details: { fields: { request: ['is invalid'] } } },
  429: { code: 'rate_limited', message: 'Too many requests.', headers: { 'Retry-After': '1' } },
  500: { code: 'internal_error', message: 'The request failed unexpectedly.' },
  502: { code: 'bad_gateway', message: 'Bad gateway.' },
  503: { code: 'service_unavailable', message: 'The CRM is temporarily unavailable.', headers: { 'Retry-After': '1' } },
  504: { code: 'gateway_timeout', message: 'Gateway timeout.' },
};

/** The body and headers for an injected fault; `reason` replaces the code. */
export function crmErrorResponse(status: number, reason?: string): { body: CrmErrorBody; headers?: Record<string, string> } {
  const base = DEFAULTS[status] ?? { code: status >= 500 ? 'internal_error' : 'bad_request', message: 'The request failed.' };
  return { body: crmError(reason ?? base.code, base.message, base.details), headers: base.headers };
}

/** 503 while the CRM is "down" (`POST /__admin/crm/down`). */
export function unavailable(c: Context): Response {
  const { body, headers } = crmErrorResponse(503);
  return c.json(body, 503, headers);
}
