import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, EmulatorContext } from '@/emulators/core/context';
import { createCrmService } from '@/emulators/crm';
import { CRM_SCOPES } from '@/emulators/crm';
import { ContractError, HTTP_METHODS, crmContract } from '@/tests/support/openapi';

/**
 * The CRM contract (`lib/crm/openapi.yaml`, R37) is well formed, states its rules everywhere
 * (errors, idempotency, scopes), and the emulator implements exactly the operations it documents.
 * The checker the integration tests rely on is shown to fail on wrong answers.
 */
type Json = Record<string, any>;
const contract = crmContract();
const { doc } = contract;

const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  HTTP_METHODS.filter((method) => item[method]).map((method) => ({ path, method, op: item[method] as Json })),
);
const api = operations.filter((o) => o.path.startsWith('/public/v1/'));
const escape = (segment: string) => segment.replaceAll('~', '~0').replaceAll('/', '~1');

/** Every `$ref` in the document, with where it stands. */
function refs(value: unknown, at = ''): { ref: string; at: string }[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === '$ref' ? [{ ref: String(inner), at }] : refs(inner, `${at}/${key}`)));
}

describe('crm openapi document', () => {
  it('is OpenAPI 3.1 with local references that all resolve', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(api.map((o) => o.op.operationId).sort()).toEqual(
      ['contactTimeline', 'createContact', 'deleteEmail', 'deleteMailbox', 'getContact', 'getMe', 'listContacts', 'mailboxDependencies', 'putMailbox', 'upsertEmails'],
    );
    expect(refs(doc).length).toBeGreaterThan(20);
    for (const { ref } of refs(doc)) expect(() => contract.resolve({ $ref: ref }, ''), ref).not.toThrow();
  });

  it('gives every response with a body a JSON schema that compiles in strict mode', () => {
    for (const { path, method, op } of operations) {
      expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      for (const status of Object.keys(op.responses)) {
        const response = contract.response(method, path, status === '5XX' ? 503 : Number(status));
        const content = response.value.content as Json | undefined;
        if (!content) continue;
        expect(Object.keys(content), response.label).toEqual(['application/json']);
        expect(() => contract.validatorAt(`${response.pointer}/content/application~1json/schema`), response.label).not.toThrow();
      }
    }
    for (const name of Object.keys(doc.components.schemas!)) expect(() => contract.validatorAt(`/components/schemas/${escape(name)}`), name).not.toThrow();
  });

  it('answers every error of the API in the one documented error shape', () => {
    const errorSchemas = new Set(['#/components/schemas/ErrorResponse', '#/components/schemas/ValidationErrorResponse']);
    for (const { path, method, op } of operations) {
      for (const status of Object.keys(op.responses).filter((s) => /^[45]/.test(s))) {
        const content = contract.response(method, path, status === '5XX' ? 500 : Number(status)).value.content as Json | undefined;
        const schema = content?.['application/json']?.schema;
        const oauthGrantError = path.startsWith('/oauth/') && method === 'post' && status === '400';
        // The token and revoke endpoints speak RFC 6749 to OAuth clients; everything else, ours.
        const allowed = oauthGrantError ? ['#/components/schemas/OAuthError'] : [...errorSchemas];
        expect(allowed, `${method} ${path} ${status}`).toContain(schema?.$ref);
      }
      // Every API call can meet an expired token, throttling and an outage.
      if (path.startsWith('/public/v1/')) for (const status of ['401', '429', '5XX']) expect(op.responses, `${method} ${path}`).toHaveProperty(status);
    }
    const retryAfter = (name: string) => (doc.components.responses![name] as Json).headers?.['Retry-After'];
    expect(retryAfter('TooManyRequests')).toEqual({ $ref: '#/components/headers/RetryAfter' });
  });

  it('requires an Idempotency-Key on every write, documents 409 there, and names known scopes', () => {
    const oauth = doc.components.securitySchemes!.oauth as Json;
    const known = new Set(Object.keys(oauth.flows.authorizationCode.scopes));
    expect([...known].sort()).toEqual([...CRM_SCOPES].sort());
    for (const { path, method, op } of api) {
      const write = method !== 'get';
      const keyed = (op.parameters ?? []).some((p: Json) => p.$ref === '#/components/parameters/IdempotencyKey');
      expect(keyed, `${method} ${path}`).toBe(write);
      if (write) expect(op.responses, `${method} ${path}`).toHaveProperty('409');
      const scopes = (op.security ?? doc.security).flatMap((s: Json) => s.oauth ?? []);
      for (const scope of scopes) expect(known.has(scope), `${method} ${path}: ${scope}`).toBe(true);
      if (path !== '/public/v1/me') expect(scopes, `${method} ${path}`).toHaveLength(1);
    }
  });

  it('is implemented by the emulator operation for operation', () => {
    const ctx = new EmulatorContext({ seed: 1, size: 50, now: Date.UTC(2025, 0, 1) }, { ...DEFAULT_CONFIG });
    const service = createCrmService(ctx);
    const served = new Set(
      service.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    expect([...served].sort()).toEqual(operations.map((o) => `${o.method} ${o.path}`).sort());
  });
});

describe('crm contract checker', () => {
  const contact = {
    id: 'ct-1',
    name: 'Chloé Costa',
    company: null,
    email: 'chloe@example.test',
    additional_emails: [],
    url: 'http://127.0.0.1/contacts/ct-1',
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-02T00:00:00.000Z',
  };

  it('accepts a documented answer, by template or by URL', () => {
    expect(() => contract.check('GET', '/public/v1/contacts/{id}', 200, { data: contact })).not.toThrow();
    expect(() => contract.check('get', 'http://127.0.0.1:9/public/v1/contacts/ct-1?x=1', 200, { data: contact })).not.toThrow();
  });

  it('fails on a wrong field type, an extra field, an undocumented status or path, a stray body and a missing header', () => {
    expect(() => contract.check('GET', '/public/v1/contacts/ct-1', 200, { data: { ...contact, updated_at: 1735776000000 } })).toThrow(/updated_at must be string/);
    expect(() => contract.check('GET', '/public/v1/contacts/ct-1', 200, { data: { ...contact, phone: '+1' } })).toThrow(/additional properties/);
    expect(() => contract.check('GET', '/public/v1/contacts/ct-1', 409, { error: { code: 'idempotency_conflict', message: 'x' } })).toThrow(/409, which is not documented/);
    expect(() => contract.check('GET', '/public/v1/deals', 200, {})).toThrow(ContractError);
    expect(() => contract.check('DELETE', '/public/v1/emails/em-1', 204, { ok: true })).toThrow(/without a body/);
    expect(() => contract.check('GET', '/public/v1/me', 429, { error: { code: 'rate_limited', message: 'x' } }, new Headers())).toThrow(/Retry-After is missing/);
    expect(() => contract.check('POST', '/public/v1/emails/batch', 422, { error: { code: 'validation_failed', message: 'x' } })).toThrow(/details/);
    expect(() => contract.check('POST', '/public/v1/emails/batch', 200, { results: [{ message_id: '<a@b>', status: 'error', email_id: 'em-1' }] })).toThrow(ContractError);
  });
});
