import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { crmClient } from '@/lib/auth/clients';
import { refresh } from '@/lib/auth/oauth';
import { connectCrm, crmApi, disconnectCrm } from '@/lib/background/crm-connection';
import type { BackgroundDeps } from '@/lib/background/deps';
import { readCrmConnection, readPersonalToken, readRefresh } from '@/lib/platform';
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
    expect(await readPersonalToken('crm')).toBe('crm_pat_demo');
    const connection = (await readCrmConnection())!;
    expect(connection).toEqual({ baseUrl: crm, authMethod: 'personal_token' });
    expect((await crmApi(deps, connection).me()).email).toBe('riley@acme-sales.test');
  });

  it('signs in with OAuth, renews an expired access token through the refresh token, and revokes it on disconnect', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'oauth' });
    const connection = (await readCrmConnection())!;
    await admin.post('/expire', { what: 'access_tokens' });
    expect((await crmApi(deps, connection).me()).email).toBe('riley@acme-sales.test');

    const kept = (await readRefresh('crm'))!.token;
    await disconnectCrm(deps);
    expect(await readCrmConnection()).toBeNull();
    expect(await readRefresh('crm')).toBeNull();
    // Revoked at the CRM, not only forgotten here.
    expect((await failure(refresh(crmClient(deps.endpoints, crm, deps.redirectUris.crm), kept))).code).toBe('reauth_required');
  });

  it('keeps the working connection when a new sign-in is refused', async () => {
    await connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_demo' });
    const refused = await failure(connectCrm(deps, { baseUrl: crm, authMethod: 'personal_token', token: 'crm_pat_not_a_token' }));
    expect(refused.code).toBe('reauth_required');
    expect(await readCrmConnection()).toEqual({ baseUrl: crm, authMethod: 'personal_token' });
    expect(await readPersonalToken('crm')).toBe('crm_pat_demo');
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
