import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { crmClient } from '@/lib/auth/clients';
import { refresh } from '@/lib/auth/oauth';
import { connectCrm, crmAccount, crmApi, disconnectCrm } from '@/lib/background/crm-connection';
import type { BackgroundDeps } from '@/lib/background/deps';
import { forgetAccess, readAccess, readCrmConnection, readPersonalToken, readRefresh } from '@/lib/platform';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';

let emulators: RunningEmulators;
let deps: BackgroundDeps;
let crm: string;
/** The CRM emulator's admin API. */
let admin: EmulatorAdmin;
/** Whether the browser grants host access to the CRM origin (`permissions.contains`). */
const hostAccess = (granted: boolean) => vi.spyOn(fakeBrowser.permissions, 'contains').mockImplementation(async () => granted);

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  crm = emulators.urls.crm;
  admin = emulatorAdmin(crm);
  deps = emulatorBackgroundDeps(emulators.urls);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  // The options page asked for the CRM origin during the click; here the browser has granted it.
  hostAccess(true);
  await admin.post('/reset');
});

describe('the CRM connection (R8)', () => {
  it('keeps a personal access token that works, and the stored connection signs CRM calls with it', async () => {
    expect(await connectCrm(deps, { baseUrl: `${crm}/`, authMethod: 'personal_token', token: ' crm_pat_demo ' })).toEqual({
      baseUrl: crm,
      name: 'Riley Rep',
      email: 'riley@acme-sales.test',
    });
    expect(await readPersonalToken(crmAccount(crm))).toBe('crm_pat_demo');
    const connection = (await readCrmConnection())!;
    expect(connection).toEqual({ baseUrl: crm, authMethod: 'personal_token' });
    expect((await crmApi(deps, connection).me()).email).toBe('riley@acme-sales.test');
  });

  it('signs in with OAuth, renews an expired access token through the refresh token, and revokes it on disconnect', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    const connection = (await readCrmConnection())!;
    await admin.post('/expire', { what: 'access_tokens' });
    expect((await crmApi(deps, connection).me()).email).toBe('riley@acme-sales.test');

    const kept = (await readRefresh(crmAccount(crm)))!.token;
    expect(await disconnectCrm(deps)).toEqual({ revoked: true, pastedToken: false });
    expect(await readCrmConnection()).toBeNull();
    expect(await readRefresh(crmAccount(crm))).toBeNull();
    // Revoked at the CRM, not only forgotten here.
    expect((await failure(refresh(crmClient(deps.endpoints, crm, deps.redirectUris.crm), kept))).code).toBe('reauth_required');
  });

  it('a revocation the CRM refuses is reported, and the connection is forgotten all the same', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    await admin.fault({ path: '^/oauth/revoke$', status: 500, count: 10 });
    expect(await disconnectCrm(deps)).toEqual({ revoked: false, pastedToken: false });
    expect(await readCrmConnection()).toBeNull();
    expect(await readRefresh(crmAccount(crm))).toBeNull();
  });

  it('a pasted token is reported as one to revoke at the CRM', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_demo' });
    expect(await disconnectCrm(deps)).toEqual({ revoked: false, pastedToken: true });
    expect(await readPersonalToken(crmAccount(crm))).toBeNull();
  });

  it("a client of an earlier connection never gets a later connection's tokens", async () => {
    // Another base URL for the same server: an earlier connection the user replaced.
    const earlier = `http://localhost:${new URL(crm).port}`;
    const stale = crmApi(deps, { baseUrl: earlier, authMethod: 'oauth' });
    const stalePat = crmApi(deps, { baseUrl: earlier, authMethod: 'personal_token' });
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    const before = (await admin.requests('^/(public/v1/me|oauth/token)$')).length;
    expect(await stale.me().catch((error: unknown) => error)).toMatchObject({ code: 'reauth_required' });
    expect(await stalePat.me().catch((error: unknown) => error)).toMatchObject({ code: 'reauth_required' });
    expect((await admin.requests('^/(public/v1/me|oauth/token)$')).length).toBe(before);
  });

  it('keeps one spelling of the address: case, a default port and trailing slashes do not make another CRM, nor fail its iss', async () => {
    const { port } = new URL(crm);
    expect(await connectCrm(deps, { baseUrl: `HTTP://127.0.0.1:${port}//`, authMethod: 'oauth' })).toMatchObject({ baseUrl: crm });
    expect(await readCrmConnection()).toEqual({ baseUrl: crm, authMethod: 'oauth' });
    expect(await readRefresh(crmAccount(crm))).not.toBeNull();
  });

  it('a disconnect also ends tokens kept the way connections were kept before (one shared account)', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    // A connection from before tokens were kept per connection: its grant sits under "crm".
    const legacy = (await readRefresh(crmAccount(crm)))!;
    await fakeBrowser.storage.local.set({ 'auth.refresh.crm': legacy });
    await fakeBrowser.storage.local.remove(`auth.refresh.${crmAccount(crm)}`);
    await forgetAccess(crmAccount(crm));
    expect(await disconnectCrm(deps)).toEqual({ revoked: true, pastedToken: false });
    expect(await readRefresh('crm')).toBeNull();
    expect((await failure(refresh(crmClient(deps.endpoints, crm, deps.redirectUris.crm), legacy.token))).code).toBe('reauth_required');
  });

  it('keeps the working connection when a new sign-in is refused', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_demo' });
    const refused = await failure(connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_not_a_token' }));
    expect(refused.code).toBe('reauth_required');
    expect(await readCrmConnection()).toEqual({ baseUrl: crm, authMethod: 'personal_token' });
    expect(await readPersonalToken(crmAccount(crm))).toBe('crm_pat_demo');
  });

  it('sends nothing without host access to the CRM origin', async () => {
    hostAccess(false);
    const refused = await failure(connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_demo' }));
    expect(refused.code).toBe('insufficient_permissions');
    expect(refused.message).toMatch(/Allow the extension to reach http:\/\/127\.0\.0\.1:\d+/);
    const served = await admin.requests('^/public/v1/');
    expect(served).toEqual([]);
    expect(await readCrmConnection()).toBeNull();
  });
});

describe('a CRM connection that is replaced (issue 8 §1.6, §2.1)', () => {
  it('connecting again revokes the grant it replaces, once the new one is stored', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    const old = (await readRefresh(crmAccount(crm)))!.token;
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    const current = (await readRefresh(crmAccount(crm)))!.token;
    expect(current).not.toBe(old);
    const client = crmClient(deps.endpoints, crm, deps.redirectUris.crm);
    expect((await failure(refresh(client, old))).code).toBe('reauth_required');
    expect((await crmApi(deps, (await readCrmConnection())!).me()).email).toBe('riley@acme-sales.test');
  });

  it('a renewal of the replaced connection that is still in flight stores nothing over the new one', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    const api = crmApi(deps, (await readCrmConnection())!);
    // The next call renews (the admin expiry would expire the personal access token used below too).
    await forgetAccess(crmAccount(crm));
    // The old grant cannot be revoked (the CRM is briefly failing), and its refresh is on the wire.
    await admin.fault({ path: '^/oauth/revoke$', status: 503, count: 1 });
    await admin.fault({ path: '^/oauth/token$', delayMs: 400 });
    const call = api.me().then(() => expect.fail('expected the call to fail'), (error: unknown) => error);
    // The delayed refresh has been taken (its fault is used up) and is answered 400 ms later.
    await expect.poll(async () => (await admin.get<{ path: string; remaining: number }[]>('/faults')).every((f) => f.path !== '^/oauth/token$' || f.remaining === 0)).toBe(true);

    await connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_demo' });
    expect(await call).toMatchObject({ code: 'reauth_required' });
    const refreshed = (await admin.requests('^/oauth/token$')).at(-1)!;
    expect(refreshed.status).toBe(200);
    expect(await readRefresh(crmAccount(crm))).toBeNull();
    expect(await readAccess(crmAccount(crm))).toBeNull();
    expect(await readPersonalToken(crmAccount(crm))).toBe('crm_pat_demo');
    expect(await readCrmConnection()).toEqual({ baseUrl: crm, authMethod: 'personal_token' });
  });
});
