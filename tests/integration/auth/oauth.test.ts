import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { microsoftClient } from '@/lib/auth/clients';
import { authorize, type OAuthClient, refresh } from '@/lib/auth/oauth';
import { OAuthTokenSource } from '@/lib/auth/token-source';
import { readAccess, readRefresh, saveGrant } from '@/lib/platform/token-store';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorEndpoints, TEST_REDIRECT_URIS } from '../../support/emulator-endpoints';
import { fetchWebAuthFlow, recordingWebAuthFlow } from '../../support/web-auth-flow';

const USER = 'support@acme-sales.test';
let emulators: RunningEmulators;
let client: OAuthClient;

/** The Microsoft emulator's admin API. */
let admin: EmulatorAdmin;

async function expectProviderError(promise: Promise<unknown>, code: string, words?: RegExp) {
  const error = await failure(promise);
  expect(error.code).toBe(code);
  if (words) expect(error.message).toMatch(words);
}

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 3 });
  admin = emulatorAdmin(emulators.urls.microsoft);
  client = microsoftClient(emulatorEndpoints(emulators.urls), TEST_REDIRECT_URIS.microsoft);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  await admin.post('/reset');
  await admin.put('/config', { consent: 'allow' });
});

describe('authorization code + PKCE (R2)', () => {
  it('sends PKCE S256, state and the login hint, and returns a grant with a refresh token', async () => {
    const flow = recordingWebAuthFlow();
    const grant = await authorize(client, flow, { interactive: true, loginHint: USER, prompt: 'select_account' });
    const sent = flow.urls[0]!.searchParams;
    expect(sent.get('code_challenge_method')).toBe('S256');
    expect(sent.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sent.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sent.get('login_hint')).toBe(USER);
    expect(grant.refreshToken).toBeTruthy();
    expect(grant.accessExpiresAt).toBeGreaterThan(Date.now());
    // The token works against Graph.
    const me = await fetch(`${emulators.urls.microsoft}/v1.0/me`, { headers: { authorization: `Bearer ${grant.accessToken}` } });
    expect(((await me.json()) as { mail: string }).mail).toBe(USER);
  });

  it('turns a declined consent into a plain message that says what to do', async () => {
    await admin.put('/config', { consent: 'deny' });
    await expectProviderError(authorize(client, fetchWebAuthFlow, { interactive: true }), 'insufficient_permissions', /declined.*Connect again/);
  });

  it('refuses a redirect that belongs to another sign-in (state mismatch)', async () => {
    const forged = async (url: string, interactive: boolean) => {
      const location = new URL(await fetchWebAuthFlow(url, interactive));
      location.searchParams.set('state', 'someone-else');
      return location.toString();
    };
    await expectProviderError(authorize(client, forged, { interactive: true }), 'bad_response', /did not belong/);
  });

  it('fails the code exchange when the code was issued for another PKCE challenge', async () => {
    // A code obtained with someone else's challenge cannot be redeemed with our verifier.
    const swapped = (url: string, interactive: boolean) => {
      const tampered = new URL(url);
      tampered.searchParams.set('code_challenge', 'A'.repeat(43));
      return fetchWebAuthFlow(tampered.toString(), interactive);
    };
    await expectProviderError(authorize(client, swapped, { interactive: true }), 'reauth_required');
  });

  it('a closed sign-in window reads as "closed before access was granted"', async () => {
    const closed = async () => {
      throw new Error('The user did not approve access.');
    };
    await expectProviderError(authorize(client, closed, { interactive: true }), 'insufficient_permissions', /closed before access/);
  });
});

describe('token source: refresh, silent renewal, reconnect (R2)', () => {
  const account = `outlook:${USER}`;

  async function connected() {
    await saveGrant(account, await authorize(client, fetchWebAuthFlow, { interactive: true, loginHint: USER }));
    return new OAuthTokenSource({ account, client, flow: fetchWebAuthFlow, silentRenewalFor: USER });
  }

  it('serves the cached token, then refreshes (rotating the refresh token) once it expired', async () => {
    const source = await connected();
    const first = await source.token();
    expect(await source.token()).toBe(first);
    const before = (await readRefresh(account))!.token;
    await source.invalidate(first);
    const [a, b] = await Promise.all([source.token(), source.token()]);
    expect(a).not.toBe(first);
    // Concurrent callers shared one refresh.
    expect(b).toBe(a);
    expect((await readRefresh(account))!.token).not.toBe(before);
  });

  it('renews silently with prompt=none when the refresh token has expired', async () => {
    const flow = recordingWebAuthFlow();
    await saveGrant(account, await authorize(client, flow, { interactive: true, loginHint: USER }));
    const source = new OAuthTokenSource({ account, client, flow, silentRenewalFor: USER });
    await admin.post('/expire', { what: 'refresh_tokens' });
    await admin.post('/expire', { what: 'access_tokens' });
    await source.invalidate((await readAccess(account))!.token);
    expect(await source.token()).toBeTruthy();
    const silent = flow.urls.at(-1)!.searchParams;
    expect(silent.get('prompt')).toBe('none');
    expect(silent.get('login_hint')).toBe(USER);
  });

  it('asks for a reconnect when both the refresh and the silent renewal fail', async () => {
    const source = await connected();
    await admin.post('/expire', { what: 'refresh_tokens' });
    await admin.post('/microsoft/silent', { allow: false });
    await source.invalidate((await readAccess(account))!.token);
    await expectProviderError(source.token(), 'reauth_required', /sign in again/);
  });

  it('a refused refresh token is reauth_required from refresh() itself', async () => {
    await expectProviderError(refresh(client, '1.AQnot-a-token'), 'reauth_required');
  });

  it('a caller that aborts stops waiting, while the shared refresh goes on for the others', async () => {
    const source = await connected();
    await source.invalidate((await readAccess(account))!.token);
    const delayed = await admin.fault({ path: '/oauth2/v2.0/token$', delayMs: 300 });
    const since = (await admin.requests()).at(-1)!.seq;
    const controller = new AbortController();
    const first = source.token(controller.signal);
    const second = source.token();
    controller.abort(new Error('the user cancelled'));
    await expect(first).rejects.toThrow('the user cancelled');
    expect(await second).toBe((await readAccess(account))!.token);
    const refreshes = await admin.requests('/token$', { since });
    expect(refreshes.length).toBe(1);
    // The refresh was answered under the injected delay, so the abort came while it was in flight.
    expect(refreshes[0]!.faultId).not.toBeNull();
    expect(refreshes[0]!.faultId).toBe(delayed);
  });
});
