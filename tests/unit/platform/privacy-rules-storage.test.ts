import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { PRIVACY_RULES_V1_EDGE_STORAGE, PRIVACY_RULES_V1_STORAGE, PRIVACY_RULES_V2_EDGE_MIGRATED, PRIVACY_RULES_V2_MIGRATED } from '../../fixtures/storage-v1';

/**
 * The privacy rules item's migration (R21), replayed as a browser runs it: a stored version 1 value
 * is in `chrome.storage.local` when the background loads the storage module (WXT migrates at
 * `defineItem`), so each test loads a fresh copy of the module after seeding the fake browser.
 */
async function loadStorage(): Promise<typeof import('@/lib/platform/storage')> {
  vi.resetModules();
  return import('@/lib/platform/storage');
}

beforeEach(() => fakeBrowser.reset());

describe('privacy rules item, version 1 → 2', () => {
  it('replays a stored v1 value: normalised, domains moved out of the addresses, junk dropped, stored as v2', async () => {
    await fakeBrowser.storage.local.set(structuredClone(PRIVACY_RULES_V1_STORAGE));
    const storage = await loadStorage();
    expect(await storage.readPrivacyRules()).toEqual(PRIVACY_RULES_V2_MIGRATED);
    // Stored migrated, with WXT's version meta, so the next start does not migrate again.
    expect(await fakeBrowser.storage.local.get(['privacyRules', 'privacyRules$'])).toEqual({ privacyRules: PRIVACY_RULES_V2_MIGRATED, privacyRules$: { v: 2 } });
  });

  it('replays the v1 edge fixture: a top-level domain, trailing dots, `_` and one-label workspace domains all kept', async () => {
    await fakeBrowser.storage.local.set(structuredClone(PRIVACY_RULES_V1_EDGE_STORAGE));
    expect(await (await loadStorage()).readPrivacyRules()).toEqual(PRIVACY_RULES_V2_EDGE_MIGRATED);
  });

  it('replays a v1 value longer than the save limits: stored and read whole, nothing thrown', async () => {
    const blockedDomains = Array.from({ length: 1500 }, (_, i) => `d${i}.test`);
    await fakeBrowser.storage.local.set({ privacyRules: { workspaceDomains: [], blockedAddresses: [], blockedDomains, excludedCategories: [] } });
    expect((await (await loadStorage()).readPrivacyRules()).blockedDomains).toEqual(blockedDomains);
  });

  it('migrates a value whose meta says v1 explicitly, and leaves a v2 value alone', async () => {
    await fakeBrowser.storage.local.set({ ...structuredClone(PRIVACY_RULES_V1_STORAGE), privacyRules$: { v: 1 } });
    expect(await (await loadStorage()).readPrivacyRules()).toEqual(PRIVACY_RULES_V2_MIGRATED);
    const v2 = { ...PRIVACY_RULES_V2_MIGRATED, workspaceDomains: ['kept.test'] };
    await fakeBrowser.storage.local.set({ privacyRules: v2 });
    expect(await (await loadStorage()).readPrivacyRules()).toEqual(v2);
  });

  it('leaves a value v1 could not read as it was, and reading it fails loudly instead of dropping the blocks', async () => {
    const broken = { workspaceDomains: 'acme-sales.test', blockedAddresses: [], blockedDomains: [], excludedCategories: [] };
    await fakeBrowser.storage.local.set({ privacyRules: broken });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const storage = await loadStorage();
    const failure = storage.readPrivacyRules();
    // (A fresh module copy: its class is not this file's, so the name is compared.)
    await expect(failure).rejects.toMatchObject({ name: 'PrivacyRulesUnreadableError' });
    await expect(failure).rejects.toThrow(/could not be read.*save: saving replaces the unreadable rules/);
    expect(error).toHaveBeenCalled();
    expect((await fakeBrowser.storage.local.get('privacyRules')).privacyRules).toEqual(broken);
    // The way out: saving rules replaces the unreadable value.
    const saved = await storage.savePrivacyRules({ workspaceDomains: ['acme-sales.test'], blockedAddresses: [], blockedDomains: [], excludedCategories: [] });
    expect(await storage.readPrivacyRules()).toEqual(saved);
  });

  it('a first save on a fresh browser stores v2 with its version, normalised', async () => {
    const storage = await loadStorage();
    expect(await storage.readPrivacyRules()).toEqual({ workspaceDomains: [], blockedAddresses: [], blockedDomains: [], excludedCategories: ['promotions', 'social', 'updates', 'forums'] });
    const saved = await storage.savePrivacyRules({ workspaceDomains: ['@ACME.test', 'acme.test'], blockedAddresses: [' X@Y.test'], blockedDomains: [], excludedCategories: ['Forums'] });
    expect(saved).toEqual({ workspaceDomains: ['acme.test'], blockedAddresses: ['x@y.test'], blockedDomains: [], excludedCategories: ['forums'] });
    expect(await fakeBrowser.storage.local.get(['privacyRules', 'privacyRules$'])).toEqual({ privacyRules: saved, privacyRules$: { v: 2 } });
  });
});
