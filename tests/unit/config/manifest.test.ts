import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestFor } from '@/lib/config/manifest';
import { WEBMAIL_MATCHES } from '@/lib/webmail/sites';

const devKey = readFileSync('keys/extension-dev.pub', 'utf8');
const e2eEnv = {
  WXT_GOOGLE_TOKEN_URL: 'http://127.0.0.1:47190/token',
  WXT_GOOGLE_REVOKE_URL: 'http://127.0.0.1:47190/revoke',
  WXT_GMAIL_API_URL: 'http://127.0.0.1:47190',
  WXT_MICROSOFT_AUTHORITY_URL: 'http://127.0.0.1:47191/common/oauth2/v2.0',
  WXT_GRAPH_API_URL: 'http://127.0.0.1:47191',
  WXT_CRM_BASE_URL: 'http://127.0.0.1:47192',
};
const build = (mode: string, env: Record<string, string | undefined> = {}) => manifestFor({ mode, env, devKey, googleScopes: ['scope-a'], webmailMatches: WEBMAIL_MATCHES });
/** The store item's public key as a release would set it (any base64 DER will do here). */
const storeKey = Buffer.from('the store item public key, DER').toString('base64');

describe('manifestFor', () => {
  it.each(['development', 'e2e'])('a %s build carries the committed development key and reaches this machine on any port', (mode) => {
    const manifest = build(mode);
    expect(manifest.key).toBe(devKey.trim());
    expect(manifest.host_permissions).toEqual(expect.arrayContaining(['http://127.0.0.1/*', 'http://localhost/*']));
    expect(manifest.optional_host_permissions).toEqual(['https://*/*']);
  });

  it.each(['production', 'staging'])('a %s build carries no key unless WXT_MANIFEST_KEY gives one, and no local hosts', (mode) => {
    const bare = build(mode);
    expect(bare).not.toHaveProperty('key');
    expect(bare.host_permissions).not.toEqual(expect.arrayContaining(['http://127.0.0.1/*']));
    expect(bare.host_permissions).not.toEqual(expect.arrayContaining(['http://localhost/*']));
    expect(bare.optional_host_permissions).toEqual(['https://*/*']);
    expect(build(mode, { WXT_MANIFEST_KEY: storeKey }).key).toBe(storeKey);
    // The development key never reaches a release, even when it is what the environment holds.
    expect(build(mode, { WXT_MANIFEST_KEY: '' })).not.toHaveProperty('key');
  });

  it('refuses a WXT_MANIFEST_KEY that is not base64, naming the variable', () => {
    expect(() => build('production', { WXT_MANIFEST_KEY: 'not a key!' })).toThrow(/WXT_MANIFEST_KEY/);
  });

  it('lets no other extension and no web page connect (externally_connectable with empty lists)', () => {
    for (const mode of ['development', 'e2e', 'production']) expect(build(mode).externally_connectable).toEqual({ ids: [], matches: [] });
  });

  it('lets only the webmail origins embed the sidebar frame, and exposes no other file', () => {
    for (const mode of ['development', 'e2e', 'production']) {
      expect(build(mode).web_accessible_resources).toEqual([{ resources: ['sidebar-frame.html'], matches: WEBMAIL_MATCHES }]);
    }
    expect(WEBMAIL_MATCHES).toEqual(['https://mail.google.com/*', 'https://outlook.office.com/*', 'https://outlook.office365.com/*', 'https://outlook.live.com/*']);
  });

  it('grants the configured hosts with their ports; a release only those', () => {
    expect(build('e2e', e2eEnv).host_permissions).toEqual(['http://127.0.0.1:47190/*', 'http://127.0.0.1:47191/*', 'http://127.0.0.1/*', 'http://localhost/*']);
    expect(build('production', e2eEnv).host_permissions).toEqual(['http://127.0.0.1:47190/*', 'http://127.0.0.1:47191/*']);
  });

  it('adds the oauth2 entry only when a Chrome client id is configured', () => {
    expect(build('production')).not.toHaveProperty('oauth2');
    expect(build('production', { WXT_GOOGLE_CHROME_CLIENT_ID: 'chrome-client' }).oauth2).toEqual({ client_id: 'chrome-client', scopes: ['scope-a'] });
  });
});
