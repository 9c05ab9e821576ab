import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { staticToken } from '@/lib/auth/access-token';
import { crmClient, googleClient, microsoftClient } from '@/lib/auth/clients';
import { authorize, type OAuthClient, refresh, revoke } from '@/lib/auth/oauth';
import { providerError } from '@/lib/domain';
import { type HttpPeer, send } from '@/lib/http/request';
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

describe('OAuth mix-up: an answer is taken only from its own server, on its own redirect URL (issue 8 §1.1)', () => {
  it("refuses Google's answer to a CRM sign-in that a hostile CRM bounced to Google, and sends its code nowhere", async () => {
    const endpoints = emulatorEndpoints(emulators.urls);
    const hostile = crmClient(endpoints, 'https://crm.hostile.test', TEST_REDIRECT_URIS.crm);
    // The hostile CRM's authorize page redirects to Google with the extension's Google client id,
    // this sign-in's state and challenge, and the Google redirect URL; Google answers there.
    const bounced = (url: string, interactive: boolean) => {
      const crmRequest = new URL(url);
      const google = new URL(endpoints.google.authUrl);
      for (const name of ['state', 'code_challenge', 'code_challenge_method', 'response_type']) google.searchParams.set(name, crmRequest.searchParams.get(name)!);
      google.searchParams.set('client_id', endpoints.google.clientId);
      google.searchParams.set('redirect_uri', TEST_REDIRECT_URIS.google);
      google.searchParams.set('scope', 'https://www.googleapis.com/auth/gmail.readonly');
      return fetchWebAuthFlow(google.toString(), interactive);
    };
    const error = await failure(authorize(hostile, bounced, { interactive: true }));
    expect(error.code).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/came back on another service’s address/);
    // Google did hand out a code (to the Google redirect URL); nothing was redeemed anywhere.
    expect((await emulatorAdmin(emulators.urls.google).requests('^/token$')).length).toBe(0);
  });

  it("refuses an honest CRM's answer without iss to a sign-in a hostile CRM bounced there: every CRM shares one redirect URL", async () => {
    const endpoints = emulatorEndpoints(emulators.urls);
    const honest = emulators.urls.crm;
    const hostile = crmClient(endpoints, 'https://crm.hostile.test', TEST_REDIRECT_URIS.crm);
    // The hostile CRM forwards the sign-in to the honest CRM unchanged; the honest CRM answers on
    // the shared CRM redirect URL. Without `iss` the answer cannot say which CRM sent it.
    const bouncedToHonest = (dropIss: boolean) => async (url: string, interactive: boolean) => {
      const forwarded = new URL(`${honest}/oauth/authorize`);
      forwarded.search = new URL(url).search;
      const answer = new URL(await fetchWebAuthFlow(forwarded.toString(), interactive));
      if (dropIss) answer.searchParams.delete('iss');
      return answer.toString();
    };
    for (const dropIss of [false, true]) {
      await expectProviderError(authorize(hostile, bouncedToHonest(dropIss), { interactive: true }), 'bad_response', /another service’s address/);
    }
    // The same answer is taken from the CRM the user typed, with its iss, and refused without one.
    const honestClient = crmClient(endpoints, honest, TEST_REDIRECT_URIS.crm);
    const own = (dropIss: boolean) => async (url: string, interactive: boolean) => {
      const answer = new URL(await fetchWebAuthFlow(url, interactive));
      if (dropIss) answer.searchParams.delete('iss');
      return answer.toString();
    };
    expect((await authorize(honestClient, own(false), { interactive: true })).accessToken).toBeTruthy();
    await expectProviderError(authorize(honestClient, own(true), { interactive: true }), 'bad_response', /another service’s address/);
    expect((await emulatorAdmin(honest).requests('^/oauth/token$')).length).toBe(1);
  });

  it('refuses an answer on its own redirect URL that names another issuer', async () => {
    const googleClientOfThisBuild = googleClient(emulatorEndpoints(emulators.urls), TEST_REDIRECT_URIS.google);
    const otherIssuer = async (url: string, interactive: boolean) => {
      const answer = new URL(await fetchWebAuthFlow(url, interactive));
      expect(answer.searchParams.get('iss')).toBe(emulators.urls.google);
      answer.searchParams.set('iss', 'https://crm.hostile.test');
      return answer.toString();
    };
    await expectProviderError(authorize(googleClientOfThisBuild, otherIssuer, { interactive: true }), 'bad_response', /another service’s address/);
    expect((await emulatorAdmin(emulators.urls.google).requests('^/token$')).length).toBe(0);
  });

  it("takes Microsoft's answer without iss, or with an iss of the documented per-tenant form only", async () => {
    const withIss = (iss: string) => async (url: string, interactive: boolean) => {
      const answer = new URL(await fetchWebAuthFlow(url, interactive));
      answer.searchParams.set('iss', iss);
      return answer.toString();
    };
    const origin = new URL(emulators.urls.microsoft).origin;
    expect((await authorize(client, withIss(`${origin}/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0`), { interactive: true })).accessToken).toBeTruthy();
    await expectProviderError(authorize(client, withIss(`${origin}/common/v2.0`), { interactive: true }), 'bad_response', /another service’s address/);
    await expectProviderError(authorize(client, withIss('https://evil.test/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0'), { interactive: true }), 'bad_response');
  });

  it('refuses an answer that ends on another path or origin than its own redirect URL', async () => {
    for (const elsewhere of [TEST_REDIRECT_URIS.google, `${TEST_REDIRECT_URIS.microsoft}/`, 'https://evil.test/microsoft']) {
      const moved = async (url: string, interactive: boolean) => {
        const answer = new URL(await fetchWebAuthFlow(url, interactive));
        const target = new URL(elsewhere);
        target.search = answer.search;
        return target.toString();
      };
      await expectProviderError(authorize(client, moved, { interactive: true }), 'bad_response', /another service’s address/);
    }
  });
});

/** A server that answers every request with a 302 to `target`, recording what it got. */
async function redirectingServer(target: string): Promise<{ url: string; requests: { url: string; authorization: string | null; body: string }[]; close(): Promise<void> }> {
  const requests: { url: string; authorization: string | null; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ url: request.url ?? '', authorization: request.headers.authorization ?? null, body });
      response.writeHead(target ? 302 : 200, target ? { location: `${target}${request.url ?? ''}` } : {}).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('no credential follows a redirect (issue 8 §1.2)', () => {
  it('token, refresh and revoke requests and authorised API calls stop at a 302: the target sees nothing, the error is final', async () => {
    const target = await redirectingServer('');
    const bouncer = await redirectingServer(target.url);
    try {
      const bounced = { ...client, tokenUrl: `${bouncer.url}/token`, revokeUrl: `${bouncer.url}/revoke` };
      await expectProviderError(refresh(bounced, '1.AQsecret-refresh'), 'bad_response', /redirect/);
      await expectProviderError(revoke(bounced, '1.AQsecret-refresh'), 'bad_response', /redirect/);
      const code = async (url: string) => {
        const answer = new URL(TEST_REDIRECT_URIS.microsoft);
        answer.search = new URLSearchParams({ code: 'secret-code', state: new URL(url).searchParams.get('state')! }).toString();
        return answer.toString();
      };
      await expectProviderError(authorize(bounced, code, { interactive: true }), 'bad_response', /redirect/);
      const peer: HttpPeer = { source: 'outlook', tokens: staticToken('secret-access'), classify: () => providerError('bad_response', 'outlook'), retry: { attempts: 1 } };
      await expectProviderError(send(peer, { url: `${bouncer.url}/v1.0/me` }), 'bad_response', /redirect/);

      // The peer that was asked saw the credentials (it is the endpoint they were meant for)…
      expect(bouncer.requests.map((r) => r.url)).toEqual(['/token', '/revoke', '/token', '/v1.0/me']);
      expect(bouncer.requests[3]!.authorization).toBe('Bearer secret-access');
      // …and the address it redirected to got none of them.
      expect(target.requests).toEqual([]);
    } finally {
      await Promise.all([target.close(), bouncer.close()]);
    }
  });
});

describe('revocation tells the truth (issue 8 §1.6)', () => {
  it('only a 2xx counts: Google confirms a live token, refuses an unknown one; Microsoft has no revocation', async () => {
    const google = googleClient(emulatorEndpoints(emulators.urls), TEST_REDIRECT_URIS.google);
    const grant = await authorize(google, fetchWebAuthFlow, { interactive: true, extraParams: { access_type: 'offline' } });
    expect(await revoke(google, grant.refreshToken!)).toBe(true);
    const again = await failure(revoke(google, grant.refreshToken!));
    expect(again.code).toBe('bad_response');
    expect(again.message).toMatch(/refused to revoke the access \(HTTP 400\)/);
    expect(await revoke(client, 'any-token')).toBe(false);
  });
});

describe('planted-bug guards for the token source (issue 8 §4)', () => {
  const account = `outlook:${USER}`;

  it('renews a token that expires within the early-refresh margin, before it dies in flight', async () => {
    const grant = await authorize(client, fetchWebAuthFlow, { interactive: true, loginHint: USER });
    // Valid for 30 more seconds: inside the margin, so the source must not hand it out.
    await saveGrant(account, { ...grant, accessExpiresAt: Date.now() + 30_000 });
    const source = new OAuthTokenSource({ account, client, flow: fetchWebAuthFlow });
    const token = await source.token();
    expect(token).not.toBe(grant.accessToken);
    expect((await readAccess(account))!.token).toBe(token);
  });

  it('after a refused refresh, takes the refresh token another worker rotated meanwhile instead of giving up', async () => {
    await saveGrant(account, await authorize(client, fetchWebAuthFlow, { interactive: true, loginHint: USER }));
    const stale = (await readRefresh(account))!.token;
    await forgetAccessFor(account);
    // Another worker instance already rotated `stale` at Microsoft; its write lands while this
    // source's refresh with `stale` is on the wire (and refused).
    const rotated = await refresh(client, stale);
    await admin.fault({ path: '/oauth2/v2.0/token$', delayMs: 300 });
    const source = new OAuthTokenSource({ account, client, flow: fetchWebAuthFlow });
    const pending = source.token();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await saveGrant(account, rotated);
    const token = await pending;
    expect(token).not.toBe(rotated.accessToken);
    const refreshes = (await admin.requests('/token$')).filter((r) => r.method === 'POST');
    expect(refreshes.map((r) => r.status).slice(-2)).toEqual([400, 200]);
  });

  it('an offline silent renewal is a network failure, not "reconnect needed"', async () => {
    await saveGrant(account, await authorize(client, fetchWebAuthFlow, { interactive: true, loginHint: USER }));
    await admin.post('/expire', { what: 'refresh_tokens' });
    await forgetAccessFor(account);
    const offline = async () => {
      throw new Error('Authorization page could not be loaded.');
    };
    const source = new OAuthTokenSource({ account, client, flow: offline, silentRenewalFor: USER });
    const error = await failure(source.token());
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
  });
});

/** Drops the cached access token, so the next `token()` renews. */
async function forgetAccessFor(account: string): Promise<void> {
  const cached = await readAccess(account);
  if (cached) await new OAuthTokenSource({ account, client, flow: fetchWebAuthFlow }).invalidate(cached.token);
}
