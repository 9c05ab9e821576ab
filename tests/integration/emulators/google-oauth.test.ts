import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { GOOGLE_CLIENT_ID, GOOGLE_REDIRECT_URI, googleSignIn } from '@/emulators/google/sign-in';

/**
 * Google's OAuth 2.0 endpoints as the emulator serves them: authorize (accounts.google.com), token
 * and revoke (oauth2.googleapis.com). Error bodies are RFC 6749 JSON as Google writes them
 * (`{"error":"invalid_grant","error_description":"…"}`); API errors are Google's error JSON with a
 * WWW-Authenticate challenge on 401.
 */
let emulators: RunningEmulators;
let base: string;
const RILEY = 'riley@acme-sales.test';
const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const token = (form: Record<string, string>) =>
  fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
const profile = (accessToken: unknown) => fetch(`${base}/gmail/v1/users/me/profile`, { headers: { authorization: `Bearer ${String(accessToken)}` } });
const refresh = (refreshToken: unknown) => token({ grant_type: 'refresh_token', client_id: GOOGLE_CLIENT_ID, refresh_token: String(refreshToken) });

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
  base = emulators.urls.google;
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  await admin('/config', { consent: 'allow', accessTokenTtlSec: 3600 }, 'PUT');
});

describe('google oauth', () => {
  it('redirects with code, scope and state; login_hint picks the mailbox; tokens are ya29./1// with the granted scopes', async () => {
    const { redirect, tokens, tokenStatus } = await googleSignIn(base, { login_hint: 'SAM@acme-sales.test', state: 'xyz' });
    expect(`${redirect.origin}${redirect.pathname}`).toBe(GOOGLE_REDIRECT_URI);
    expect(redirect.searchParams.get('state')).toBe('xyz');
    expect(tokenStatus).toBe(200);
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      refresh_token: expect.stringMatching(/^1\/\//),
      expires_in: 3600,
      token_type: 'Bearer',
      scope: 'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send https://www.googleapis.com/auth/userinfo.email',
    });
    expect((await (await profile(tokens!.access_token)).json()).emailAddress).toBe('sam@acme-sales.test');
  });

  it('defaults to the first Gmail mailbox and hands out no refresh token without access_type=offline', async () => {
    const { tokens } = await googleSignIn(base, { access_type: 'online' });
    expect(tokens).not.toHaveProperty('refresh_token');
    expect((await (await profile(tokens!.access_token)).json()).emailAddress).toBe(RILEY);
  });

  it('refuses a PKCE verifier that does not match with invalid_grant, and spends the code', async () => {
    const { tokens, tokenStatus, redirect } = await googleSignIn(base, {}, 'x'.repeat(43));
    expect(tokenStatus).toBe(400);
    expect(tokens).toEqual({ error: 'invalid_grant', error_description: 'Invalid code verifier.' });
    const again = await token({ grant_type: 'authorization_code', client_id: GOOGLE_CLIENT_ID, code: redirect.searchParams.get('code')!, redirect_uri: GOOGLE_REDIRECT_URI, code_verifier: 'y'.repeat(43) });
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'Bad Request' });
  });

  it('redirects with error=access_denied and the state when consent is denied', async () => {
    await admin('/config', { consent: 'deny' }, 'PUT');
    const { redirect, tokens } = await googleSignIn(base, { state: 'keep-me' });
    expect(tokens).toBeUndefined();
    expect(Object.fromEntries(redirect.searchParams)).toEqual({ error: 'access_denied', state: 'keep-me', iss: base });
  });

  it('answers prompt=none without an earlier consent with consent_required', async () => {
    const { redirect } = await googleSignIn(base, { prompt: 'none', login_hint: 'sam@acme-sales.test', scope: 'https://mail.google.com/' });
    expect(redirect.searchParams.get('error')).toBe('consent_required');
  });

  it('shows an error page, not a redirect, when a required parameter is missing', async () => {
    const response = await fetch(`${base}/o/oauth2/v2/auth?client_id=x&response_type=code&scope=email`, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Missing required parameter: redirect_uri');
  });

  it('refreshes without rotating the refresh token; unknown grant types are refused', async () => {
    const { tokens } = await googleSignIn(base);
    const refreshed = await refresh(tokens!.refresh_token);
    expect(refreshed.status).toBe(200);
    const body = await refreshed.json();
    expect(body).toEqual({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3600, token_type: 'Bearer', scope: tokens!.scope });
    expect((await profile(body.access_token)).status).toBe(200);
    expect((await refresh(tokens!.refresh_token)).status).toBe(200);
    expect(await (await token({ grant_type: 'password', client_id: GOOGLE_CLIENT_ID })).json()).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' });
  });

  it('revokes a refresh token (form body): its access tokens answer 401 and refresh answers invalid_grant', async () => {
    const { tokens } = await googleSignIn(base);
    const revoked = await fetch(`${base}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: String(tokens!.refresh_token) }) });
    expect(revoked.status).toBe(200);
    const denied = await profile(tokens!.access_token);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer realm="https://accounts.google.com/", error="invalid_token"');
    expect(await denied.json()).toEqual({
      error: {
        code: 401,
        message: expect.stringMatching(/^Request had invalid authentication credentials\./),
        errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
        status: 'UNAUTHENTICATED',
      },
    });
    expect(await (await refresh(tokens!.refresh_token)).json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    // Revoking again (here through ?token=) finds nothing.
    expect((await fetch(`${base}/revoke?token=${encodeURIComponent(String(tokens!.refresh_token))}`, { method: 'POST' })).status).toBe(400);
  });

  it('expire access_tokens: 401 until a refresh; expire refresh_tokens: refresh answers invalid_grant', async () => {
    const { tokens } = await googleSignIn(base);
    await admin('/expire', { what: 'access_tokens' });
    expect((await profile(tokens!.access_token)).status).toBe(401);
    const refreshed = await (await refresh(tokens!.refresh_token)).json();
    expect((await profile(refreshed.access_token)).status).toBe(200);
    await admin('/expire', { what: 'refresh_tokens' });
    expect(await (await refresh(tokens!.refresh_token)).json()).toEqual({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
  });

  it('expire access_tokens for one user: by mailbox id or by address in any case, and no one else', async () => {
    const riley = (await googleSignIn(base, { login_hint: RILEY })).tokens!.access_token;
    const sam = (await googleSignIn(base, { login_hint: 'sam@acme-sales.test' })).tokens!.access_token;
    await admin('/expire', { what: 'access_tokens', user: 'riley' });
    expect((await profile(riley)).status).toBe(401);
    expect((await profile(sam)).status).toBe(200);
    await admin('/expire', { what: 'access_tokens', user: 'SAM@Acme-Sales.test' });
    expect((await profile(sam)).status).toBe(401);
  });

  it('answers 403 insufficientPermissions with ACCESS_TOKEN_SCOPE_INSUFFICIENT when the token lacks the scope', async () => {
    const { tokens } = await googleSignIn(base, { scope: 'https://www.googleapis.com/auth/gmail.send' });
    const response = await fetch(`${base}/gmail/v1/users/me/messages`, { headers: { authorization: `Bearer ${String(tokens!.access_token)}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(await response.json()).toEqual({
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
            metadata: { service: 'gmail.googleapis.com', method: 'caribou.api.proto.MailboxService.ListMessages' },
          },
        ],
      },
    });
    // gmail.settings.basic alone is enough for sendAs.list.
    const settingsOnly = await googleSignIn(base, { scope: 'https://www.googleapis.com/auth/gmail.settings.basic' });
    const sendAs = await fetch(`${base}/gmail/v1/users/me/settings/sendAs`, { headers: { authorization: `Bearer ${String(settingsOnly.tokens!.access_token)}` } });
    expect(sendAs.status).toBe(200);
  });

  it('refuses another user id than the signed-in one (delegation)', async () => {
    const { tokens } = await googleSignIn(base);
    const response = await fetch(`${base}/gmail/v1/users/sam@acme-sales.test/profile`, { headers: { authorization: `Bearer ${String(tokens!.access_token)}` } });
    expect(response.status).toBe(403);
    expect((await response.json()).error.message).toBe(`Delegation denied for ${RILEY}`);
    const byAddress = await fetch(`${base}/gmail/v1/users/${RILEY}/profile`, { headers: { authorization: `Bearer ${String(tokens!.access_token)}` } });
    expect(byAddress.status).toBe(200);
  });
});
