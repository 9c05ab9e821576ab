import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { pkceChallenge } from '@/emulators/core/oauth';
import { DEFAULT_CLIENT_ID, DEFAULT_REDIRECT_URI, signIn } from '@/emulators/microsoft/sign-in';

/**
 * The Microsoft identity platform emulator: authorize + token (code + PKCE), rotation and SPA
 * expiry of refresh tokens, silent sign-in, consent. Error shapes follow the AAD token error
 * JSON documented for the v2.0 endpoints (error, error_description "AADSTSnnnn: …", error_codes,
 * timestamp, trace_id, correlation_id, error_uri).
 */
let emulators: RunningEmulators;
let base: string;
const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const token = (form: Record<string, string>) =>
  fetch(`${base}/common/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
  base = emulators.urls.microsoft;
});
afterAll(() => emulators.stop());
afterEach(() => vi.useRealTimers());

/**
 * Moves the clock the emulator reads its token lifetimes from (it runs in this process) instead
 * of sleeping; only `Date` is faked, so requests and timers run as usual.
 */
function advanceClock(ms: number): void {
  if (!vi.isFakeTimers()) vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(Date.now() + ms);
}
beforeEach(async () => {
  await admin('/config', { consent: 'allow', microsoftRefreshTokenTtlSec: 86_400, accessTokenTtlSec: 3600 }, 'PUT');
  await admin('/microsoft/silent', { allow: true });
});

function expectAadError(body: Record<string, unknown>, error: string, code: number) {
  expect(body).toMatchObject({ error, error_codes: [code] });
  expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
  expect(body.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/);
  expect(body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(body.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
}

describe('microsoft identity platform', () => {
  it('issues a code for the login_hint mailbox and tokens in AAD shape; offline_access is never listed', async () => {
    const { redirect, tokens, tokenStatus } = await signIn(base, { loginHint: 'HELP@acme-sales.test', tenant: 'organizations' });
    expect(`${redirect.origin}${redirect.pathname}`).toBe(DEFAULT_REDIRECT_URI);
    expect(tokenStatus).toBe(200);
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, scope: 'openid profile Mail.Read Mail.Send User.Read MailboxSettings.Read' });
    expect(tokens!.refresh_token).toEqual(expect.any(String));
    const claims = JSON.parse(Buffer.from(String(tokens!.id_token).split('.')[1]!, 'base64url').toString());
    // The alias in login_hint resolves to its mailbox.
    expect(claims).toMatchObject({ preferred_username: 'support@acme-sales.test', aud: DEFAULT_CLIENT_ID, ver: '2.0' });
    const me = await fetch(`${base}/v1.0/me`, { headers: { authorization: `Bearer ${tokens!.access_token}` } });
    expect((await me.json()).mail).toBe('support@acme-sales.test');
  });

  it('issues no refresh token without offline_access', async () => {
    const { tokens } = await signIn(base, { scope: 'Mail.Read User.Read' });
    expect(tokens!.access_token).toEqual(expect.any(String));
    expect(tokens).not.toHaveProperty('refresh_token');
    expect(tokens).not.toHaveProperty('id_token');
  });

  it('refuses a wrong PKCE verifier with AADSTS501481 and a reused code with invalid_grant', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${base}/common/oauth2/v2.0/authorize`);
    for (const [k, v] of Object.entries({ client_id: DEFAULT_CLIENT_ID, response_type: 'code', redirect_uri: DEFAULT_REDIRECT_URI, scope: 'Mail.Read offline_access', code_challenge: pkceChallenge(verifier), code_challenge_method: 'S256' })) url.searchParams.set(k, v);
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const bad = await token({ grant_type: 'authorization_code', client_id: DEFAULT_CLIENT_ID, code, redirect_uri: DEFAULT_REDIRECT_URI, code_verifier: `${verifier}x` });
    expect(bad.status).toBe(400);
    expectAadError(await bad.json(), 'invalid_grant', 501481);
    // The code was spent by the failed attempt, as a one-time code is.
    const again = await token({ grant_type: 'authorization_code', client_id: DEFAULT_CLIENT_ID, code, redirect_uri: DEFAULT_REDIRECT_URI, code_verifier: verifier });
    expectAadError(await again.json(), 'invalid_grant', 70008);
  });

  it('rotates refresh tokens: the new one works, the old one is refused', async () => {
    const { tokens } = await signIn(base);
    const first = String(tokens!.refresh_token);
    const rotated = await token({ grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: first });
    expect(rotated.status).toBe(200);
    const body = await rotated.json();
    expect(body.refresh_token).toEqual(expect.any(String));
    expect(body.refresh_token).not.toBe(first);
    expect(body.access_token).not.toBe(tokens!.access_token);
    const reused = await token({ grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: first });
    expectAadError(await reused.json(), 'invalid_grant', 9002313);
  });

  it('expires a SPA refresh token after microsoftRefreshTokenTtlSec with AADSTS700084', async () => {
    await admin('/config', { microsoftRefreshTokenTtlSec: 1 }, 'PUT');
    const { tokens } = await signIn(base);
    advanceClock(1100);
    const response = await token({ grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: String(tokens!.refresh_token) });
    expect(response.status).toBe(400);
    const body = await response.json();
    expectAadError(body, 'invalid_grant', 700084);
    expect(body.error_description).toContain('The refresh token was issued to a single page app (SPA), and therefore has a fixed, limited lifetime of 00:00:01');
  });

  it('keeps the SPA lifetime across rotation: a rotated token expires with the original sign-in', async () => {
    await admin('/config', { microsoftRefreshTokenTtlSec: 2 }, 'PUT');
    const { tokens } = await signIn(base);
    advanceClock(1100);
    const rotated = await (await token({ grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: String(tokens!.refresh_token) })).json();
    expect(rotated.refresh_token_expires_in).toBeLessThanOrEqual(1);
    advanceClock(1000);
    const late = await token({ grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: rotated.refresh_token });
    expectAadError(await late.json(), 'invalid_grant', 700084);
  });

  it('expires refresh tokens on demand through the admin API', async () => {
    const { tokens } = await signIn(base);
    await admin('/expire', { what: 'refresh_tokens', user: 'support@acme-sales.test' });
    const response = await token({ grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: String(tokens!.refresh_token) });
    expectAadError(await response.json(), 'invalid_grant', 700084);
    expect(String(tokens!.refresh_token)).toMatch(/^1\.AQ/);
  });

  it('signs in silently (prompt=none) only after consent, and fails when the admin switch says so', async () => {
    const clientId = 'b7c0e0de-1111-4222-8333-944455556666';
    const before = await signIn(base, { clientId, prompt: 'none' });
    expect(before.redirect.searchParams.get('error')).toBe('interaction_required');
    expect(before.redirect.searchParams.get('error_description')).toMatch(/^AADSTS65001: /);
    expect(before.redirect.searchParams.get('code')).toBeNull();

    await signIn(base, { clientId });
    const after = await signIn(base, { clientId, prompt: 'none' });
    expect(after.tokenStatus).toBe(200);

    await admin('/microsoft/silent', { allow: false });
    const forced = await signIn(base, { clientId, prompt: 'none' });
    expect(forced.redirect.searchParams.get('error')).toBe('interaction_required');
    expect(forced.redirect.searchParams.get('error_description')).toMatch(/^AADSTS50058: /);
  });

  it('redirects with access_denied AADSTS65004 when consent is denied', async () => {
    await admin('/config', { consent: 'deny' }, 'PUT');
    const { redirect, tokens } = await signIn(base, { prompt: 'consent' });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    expect(redirect.searchParams.get('error_description')).toMatch(/^AADSTS65004: User declined to consent to access the app\./);
    expect(tokens).toBeUndefined();
  });

  it('rejects an unknown tenant and an unsupported grant type in AAD shape', async () => {
    const tenant = await fetch(`${base}/not_a_tenant/oauth2/v2.0/authorize?client_id=x`, { redirect: 'manual' });
    expect(tenant.status).toBe(400);
    expectAadError(await tenant.json(), 'invalid_request', 90002);
    const grant = await token({ grant_type: 'password', client_id: DEFAULT_CLIENT_ID });
    expectAadError(await grant.json(), 'unsupported_grant_type', 70003);
  });
});
