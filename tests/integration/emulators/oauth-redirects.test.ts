import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { DEFAULT_REDIRECT_URIS } from '@/emulators/core/context';
import { pkceChallenge } from '@/emulators/core/oauth';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';

/**
 * The three authorization servers check a client's registered redirect URLs exactly, as Google
 * and Microsoft do: an unregistered one gets an error page, never a redirect (which would hand
 * the code to whoever named the address). Google and the CRM name themselves in every answer
 * with `iss` (RFC 9207); Microsoft's v2.0 endpoint does not.
 */
let emulators: RunningEmulators;
let admin: EmulatorAdmin;
const EXTENSION = 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org';

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 2 });
  admin = emulatorAdmin(emulators.urls.google);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  await admin.post('/reset');
  await admin.put('/config', { consent: 'allow', redirectUris: DEFAULT_REDIRECT_URIS });
});

type Server = 'google' | 'microsoft' | 'crm';

/** The authorize URL of each server for a client and redirect URL. */
function authorizeUrl(server: Server, clientId: string, redirectUri: string): URL {
  const path = { google: '/o/oauth2/v2/auth', microsoft: '/common/oauth2/v2.0/authorize', crm: '/oauth/authorize' }[server];
  const scope = { google: 'https://www.googleapis.com/auth/gmail.readonly', microsoft: 'openid offline_access Mail.Read', crm: 'contacts:read' }[server];
  const url = new URL(`${emulators.urls[server]}${path}`);
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    state: 'st',
    code_challenge: pkceChallenge(randomBytes(32).toString('base64url')),
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

const authorize = (server: Server, clientId: string, redirectUri: string) => fetch(authorizeUrl(server, clientId, redirectUri), { redirect: 'manual' });

describe('registered redirect URLs', () => {
  it.each(['google', 'microsoft', 'crm'] as const)('%s redirects only to its own redirect URL of the extension, exactly', async (server) => {
    const own = await authorize(server, 'any-client', `${EXTENSION}/${server}`);
    expect(own.status).toBe(302);
    expect(new URL(own.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    const others = (['google', 'microsoft', 'crm'] as const).filter((s) => s !== server).map((s) => `${EXTENSION}/${s}`);
    for (const uri of [...others, `${EXTENSION}/`, `${EXTENSION}/${server}/`, `${EXTENSION}/${server.toUpperCase()}`, `https://evil.test/${server}`]) {
      const refused = await authorize(server, 'any-client', uri);
      expect(refused.status, uri).toBe(400);
      expect(refused.headers.get('location'), uri).toBeNull();
      expect(await refused.text(), uri).not.toMatch(/code=/);
    }
  });

  it('says which rule was broken, in each server’s own words', async () => {
    const google = await authorize('google', 'any-client', `${EXTENSION}/crm`);
    expect(await google.text()).toContain('Error 400: redirect_uri_mismatch');
    const microsoft = await authorize('microsoft', 'any-client', `${EXTENSION}/crm`);
    expect(await microsoft.text()).toContain(`AADSTS50011: The redirect URI '${EXTENSION}/crm' specified in the request does not match`);
    const crm = await authorize('crm', 'any-client', `${EXTENSION}/google`);
    expect(await crm.json()).toEqual({ error: { code: 'invalid_request', message: 'redirect_uri is not registered for this client.' } });
  });

  it('registrations are per client and set through PUT /__admin/config', async () => {
    await admin.put('/config', { redirectUris: { google: { 'web-client': ['https://app.example.test/callback'] } } });
    expect((await authorize('google', 'web-client', 'https://app.example.test/callback')).status).toBe(302);
    // That client has only its own URL now, and Google no default for other clients; the other
    // servers keep theirs.
    expect((await authorize('google', 'web-client', `${EXTENSION}/google`)).status).toBe(400);
    expect((await authorize('google', 'other-client', `${EXTENSION}/google`)).status).toBe(400);
    expect((await authorize('crm', 'web-client', `${EXTENSION}/crm`)).status).toBe(302);
    expect((await admin.get<{ redirectUris: Record<string, unknown> }>('/config')).redirectUris.google).toEqual({ 'web-client': ['https://app.example.test/callback'] });
  });
});

describe('iss in authorization responses (RFC 9207)', () => {
  it('Google and the CRM name themselves, in success and error answers; Microsoft does not', async () => {
    for (const server of ['google', 'crm'] as const) {
      const ok = new URL((await authorize(server, 'any-client', `${EXTENSION}/${server}`)).headers.get('location')!);
      expect(ok.searchParams.get('iss'), server).toBe(emulators.urls[server]);
    }
    const microsoft = new URL((await authorize('microsoft', 'any-client', `${EXTENSION}/microsoft`)).headers.get('location')!);
    expect(microsoft.searchParams.has('code')).toBe(true);
    expect(microsoft.searchParams.has('iss')).toBe(false);

    await admin.put('/config', { consent: 'deny' });
    for (const server of ['google', 'crm'] as const) {
      const denied = new URL((await authorize(server, 'any-client', `${EXTENSION}/${server}`)).headers.get('location')!);
      expect(Object.fromEntries(denied.searchParams), server).toMatchObject({ error: 'access_denied', state: 'st', iss: emulators.urls[server] });
    }
  });
});
