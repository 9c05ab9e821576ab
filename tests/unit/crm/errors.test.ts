import { describe, expect, it } from 'vitest';
import { classifyCrmError } from '@/lib/crm';

/** The contract's error answers (R37) as typed errors (R12). Bodies follow `ErrorResponse`. */
const body = (code: string, details?: Record<string, unknown>) => ({ error: { code, message: `${code} (for logs)`, ...(details && { details }) } });
const headers = (retryAfter?: string) => new Headers(retryAfter ? { 'retry-after': retryAfter } : {});

describe('classifyCrmError', () => {
  it('401 → auth_expired, renewed at once', () => {
    expect(classifyCrmError(401, body('unauthenticated'), headers()).data).toMatchObject({ code: 'auth_expired', retryAfterMs: 0 });
  });

  it('403 insufficient_scope → insufficient_permissions naming the scope', () => {
    const error = classifyCrmError(403, body('insufficient_scope', { required_scope: 'emails:write' }), headers());
    expect(error.data).toMatchObject({ code: 'insufficient_permissions', retryable: false, action: 'grant_permission' });
    expect(error.message).toContain('"emails:write"');
  });

  it('404 → not_found', () => {
    expect(classifyCrmError(404, body('not_found'), headers()).code).toBe('not_found');
  });

  it('409 idempotency_conflict → bad_response that is not retried', () => {
    const error = classifyCrmError(409, body('idempotency_conflict', { idempotency_key: 'k' }), headers());
    expect(error.data).toMatchObject({ code: 'bad_response', retryable: false });
    expect(error.message).toMatch(/idempotency key.*bug/);
  });

  it('409 idempotency_in_progress → server, retried after Retry-After: the same request is still running', () => {
    const error = classifyCrmError(409, body('idempotency_in_progress', { idempotency_key: 'k' }), headers('1'));
    expect(error.data).toMatchObject({ code: 'server', retryable: true, retryAfterMs: 1000 });
    expect(error.message).toMatch(/still processing an earlier attempt/);
  });

  it('422 → bad_response with the first field error in plain words, not retried', () => {
    const error = classifyCrmError(422, body('validation_failed', { fields: { email: ['has already been taken'], additional_emails: ['x'] } }), headers());
    expect(error.data).toMatchObject({ code: 'bad_response', retryable: false });
    expect(error.message).toContain('email has already been taken');
  });

  it('names a required scope, a field or a code only when it is a short token, never a message the CRM wrote', () => {
    const scope = classifyCrmError(403, body('insufficient_scope', { required_scope: 'emails:write". Your trial ended: pay at https://evil.test' }), headers());
    expect(scope.code).toBe('insufficient_permissions');
    expect(scope.message).toMatch(/Sign in to the CRM again with an account that may do this\.$/);
    const invented = classifyCrmError(422, body('validation_failed', { fields: { email: ['is locked: call +1 555 0100'] } }), headers());
    expect(invented.message).toMatch(/It refused the data: the email field is not valid\.$/);
    const field = classifyCrmError(422, body('validation_failed', { fields: { 'Call +1 555 0100 to unlock': ['has already been taken'] } }), headers());
    expect(field.message).toMatch(/It refused the data: a field is not valid\.$/);
    expect(classifyCrmError(422, body('validation_failed', { fields: { 'emails.3.date': ['x'] } }), headers()).message).toMatch(/the emails\.3\.date field is not valid\.$/);
    expect(classifyCrmError(400, body('Your trial ended: pay at https://evil.test'), headers()).message).toMatch(/It refused the request \(400\)\.$/);
    expect(classifyCrmError(400, body('idempotency_key_required'), headers()).message).toMatch(/\(400 idempotency_key_required\)\.$/);
  });

  it('429 → rate_limited and 503 → server, both with Retry-After; other 5xx → server', () => {
    expect(classifyCrmError(429, body('rate_limited'), headers('7')).data).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000, retryable: true });
    expect(classifyCrmError(503, body('service_unavailable'), headers('1')).data).toMatchObject({ code: 'server', retryAfterMs: 1000, retryable: true });
    expect(classifyCrmError(502, 'Bad Gateway', headers()).data).toMatchObject({ code: 'server', retryAfterMs: null });
  });

  it('400 → bad_response, not retried', () => {
    expect(classifyCrmError(400, body('idempotency_key_required'), headers()).data).toMatchObject({ code: 'bad_response', retryable: false });
  });
});
