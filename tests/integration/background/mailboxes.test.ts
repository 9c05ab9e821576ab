import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { readAccess, readRefresh } from '@/lib/auth/token-store';
import type { BackgroundDeps } from '@/lib/background/deps';
import { connectMailbox, disconnectMailbox, mailboxProvider, reconnectMailbox } from '@/lib/background/mailboxes';
import { resolveEndpoints } from '@/lib/config/endpoints';
import { MailboxCrmDatabase } from '@/lib/db';
import { ProviderError } from '@/lib/domain';
import { aMessage } from '../../fixtures/domain';
import { fetchWebAuthFlow } from '../../support/web-auth-flow';

let emulators: RunningEmulators;
let deps: BackgroundDeps;
let db: MailboxCrmDatabase;

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  const { google, microsoft } = emulators.urls;
  deps = {
    db: null as unknown as MailboxCrmDatabase,
    endpoints: resolveEndpoints({
      WXT_GOOGLE_AUTH_URL: `${google}/o/oauth2/v2/auth`,
      WXT_GOOGLE_TOKEN_URL: `${google}/token`,
      WXT_GOOGLE_REVOKE_URL: `${google}/revoke`,
      WXT_GMAIL_API_URL: google,
      WXT_GOOGLE_CLIENT_ID: 'test-google',
      WXT_MICROSOFT_AUTHORITY_URL: `${microsoft}/common/oauth2/v2.0`,
      WXT_GRAPH_API_URL: microsoft,
      WXT_MICROSOFT_CLIENT_ID: 'test-microsoft',
    }),
    redirectUri: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/',
    flow: fetchWebAuthFlow,
    chromeGoogle: null,
  };
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  db = new MailboxCrmDatabase(`mailboxes-${Math.random()}`);
  deps = { ...deps, db };
  await fetch(`${emulators.urls.google}/__admin/reset`, { method: 'POST', body: '{}' });
});

const connectInput = { scope: 'sales', kind: 'personal', owner: null, recoveryNote: null, backfillDays: 30 } as const;

describe('connect, reconnect and disconnect a mailbox (R1, R2, R7, R34)', () => {
  it.each([
    ['gmail', 'riley@acme-sales.test', { displayName: 'Riley Rep', replyTo: 'sales@acme-sales.test' }],
    ['outlook', 'support@acme-sales.test', { displayName: 'Acme Support', replyTo: null }],
  ] as const)('connects %s: the mailbox is saved under the address the provider reports, with its identity', async (provider, address, identity) => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider });
    expect(mailbox).toMatchObject({ id: `${provider}:${address}`, address, status: 'connected', scope: 'sales', backfillDays: 30, visibility: 'snippet' });
    expect(mailbox.identity).toMatchObject(identity);
    expect(await db.mailboxes.get(mailbox.id)).toEqual(mailbox);
    expect((await readRefresh(mailbox.id))?.token).toBeTruthy();
    // The stored grant signs the provider's requests.
    expect((await mailboxProvider(deps, mailbox).identity()).address.toLowerCase()).toBe(address);
  });

  it('disconnecting Gmail revokes the grant at Google, forgets the tokens and purges local data', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    const access = (await readAccess(mailbox.id))!.token;
    await db.messages.put(aMessage({ mailboxId: mailbox.id }));
    await db.messages.put(aMessage({ mailboxId: 'outlook:other@acme-sales.test', providerId: 'kept' }));

    await disconnectMailbox(deps, mailbox.id);
    expect(await db.mailboxes.get(mailbox.id)).toBeUndefined();
    expect(await db.messages.where('mailboxId').equals(mailbox.id).count()).toBe(0);
    expect(await db.messages.count()).toBe(1);
    expect(await readRefresh(mailbox.id)).toBeNull();
    expect(await readAccess(mailbox.id)).toBeNull();
    // Google no longer accepts the old access token: the grant was revoked, not only forgotten.
    const probe = await fetch(`${emulators.urls.google}/gmail/v1/users/me/profile`, { headers: { authorization: `Bearer ${access}` } });
    expect(probe.status).toBe(401);
  });

  it('reconnect refuses another account than the mailbox’s own', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    // The user picks another Google account on the sign-in page.
    const asSam = (url: string, interactive: boolean) => {
      const other = new URL(url);
      other.searchParams.set('login_hint', 'sam@acme-sales.test');
      return fetchWebAuthFlow(other.toString(), interactive);
    };
    const hinted = { ...deps, flow: asSam };
    const error = await reconnectMailbox(hinted, mailbox.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toMatch(/signed in as sam@acme-sales.test, but this mailbox is riley@acme-sales.test/);
    expect(await reconnectMailbox(deps, mailbox.id)).toMatchObject({ status: 'connected' });
  });
});
