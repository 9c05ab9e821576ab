import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { accountGeneration, forgetAllTokens, readAccess, readPersonalToken, readRefresh, saveGrant, savePersonalToken } from '@/lib/platform/token-store';

const grant = { accessToken: 'ya29.a', accessExpiresAt: Date.now() + 3_600_000, refreshToken: '1//r', refreshExpiresAt: null, scope: 's' };

describe('forgetAllTokens (storage could not be closed to content scripts)', () => {
  beforeEach(() => fakeBrowser.reset());

  it("forgets every account's tokens, each with a new generation, and leaves other settings alone", async () => {
    await saveGrant('gmail:riley@acme-sales.test', grant);
    await saveGrant('crm:https://crm.example.com', grant);
    await savePersonalToken('crm:https://other.example.com', 'crm_pat_x');
    await fakeBrowser.storage.local.set({ crmConnection: { baseUrl: 'https://crm.example.com', authMethod: 'oauth' } });
    const before = accountGeneration('gmail:riley@acme-sales.test');

    await forgetAllTokens();

    for (const account of ['gmail:riley@acme-sales.test', 'crm:https://crm.example.com']) {
      expect(await readAccess(account)).toBeNull();
      expect(await readRefresh(account)).toBeNull();
    }
    expect(await readPersonalToken('crm:https://other.example.com')).toBeNull();
    expect(accountGeneration('gmail:riley@acme-sales.test')).toBe(before + 1);
    expect(await fakeBrowser.storage.local.get('crmConnection')).toEqual({ crmConnection: { baseUrl: 'https://crm.example.com', authMethod: 'oauth' } });
  });
});
