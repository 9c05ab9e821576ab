import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { pkceChallenge } from '@/emulators/core/oauth';
import { DEMO_PAT } from '@/emulators/crm';
import { contractFetch } from '@/tests/support/openapi';

/**
 * The CRM emulator against its contract, `lib/crm/openapi.yaml` (R37), over real HTTP. Every
 * answer of the CRM API and OAuth endpoints goes through `contractFetch`, which fails the test on
 * an undocumented status or a body or header that breaks the documented schema. The admin calls
 * (`/__admin/…`) are test plumbing, not part of the contract.
 */
let emulators: RunningEmulators;
let base: string;
const checked = contractFetch();
const RILEY = 'riley@acme-sales.test';
const SAM = 'sam@acme-sales.test';
const SUPPORT = 'support@acme-sales.test';
const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const CLIENT = 'mailbox-crm-sync';

interface Answer {
  status: number;
  headers: Headers;
  // Tests read whatever the contract already vouched for.
  body: any;
}

interface CallOptions {
  method?: string;
  /** Bearer token; null sends none. */
  token?: string | null;
  body?: unknown;
  /** Idempotency-Key for writes; a fresh one when absent, none when null. */
  key?: string | null;
  query?: Record<string, string | number>;
}

/** One CRM API call, checked against the contract. */
async function call(path: string, options: CallOptions = {}): Promise<Answer> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const url = new URL(`${base}/public/v1${path}`);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, String(value));
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? DEMO_PAT : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (method !== 'GET' && options.key !== null) headers['idempotency-key'] = options.key ?? randomUUID();
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = typeof options.body === 'string' ? options.body : options.body === undefined ? undefined : JSON.stringify(options.body);
  return read(await checked(url.toString(), { method, headers, body }));
}

async function read(response: Response): Promise<Answer> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const form = (path: string, fields: Record<string, string>) =>
  checked(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() }).then(read);

const admin = async (path: string, body?: unknown, method = 'POST') => {
  const response = await fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return response.status === 204 ? undefined : response.json();
};

async function pat(scopes?: string[], user?: string): Promise<string> {
  return (await admin('/crm/tokens', { scopes, user })).token;
}

/** The browser's part of code + PKCE: authorize (no redirect followed), then the token request. */
async function authorize(params: Record<string, string | undefined>): Promise<URL> {
  const url = new URL(`${base}/oauth/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  const response = await checked(url.toString(), { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!);
}

async function signIn(options: { scope?: string; loginHint?: string } = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const redirect = await authorize({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: REDIRECT,
    state,
    scope: options.scope,
    login_hint: options.loginHint,
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: 'S256',
  });
  expect(redirect.searchParams.get('state')).toBe(state);
  const code = redirect.searchParams.get('code')!;
  const tokens = await form('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: verifier });
  expect(tokens.status).toBe(200);
  return tokens.body as { access_token: string; refresh_token: string; scope: string; expires_in: number };
}

let messageSeq = 0;
function email(contactIds: string[], overrides: Record<string, unknown> = {}) {
  messageSeq++;
  return {
    message_id: `<test-${messageSeq}.${randomBytes(4).toString('hex')}@mx.granite-freight.test>`,
    mailbox: RILEY,
    direction: 'received',
    subject: `Order ${messageSeq}`,
    snippet: 'Could you send the updated quote?',
    body: 'Could you send the updated quote?\n\nThanks',
    from: { address: 'chloe.costa@granite-freight.test', name: 'Chloé Costa' },
    to: [{ address: RILEY, name: 'Riley Rep' }],
    cc: [],
    date: new Date(Date.UTC(2025, 0, 1) + messageSeq * 60_000).toISOString(),
    thread_key: `thread-${messageSeq}`,
    contact_ids: contactIds,
    ...overrides,
  };
}

const contactIds = () => emulators.context.world.contacts.map((c) => c.id);

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
  base = emulators.urls.crm;
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  await admin('/crm/down', { down: false });
  await admin('/faults', undefined, 'DELETE');
  await admin('/config', { consent: 'allow' }, 'PUT');
});

describe('crm authentication', () => {
  it('serves /me for the demo personal access token, with the workspace domains', async () => {
    const me = await call('/me');
    expect(me.status).toBe(200);
    expect(me.body.data).toEqual({
      id: 'usr-riley',
      name: 'Riley Rep',
      email: RILEY,
      workspace: { id: 'ws-acme', name: 'Acme Sales', domains: emulators.context.world.policy.workspaceDomains },
    });
  });

  it('answers 401 with a challenge for a missing, unknown or expired token', async () => {
    const missing = await call('/me', { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('unauthenticated');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="crm"');
    const unknown = await call('/contacts', { token: 'crm_pat_nope' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);

    const samToken = await pat(undefined, SAM);
    expect((await call('/me', { token: samToken })).body.data.email).toBe(SAM);
    await admin('/expire', { what: 'access_tokens', user: SAM });
    const expired = await call('/me', { token: samToken });
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    // Only that user's tokens expired.
    expect((await call('/me')).status).toBe(200);
  });

  it('answers 403 insufficient_scope for a token without the scope; :write includes :read', async () => {
    const readOnly = await pat(['contacts:read']);
    expect((await call('/contacts', { token: readOnly })).status).toBe(200);
    const create = await call('/contacts', { token: readOnly, body: { name: 'No Scope', email: 'no.scope@example.test' } });
    expect(create.status).toBe(403);
    expect(create.body.error).toEqual({ code: 'insufficient_scope', message: expect.any(String), details: { required_scope: 'contacts:write' } });
    expect((await call('/contacts/ct-1/emails', { token: readOnly })).status).toBe(403);
    expect((await call('/emails/batch', { token: readOnly, body: { emails: [email(['ct-1'])] } })).status).toBe(403);
    expect((await call(`/mailboxes/${SUPPORT}/dependencies`, { token: readOnly })).status).toBe(403);

    const writer = await pat(['contacts:write', 'mailboxes:write']);
    expect((await call('/contacts/ct-1', { token: writer })).status).toBe(200);
    expect((await call(`/mailboxes/${SUPPORT}/dependencies`, { token: writer })).status).toBe(200);
    // A 403 is answered before the key is looked at, so it is not stored under the key.
    const key = randomUUID();
    expect((await call('/contacts', { token: readOnly, key, body: { name: 'Scoped', email: 'scoped@example.test' } })).status).toBe(403);
    expect((await call('/contacts', { token: writer, key, body: { name: 'Scoped', email: 'scoped@example.test' } })).status).toBe(201);
  });

  it('revokes personal access tokens', async () => {
    const token = await pat();
    expect((await form('/oauth/revoke', { token })).status).toBe(200);
    expect((await call('/me', { token })).status).toBe(401);
  });
});

describe('crm oauth (authorization code + PKCE)', () => {
  it('signs in with PKCE, for the login_hint user, with the requested scopes', async () => {
    const tokens = await signIn({ loginHint: SAM, scope: 'contacts:read emails:write' });
    expect(tokens).toMatchObject({ scope: 'contacts:read emails:write', expires_in: 3600, access_token: expect.stringMatching(/^crm_at_/), refresh_token: expect.stringMatching(/^crm_rt_/) });
    expect((await call('/me', { token: tokens.access_token })).body.data.email).toBe(SAM);
    expect((await call('/contacts', { token: tokens.access_token })).status).toBe(200);
    expect((await call(`/mailboxes/${SUPPORT}/dependencies`, { token: tokens.access_token })).status).toBe(403);
  });

  it('refuses a wrong verifier and a reused code with invalid_grant', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirect = await authorize({ response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, code_challenge: pkceChallenge(verifier), code_challenge_method: 'S256' });
    const code = redirect.searchParams.get('code')!;
    const wrong = await form('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: randomBytes(32).toString('base64url') });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge.' });
    // The code is spent even by a failed attempt.
    const reused = await form('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: verifier });
    expect(reused.body.error).toBe('invalid_grant');
  });

  it('redirects with an error for a missing challenge, an unknown scope, and a declined consent', async () => {
    const common = { response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, state: 's1' };
    const challenge = pkceChallenge(randomBytes(32).toString('base64url'));
    const noPkce = await authorize(common);
    expect(Object.fromEntries(noPkce.searchParams)).toMatchObject({ error: 'invalid_request', state: 's1' });
    const plain = await authorize({ ...common, code_challenge: challenge, code_challenge_method: 'plain' });
    expect(plain.searchParams.get('error')).toBe('invalid_request');
    const scope = await authorize({ ...common, code_challenge: challenge, code_challenge_method: 'S256', scope: 'contacts:read admin' });
    expect(scope.searchParams.get('error')).toBe('invalid_scope');
    await admin('/config', { consent: 'deny' }, 'PUT');
    const denied = await authorize({ ...common, code_challenge: challenge, code_challenge_method: 'S256' });
    expect(Object.fromEntries(denied.searchParams)).toMatchObject({ error: 'access_denied', state: 's1' });
    expect(denied.searchParams.has('code')).toBe(false);
  });

  it('answers 400 without a redirect_uri, and RFC 6749 errors from the token endpoint', async () => {
    const response = await checked(`${base}/oauth/authorize?response_type=code&client_id=${CLIENT}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('invalid_request');
    expect((await form('/oauth/token', { grant_type: 'password', client_id: CLIENT })).body.error).toBe('unsupported_grant_type');
    expect((await form('/oauth/token', { grant_type: 'authorization_code', client_id: CLIENT })).body.error).toBe('invalid_request');
    expect((await form('/oauth/revoke', {})).body.error).toBe('invalid_request');
  });

  it('rotates refresh tokens, and honours expiry and revocation', async () => {
    const first = await signIn();
    const refreshed = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
    expect((await call('/me', { token: refreshed.body.access_token })).status).toBe(200);
    const replayed = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT });
    expect(replayed.body).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid or revoked.' });

    await admin('/expire', { what: 'access_tokens' });
    expect((await call('/me', { token: refreshed.body.access_token })).status).toBe(401);
    // Expiring access tokens expires the demo PAT too; a reseed brings it back.
    expect((await call('/me')).status).toBe(401);
    await admin('/reset', {});
    expect((await call('/me')).status).toBe(200);

    const second = await signIn();
    await admin('/expire', { what: 'refresh_tokens' });
    const expired = await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: second.refresh_token, client_id: CLIENT });
    expect(expired.body).toEqual({ error: 'invalid_grant', error_description: 'The refresh token has expired.' });

    const third = await signIn();
    expect((await form('/oauth/revoke', { token: third.refresh_token, token_type_hint: 'refresh_token' })).status).toBe(200);
    expect((await call('/me', { token: third.access_token })).status).toBe(401);
    expect((await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: third.refresh_token, client_id: CLIENT })).body.error).toBe('invalid_grant');
    expect((await form('/oauth/revoke', { token: 'never-issued' })).status).toBe(200);
  });
});

describe('crm contacts', () => {
  beforeAll(() => admin('/reset', {}));

  it('pages through every contact in (updated_at, id) order with Agiled-style meta and next links', async () => {
    const seen: { id: string; updated_at: string }[] = [];
    let url: string | null = `${base}/public/v1/contacts?sort_by=updated_at&sort_direction=asc&per_page=10`;
    let pages = 0;
    while (url) {
      const page = await read(await checked(url, { headers: { authorization: `Bearer ${DEMO_PAT}` } }));
      pages++;
      expect(page.body.meta).toEqual({ current_page: pages, per_page: 10, total: 31, last_page: 4 });
      seen.push(...page.body.data);
      url = page.body.links.next;
    }
    expect(pages).toBe(4);
    expect(seen.map((c) => c.id).sort()).toEqual([...contactIds()].sort());
    const order = [...seen].sort((a, b) => a.updated_at.localeCompare(b.updated_at) || (a.id < b.id ? -1 : 1));
    expect(seen).toEqual(order);
    const chloe = seen.find((c) => c.id === 'ct-1');
    expect(chloe).toMatchObject({ name: 'Chloé Costa', company: { id: 'co-1', name: expect.any(String) }, email: 'chloe.costa@granite-freight.test', url: `${base}/contacts/ct-1` });
  });

  it('mirrors increments with updated_after, and after_id keeps contacts that share a timestamp', async () => {
    const all = await call('/contacts', { query: { per_page: 100 } });
    const last = all.body.data.at(-1);
    const none = await call('/contacts', { query: { updated_after: last.updated_at, after_id: last.id } });
    expect(none.body).toEqual({ data: [], meta: { current_page: 1, per_page: 25, total: 0, last_page: 1 }, links: { next: null } });

    const tie = new Date(Date.parse(last.updated_at) + 60_000).toISOString();
    await admin('/crm/contacts', { id: 'ct-7', name: 'Renamed Seven', updated_at: tie });
    await admin('/crm/contacts', { id: 'ct-3', updated_at: tie });
    const created = (await admin('/crm/contacts', { name: 'Fresh Face', email: 'fresh.face@granite-freight.test', company_name: 'Northwind Test Co' })).data;

    // Keyset walk, one contact a page: the two tied contacts both come, in id order.
    const walked: string[] = [];
    let cursor = { updated_after: last.updated_at, after_id: last.id };
    for (;;) {
      const page = await call('/contacts', { query: { ...cursor, per_page: 1 } });
      const item = page.body.data[0];
      if (!item) break;
      walked.push(item.id);
      cursor = { updated_after: item.updated_at, after_id: item.id };
    }
    expect(walked).toEqual(['ct-3', 'ct-7', created.id]);
    // Without after_id, updated_after is strictly greater: the tie is past.
    expect((await call('/contacts', { query: { updated_after: tie } })).body.data.map((c: { id: string }) => c.id)).toEqual([created.id]);
    expect((await call('/contacts/ct-7')).body.data).toMatchObject({ name: 'Renamed Seven', updated_at: tie });
  });

  it('filters by primary or additional email, ignoring case; clamps per_page; sorts', async () => {
    const made = await call('/contacts', { body: { name: 'Dana Duo', email: 'dana@duo.test', additional_emails: ['Dana.Private@gmail.com'] } });
    expect(made.status).toBe(201);
    for (const address of ['DANA@duo.test', 'dana.private@GMAIL.com']) {
      expect((await call('/contacts', { query: { email: address } })).body.data.map((c: { id: string }) => c.id)).toEqual([made.body.data.id]);
    }
    expect((await call('/contacts', { query: { email: 'nobody@nowhere.test' } })).body.meta.total).toBe(0);
    const clamped = await call('/contacts', { query: { per_page: 500, page: 'x' } });
    expect(clamped.body.meta).toMatchObject({ per_page: 100, current_page: 1, last_page: 1 });
    const byName = (await call('/contacts', { query: { sort_by: 'name', sort_direction: 'desc', per_page: 100 } })).body.data.map((c: { name: string }) => c.name);
    expect(byName).toEqual([...byName].sort().reverse());
  });

  it('answers 422 for bad filters and 404 for an unknown contact', async () => {
    const queries: Record<string, string>[] = [
      { updated_after: 'yesterday' },
      { sort_by: 'colour' },
      { after_id: 'ct-1' },
      { updated_after: '2025-01-01T00:00:00Z', after_id: 'ct-1', sort_direction: 'desc' },
    ];
    for (const query of queries) {
      const response = await call('/contacts', { query });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await call('/contacts', { query: { sort_by: 'colour' } })).body.error.details.fields).toHaveProperty('sort_by');
    const missing = await call('/contacts/ct-9999');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('creates contacts (201), with the existing company of that name or a new one', async () => {
    const seedCompany = emulators.context.world.companies[0]!;
    const same = await call('/contacts', { body: { name: 'Pat Newhire', email: 'pat.newhire@example.test', company_name: seedCompany.name.toUpperCase() } });
    expect(same.status).toBe(201);
    expect(same.body.data).toMatchObject({ company: { id: seedCompany.id, name: seedCompany.name }, additional_emails: [] });
    const fresh = await call('/contacts', { body: { name: 'Lee Lone', email: 'lee@lone.test', company_name: 'Lone Ranger Ltd' } });
    expect(fresh.body.data.company).toEqual({ id: expect.stringMatching(/^co-/), name: 'Lone Ranger Ltd' });
    expect(fresh.body.data.created_at).toBe(fresh.body.data.updated_at);
    expect((await call(`/contacts/${fresh.body.data.id}`)).body.data).toEqual(fresh.body.data);
  });

  it('answers 422 with field errors for a taken email or an invalid body, and 400 for broken JSON', async () => {
    const taken = await call('/contacts', { body: { name: 'Copy Cat', email: 'CHLOE.COSTA@granite-freight.test', additional_emails: ['lee@lone.test'] } });
    expect(taken.status).toBe(422);
    expect(taken.body.error.details.fields).toEqual({ email: ['has already been taken'], 'additional_emails.0': ['has already been taken'] });
    const invalid = await call('/contacts', { body: { name: '', email: 'not-an-email', colour: 'red' } });
    expect(invalid.status).toBe(422);
    expect(Object.keys(invalid.body.error.details.fields).sort()).toEqual(['email', 'name', 'request']);
    const broken = await call('/contacts', { body: '{"name": ' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.code).toBe('bad_request');
  });
});

describe('crm idempotency', () => {
  it('replays the stored answer for the same key and body, even with keys reordered', async () => {
    const key = `contact-${randomUUID()}`;
    const first = await call('/contacts', { key, body: { name: 'Ida Empotent', email: 'ida@empotent.test' } });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await call('/contacts', { key, body: { email: 'ida@empotent.test', name: 'Ida Empotent' } });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await call('/contacts', { query: { email: 'ida@empotent.test' } })).body.meta.total).toBe(1);

    const writes = (await admin('/crm/writes', undefined, 'GET')).writes.filter((w: { idempotency_key: string }) => w.idempotency_key === key);
    expect(writes.map((w: { replayed: boolean; status: number }) => [w.status, w.replayed])).toEqual([
      [201, false],
      [201, true],
    ]);
  });

  it('answers 409 idempotency_conflict for the same key with another body or path', async () => {
    const key = randomUUID();
    expect((await call('/contacts', { key, body: { name: 'Con Flict', email: 'con@flict.test' } })).status).toBe(201);
    const other = await call('/contacts', { key, body: { name: 'Con Flict', email: 'con2@flict.test' } });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'idempotency_conflict', details: { idempotency_key: key } });
    expect((await call(`/mailboxes/${SUPPORT}`, { method: 'DELETE', key })).status).toBe(409);
    // Keys are per user: another user may use the same key.
    expect((await call('/contacts', { key, token: await pat(undefined, SAM), body: { name: 'Con Flict', email: 'con3@flict.test' } })).status).toBe(201);
  });

  it('answers 409 idempotency_in_progress with Retry-After while the first request with the key runs, then replays its answer', async () => {
    const key = randomUUID();
    await admin('/crm/slow-writes', { method: 'POST', path: '^/public/v1/contacts$', delayMs: 300 });
    const contact = { name: 'Slow Poke', email: 'slow@poke.test' };
    const first = call('/contacts', { key, body: contact });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = await call('/contacts', { key, body: contact });
    expect(during.status).toBe(409);
    expect(during.headers.get('retry-after')).toBe('1');
    expect(during.body.error).toMatchObject({ code: 'idempotency_in_progress', details: { idempotency_key: key } });
    // Another body under the key is still the final conflict, even while the first runs.
    expect((await call('/contacts', { key, body: { ...contact, email: 'other@poke.test' } })).body.error.code).toBe('idempotency_conflict');
    expect((await first).status).toBe(201);
    const after = await call('/contacts', { key, body: contact });
    expect([after.status, after.headers.get('idempotent-replayed')]).toEqual([201, 'true']);
  });

  it('requires the key on every write', async () => {
    for (const [path, method, body] of [
      ['/contacts', 'POST', { name: 'No Key', email: 'no@key.test' }],
      ['/emails/batch', 'POST', { emails: [email(['ct-1'])] }],
      ['/emails/em-1', 'DELETE', undefined],
      [`/mailboxes/${RILEY}`, 'PUT', { purpose: 'sales', kind: 'personal', status: 'connected' }],
      [`/mailboxes/${RILEY}`, 'DELETE', undefined],
    ] as const) {
      const response = await call(path, { method, body, key: null });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('idempotency_key_required');
    }
  });

  it('stores validation errors but not server errors', async () => {
    const key = randomUUID();
    const invalid = { name: 'Val Idation', email: 'nope' };
    expect((await call('/contacts', { key, body: invalid })).status).toBe(422);
    const replay = await call('/contacts', { key, body: invalid });
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([422, 'true']);

    await admin('/faults', { service: 'crm', method: 'POST', path: '^/public/v1/emails/batch$', status: 503 });
    const batchKey = randomUUID();
    const batch = { emails: [email(['ct-2'])] };
    const down = await call('/emails/batch', { key: batchKey, body: batch });
    expect(down.status).toBe(503);
    expect(down.body.error.code).toBe('service_unavailable');
    const retried = await call('/emails/batch', { key: batchKey, body: batch });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body.results[0].status).toBe('created');
  });
});

describe('crm emails', () => {
  it('upserts by Message-ID: created, unchanged, updated; counts each write per Message-ID', async () => {
    const item = email(['ct-1', 'ct-2']);
    const created = await call('/emails/batch', { body: { emails: [item] } });
    expect(created.body.results).toEqual([{ message_id: item.message_id, status: 'created', email_id: expect.stringMatching(/^em-/) }]);
    const id = created.body.results[0].email_id;
    const same = await call('/emails/batch', { body: { emails: [{ ...item }] } });
    expect(same.body.results[0]).toEqual({ message_id: item.message_id, status: 'unchanged', email_id: id });
    const changed = await call('/emails/batch', { body: { emails: [{ ...item, subject: 'Re: order', contact_ids: ['ct-1'] }] } });
    expect(changed.body.results[0]).toEqual({ message_id: item.message_id, status: 'updated', email_id: id });

    const stored = (await admin('/crm/emails', undefined, 'GET')) as { emails: { id: string; contact_ids: string[]; fields: { subject: string }; writes: number }[] };
    const record = stored.emails.find((e) => e.id === id)!;
    expect(record).toMatchObject({ contact_ids: ['ct-1'], writes: 3, fields: { subject: 'Re: order' } });
  });

  it('takes 100 emails and refuses 101 whole, with field errors', async () => {
    const hundred = Array.from({ length: 100 }, () => email(['ct-3']));
    const ok = await call('/emails/batch', { body: { emails: hundred } });
    expect(ok.status).toBe(200);
    expect(ok.body.results).toHaveLength(100);
    expect(ok.body.results.map((r: { message_id: string; status: string }) => [r.message_id, r.status])).toEqual(hundred.map((h) => [h.message_id, 'created']));

    const tooMany = await call('/emails/batch', { body: { emails: [...hundred.map(() => email(['ct-3'])), email(['ct-3'])] } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.details.fields).toHaveProperty('emails');
    expect((await call('/emails/batch', { body: { emails: [] } })).status).toBe(422);
  });

  it('refuses an unknown contact per item and stores the others', async () => {
    const good = email(['ct-4']);
    const bad = email(['ct-4', 'ct-99999']);
    const response = await call('/emails/batch', { body: { emails: [good, bad] } });
    expect(response.status).toBe(200);
    expect(response.body.results[0].status).toBe('created');
    expect(response.body.results[1]).toEqual({
      message_id: bad.message_id,
      status: 'error',
      error: { code: 'unknown_contact', message: 'No contact with id ct-99999.', details: { contact_ids: ['ct-99999'] } },
    });
    const stored = (await admin('/crm/emails', undefined, 'GET')) as { emails: { message_id: string }[]; writes_by_message_id: Record<string, number> };
    expect(stored.emails.some((e) => e.message_id === bad.message_id)).toBe(false);
    expect(stored.writes_by_message_id[bad.message_id]).toBeUndefined();
  });

  it('answers 422 with the item path for an invalid item', async () => {
    const response = await call('/emails/batch', {
      body: { emails: [email(['ct-1']), email([], { direction: 'forwarded', message_id: 'no-brackets@x.test', date: 'today' })] },
    });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.error.details.fields).sort()).toEqual(['emails.1.contact_ids', 'emails.1.date', 'emails.1.direction', 'emails.1.message_id']);
  });

  it('stores only what the visibility level sent, and serves the timeline newest first', async () => {
    const contact = (await call('/contacts', { body: { name: 'Tim Eline', email: 'tim@eline.test' } })).body.data.id as string;
    const metadataOnly = email([contact]);
    delete (metadataOnly as Partial<typeof metadataOnly>).subject;
    delete (metadataOnly as Partial<typeof metadataOnly>).snippet;
    delete (metadataOnly as Partial<typeof metadataOnly>).body;
    const subjectOnly = email([contact], { direction: 'sent', from: { address: RILEY }, to: [{ address: 'tim@eline.test' }] });
    delete (subjectOnly as Partial<typeof subjectOnly>).body;
    const full = email([contact]);
    await call('/emails/batch', { body: { emails: [metadataOnly, full, subjectOnly] } });

    const timeline = await call(`/contacts/${contact}/emails`);
    // Dated in the order they were made: the full one is the newest.
    expect(timeline.body.data.map((e: { message_id: string }) => e.message_id)).toEqual([full.message_id, subjectOnly.message_id, metadataOnly.message_id]);
    expect(timeline.body.data[0].body).toBe(full.body);
    expect(timeline.body.data[1]).toMatchObject({ subject: subjectOnly.subject, snippet: subjectOnly.snippet, body: null, direction: 'sent', from: { address: RILEY, name: null } });
    expect(timeline.body.data[2]).toMatchObject({ subject: null, snippet: null, body: null, direction: 'received', contact_ids: [contact] });
    expect((await call(`/contacts/${contact}/emails`, { query: { limit: 1 } })).body.data).toHaveLength(1);

    const stored = (await admin('/crm/emails', undefined, 'GET')) as { emails: { message_id: string; fields: Record<string, unknown> }[] };
    const received = stored.emails.find((e) => e.message_id === metadataOnly.message_id)!;
    expect(Object.keys(received.fields).sort()).toEqual(Object.keys(metadataOnly).sort());
    expect((await call('/contacts/ct-99999/emails')).status).toBe(404);
  });

  it('unlinks one contact with ?contact_id, deletes with none, and creates anew after a delete', async () => {
    const item = email(['ct-5', 'ct-6']);
    const id = (await call('/emails/batch', { body: { emails: [item] } })).body.results[0].email_id as string;
    const ids = async (contact: string) => (await call(`/contacts/${contact}/emails`)).body.data.map((e: { id: string }) => e.id);

    expect((await call(`/emails/${id}`, { method: 'DELETE', query: { contact_id: 'ct-5' } })).status).toBe(204);
    expect(await ids('ct-5')).not.toContain(id);
    expect(await ids('ct-6')).toContain(id);
    expect((await call(`/emails/${id}`, { method: 'DELETE', query: { contact_id: 'ct-5' } })).status).toBe(404);

    const key = randomUUID();
    expect((await call(`/emails/${id}`, { method: 'DELETE', key })).status).toBe(204);
    const replay = await call(`/emails/${id}`, { method: 'DELETE', key });
    expect([replay.status, replay.headers.get('idempotent-replayed')]).toEqual([204, 'true']);
    expect(await ids('ct-6')).not.toContain(id);
    expect((await call(`/emails/${id}`, { method: 'DELETE' })).status).toBe(404);

    const again = await call('/emails/batch', { body: { emails: [item] } });
    expect(again.body.results[0]).toMatchObject({ status: 'created' });
    expect(again.body.results[0].email_id).not.toBe(id);
  });
});

describe('crm mailboxes', () => {
  it('reports what relies on the seeded shared support mailbox', async () => {
    const deps = await call(`/mailboxes/${encodeURIComponent(SUPPORT.toUpperCase())}/dependencies`);
    expect(deps.status).toBe(200);
    // The seeded support mailbox has two workflows and one template (emulators/crm/store.ts).
    expect(deps.body.data.workflows).toHaveLength(2);
    expect(deps.body.data.templates).toHaveLength(1);
  });

  it('creates (201) and replaces (200) a mailbox record, then deletes it (204, then 404)', async () => {
    const body = { purpose: 'sales', kind: 'personal', status: 'connected', owner: RILEY, display_name: 'Riley Rep', provider: 'gmail' };
    const created = await call(`/mailboxes/${RILEY}`, { method: 'PUT', body });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ address: RILEY, purpose: 'sales', kind: 'personal', owner: RILEY, recovery_note: null });
    const replaced = await call(`/mailboxes/${RILEY.toUpperCase()}`, { method: 'PUT', body: { ...body, status: 'paused' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.data).toMatchObject({ address: RILEY, status: 'paused', created_at: created.body.data.created_at });
    expect((await call(`/mailboxes/${RILEY}/dependencies`)).body.data).toEqual({ workflows: [], templates: [] });
    // The admin API lists the records as the API serves them, the seeded shared support inbox too.
    const listed = (await admin('/crm/mailboxes', undefined, 'GET')) as { mailboxes: { address: string }[] };
    expect(listed.mailboxes).toContainEqual(replaced.body.data);
    expect(listed.mailboxes.map((m) => m.address)).toContain(SUPPORT);

    expect((await call(`/mailboxes/${RILEY}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/mailboxes/${RILEY}`, { method: 'DELETE' })).status).toBe(404);
    expect((await call(`/mailboxes/${RILEY}/dependencies`)).status).toBe(404);
  });

  it('requires owner and recovery note for a shared mailbox, and a real address (422)', async () => {
    const shared = await call('/mailboxes/billing@acme-sales.test', { method: 'PUT', body: { purpose: 'finance', kind: 'shared', status: 'connected' } });
    expect(shared.status).toBe(422);
    expect(shared.body.error.details.fields).toEqual({ owner: ['is required for a shared mailbox'], recovery_note: ['is required for a shared mailbox'] });
    const address = await call('/mailboxes/not-an-address', { method: 'PUT', body: { purpose: 'sales', kind: 'personal', status: 'connected' } });
    expect(address.status).toBe(422);
    expect(address.body.error.details.fields).toHaveProperty('address');
  });
});

describe('crm outages and injected faults', () => {
  it('answers 503 with Retry-After on every call while down', async () => {
    await admin('/crm/down', { down: true });
    for (const response of [await call('/me'), await call('/emails/batch', { body: { emails: [email(['ct-1'])] } }), await form('/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x', client_id: CLIENT })]) {
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('service_unavailable');
      expect(response.headers.get('retry-after')).toBe('1');
    }
    await admin('/crm/down', { down: false });
    expect((await call('/me')).status).toBe(200);
  });

  it('answers injected faults in the CRM error shape', async () => {
    await admin('/faults', [
      { service: 'crm', method: 'GET', path: '^/public/v1/contacts$', status: 429, retryAfter: 7 },
      { service: 'crm', method: 'GET', path: '^/public/v1/contacts$', status: 500 },
      { service: 'crm', method: 'GET', path: '^/public/v1/contacts$', status: 502 },
      { service: 'crm', method: 'GET', path: '^/public/v1/me$', status: 401 },
    ]);
    const limited = await call('/contacts');
    expect([limited.status, limited.body.error.code, limited.headers.get('retry-after')]).toEqual([429, 'rate_limited', '7']);
    expect((await call('/contacts')).body.error.code).toBe('internal_error');
    expect((await call('/contacts')).body.error.code).toBe('bad_gateway');
    expect((await call('/contacts')).status).toBe(200);
    const unauthenticated = await call('/me');
    expect([unauthenticated.status, unauthenticated.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});
