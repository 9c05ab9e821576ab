import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { googleSignIn } from '@/emulators/google/sign-in';
import { googleClient, microsoftClient } from '@/lib/auth/clients';
import { refresh } from '@/lib/auth/oauth';
import { readAccess, readRefresh } from '@/lib/platform/token-store';
import type { BackgroundDeps } from '@/lib/background/deps';
import { connectMailbox, disconnectMailbox, mailboxProvider, reconnectMailbox } from '@/lib/background/mailboxes';
import { withMailboxState } from '@/lib/background/mailbox-status';
import { MailboxCrmDatabase } from '@/lib/db';
import { aMessage } from '../../fixtures/domain';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';
import { fetchWebAuthFlow } from '../../support/web-auth-flow';

// Every Gmail provider made here would get a `gmailLimiter()` that starts with its window full
// (the first call waits a whole second), which only slows these tests down: none of them is about
// pacing (tests/integration/providers/gmail.test.ts covers the quota). A limiter that never waits.
vi.mock('@/lib/providers/gmail/quota', async (importOriginal) => {
  const { SlidingWindowLimiter } = await import('@/lib/http/rate-limit');
  return { ...(await importOriginal<typeof import('@/lib/providers/gmail/quota')>()), gmailLimiter: () => new SlidingWindowLimiter(1_000_000, 1000, { source: 'gmail' }) };
});

let emulators: RunningEmulators;
let deps: BackgroundDeps;
let db: MailboxCrmDatabase;
/** The admin APIs of the Google and Microsoft emulators. */
let google: EmulatorAdmin;
let microsoft: EmulatorAdmin;

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  google = emulatorAdmin(emulators.urls.google);
  microsoft = emulatorAdmin(emulators.urls.microsoft);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  deps = emulatorBackgroundDeps(emulators.urls);
  db = deps.db;
  await google.post('/reset');
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

  it('refuses to sign in where the browser could not close its storage to content scripts', async () => {
    const unlocked = { ...deps, storageLocked: Promise.resolve(false) };
    for (const provider of ['gmail', 'outlook'] as const) {
      const refused = await failure(connectMailbox(unlocked, { ...connectInput, provider }));
      expect(refused).toMatchObject({ code: 'insufficient_permissions', retryable: false });
      expect(refused.message).toMatch(/cannot keep sign-ins away from the web pages/);
    }
    expect(await google.requests('/o/oauth2')).toEqual([]);
    expect(await microsoft.requests('/oauth2/v2.0/authorize')).toEqual([]);
  });

  it("one provider client per mailbox owns its quota: a reconnect keeps it, and a sign-in's identity read stores no quota state", async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'outlook' });
    const client = mailboxProvider(deps, mailbox);
    await client.identity();
    await reconnectMailbox(deps, mailbox.id);
    expect(mailboxProvider(deps, mailbox)).toBe(client);
    const stored = Object.keys(await fakeBrowser.storage.session.get(null)).filter((key) => key.startsWith('limiter.'));
    expect(stored).toEqual([`limiter.${mailbox.id}`]);
    await disconnectMailbox(deps, mailbox.id);
    expect(mailboxProvider(deps, mailbox)).not.toBe(client);
  });

  it('a sign-in whose mailbox cannot be read is not revoked while a Gmail mailbox is connected (it may be that account)', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    await google.fault({ path: '^/gmail/v1/users/me/profile$', status: 403, reason: 'insufficientPermissions', count: 1 });
    await failure(connectMailbox(deps, { ...connectInput, provider: 'gmail' }));
    expect(await google.requests('^/revoke$')).toEqual([]);
    // The connected mailbox still works on its grant.
    expect((await mailboxProvider(deps, mailbox).identity()).address.toLowerCase()).toBe('riley@acme-sales.test');
    expect((await refresh(googleClient(deps.endpoints, deps.redirectUris.google), (await readRefresh(mailbox.id))!.token)).accessToken).toBeTruthy();
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
    const error = await failure(reconnectMailbox(hinted, mailbox.id));
    expect(error.message).toMatch(/signed in as sam@acme-sales.test, but this mailbox is riley@acme-sales.test/);
    expect(await reconnectMailbox(deps, mailbox.id)).toMatchObject({ status: 'connected' });
  });

  it("reconnecting as another account that is connected too leaves that mailbox's access alone", async () => {
    const asSam = (url: string, interactive: boolean) => {
      const other = new URL(url);
      other.searchParams.set('login_hint', 'sam@acme-sales.test');
      return fetchWebAuthFlow(other.toString(), interactive);
    };
    const sam = await connectMailbox({ ...deps, flow: asSam }, { ...connectInput, provider: 'gmail' });
    const riley = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    await failure(reconnectMailbox({ ...deps, flow: asSam }, riley.id));
    // Revoking that sign-in would end every Google token of sam's, his connected mailbox's included.
    expect(await google.requests('^/revoke$')).toEqual([]);
    expect((await mailboxProvider(deps, sam).identity()).address.toLowerCase()).toBe('sam@acme-sales.test');
  });

  it('moves Outlook to "Reconnect needed" when refresh and silent renewal both fail, and back after a reconnect (R2, R12)', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'outlook' });
    await microsoft.post('/expire', { what: 'access_tokens' });
    await microsoft.post('/expire', { what: 'refresh_tokens' });
    await microsoft.post('/microsoft/silent', { allow: false });

    const failed = await failure(withMailboxState(deps, mailbox.id, () => mailboxProvider(deps, mailbox).currentCursor()));
    expect(failed.code).toBe('reauth_required');
    expect(await db.mailboxes.get(mailbox.id)).toMatchObject({
      status: 'reconnect_needed',
      lastError: { code: 'reauth_required', action: 'reconnect', message: 'Outlook needs you to sign in again.' },
    });

    await microsoft.post('/microsoft/silent', { allow: true });
    expect(await reconnectMailbox(deps, mailbox.id)).toMatchObject({ status: 'connected', lastError: null });
  });

  it('a transient failure that the client retried through leaves the state alone', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    await google.fault({ path: '/profile$', status: 503, count: 1 });
    await withMailboxState(deps, mailbox.id, () => mailboxProvider(deps, mailbox).currentCursor());
    expect(await db.mailboxes.get(mailbox.id)).toMatchObject({ status: 'connected', lastError: null });
    const served = await google.requests('/profile$');
    expect(served.map((r) => r.status).slice(-2)).toEqual([503, 200]);
  });
});

describe('revocation tells the truth, and a reconnect replaces the grant without ending the new one (issue 8 §1.6)', () => {
  it('disconnecting Outlook reports revoked: false and the page where access is removed', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'outlook' });
    expect(await disconnectMailbox(deps, mailbox.id)).toEqual({
      id: mailbox.id,
      address: 'support@acme-sales.test',
      provider: 'outlook',
      revoked: false,
      removeAccessUrl: 'https://myapps.microsoft.com',
      crmRecordError: null,
    });
    expect(await readRefresh(mailbox.id)).toBeNull();
  });

  it('a revocation Google refuses is not reported as done, and the mailbox is purged all the same', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    await google.fault({ path: '^/revoke$', status: 400 });
    expect(await disconnectMailbox(deps, mailbox.id)).toMatchObject({ revoked: false, removeAccessUrl: 'https://myaccount.google.com/connections' });
    expect(await db.mailboxes.get(mailbox.id)).toBeUndefined();
    expect(await readRefresh(mailbox.id)).toBeNull();
  });

  it('a confirmed revocation names no page', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    expect(await disconnectMailbox(deps, mailbox.id)).toMatchObject({ revoked: true, removeAccessUrl: null });
  });

  // Google's revocation ends every token of the user and client (the emulator does the same), so
  // revoking the replaced token would end the new sign-in too: the old tokens are forgotten instead.
  it.each(['connect', 'reconnect'] as const)('a %s of a Gmail mailbox replaces its grant and leaves the new one working', async (how) => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    const old = (await readRefresh(mailbox.id))!.token;
    // A sign-in that fails on the way leaves the old grant in place and working.
    await google.put('/config', { consent: 'deny' });
    await failure(how === 'connect' ? connectMailbox(deps, { ...connectInput, provider: 'gmail' }) : reconnectMailbox(deps, mailbox.id));
    const client = googleClient(deps.endpoints, deps.redirectUris.google);
    expect((await refresh(client, old)).accessToken).toBeTruthy();
    await google.put('/config', { consent: 'allow' });

    if (how === 'connect') await connectMailbox(deps, { ...connectInput, provider: 'gmail' });
    else await reconnectMailbox(deps, mailbox.id);
    const current = (await readRefresh(mailbox.id))!.token;
    expect(current).not.toBe(old);
    expect((await refresh(client, current)).accessToken).toBeTruthy();
    expect(await google.requests('^/revoke$')).toEqual([]);
    expect((await mailboxProvider(deps, mailbox).identity()).address.toLowerCase()).toBe('riley@acme-sales.test');
  });
});

/** Waits until the delayed token request was taken by its fault (it is answered 400 ms later). */
async function refreshOnTheWire(): Promise<void> {
  await expect.poll(async () => (await microsoft.get<{ remaining: number }[]>('/faults')).every((fault) => fault.remaining === 0)).toBe(true);
}

describe('a renewal in flight during a disconnect (issue 8 §2.1)', () => {
  it('stores nothing after the purge: the refreshed Outlook grant does not come back', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'outlook' });
    await microsoft.post('/expire', { what: 'access_tokens' });
    const provider = mailboxProvider(deps, mailbox);
    // The refresh reaches Microsoft and is answered with valid tokens, slowly.
    await microsoft.fault({ path: '/oauth2/v2.0/token$', delayMs: 400 });
    const call = provider.identity().then(() => expect.fail('expected the call to fail'), (error: unknown) => error);
    await refreshOnTheWire();

    await disconnectMailbox(deps, mailbox.id);
    expect(await call).toMatchObject({ code: 'reauth_required' });
    // The sign-in's code exchange, then the refresh: answered with valid tokens after the purge.
    const served = await microsoft.requests('/oauth2/v2.0/token$');
    expect(served.map((r) => r.status)).toEqual([200, 200]);
    expect(await readRefresh(mailbox.id)).toBeNull();
    expect(await readAccess(mailbox.id)).toBeNull();
  });

  it('a provider still held after the disconnect never signs the mailbox in again on its own (no silent renewal)', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'outlook' });
    const provider = mailboxProvider(deps, mailbox);
    await disconnectMailbox(deps, mailbox.id);
    const before = (await microsoft.requests('/oauth2/v2.0/(authorize|token)')).length;

    expect(await provider.identity().then(() => 'signed in again', (error: unknown) => error)).toMatchObject({ code: 'reauth_required' });
    expect((await microsoft.requests('/oauth2/v2.0/(authorize|token)')).length).toBe(before);
    expect(await readRefresh(mailbox.id)).toBeNull();
    expect(await readAccess(mailbox.id)).toBeNull();
  });

  it('a renewal of the old grant in flight during a reconnect does not overwrite the new grant', async () => {
    const mailbox = await connectMailbox(deps, { ...connectInput, provider: 'outlook' });
    await microsoft.post('/expire', { what: 'access_tokens' });
    const provider = mailboxProvider(deps, mailbox);
    await microsoft.fault({ path: '/oauth2/v2.0/token$', delayMs: 400 });
    const call = provider.identity().catch((error: unknown) => error);
    await refreshOnTheWire();

    await reconnectMailbox(deps, mailbox.id);
    const fresh = (await readRefresh(mailbox.id))!.token;
    await call;
    expect((await readRefresh(mailbox.id))!.token).toBe(fresh);
    expect((await refresh(microsoftClient(deps.endpoints, deps.redirectUris.microsoft), fresh)).accessToken).toBeTruthy();
  });
});

describe("Chrome's own Google sign-in (getAuthToken, R1)", () => {
  it('connects, signs requests with Chrome’s token, drops a refused token from Chrome’s cache, and revokes on disconnect', async () => {
    // Chrome's identity API, standing in for a browser signed in to Google: tokens from the
    // emulator, cached until removed, as Chrome does.
    const issued: string[] = [];
    const removed: string[] = [];
    let cached: string | null = null;
    const chromeGoogle = {
      async getToken() {
        if (cached) return cached;
        const signIn = await googleSignIn(emulators.urls.google, {
          client_id: 'chrome-client',
          redirect_uri: deps.redirectUris.google,
          scope: 'https://www.googleapis.com/auth/gmail.readonly',
          login_hint: 'riley@acme-sales.test',
        });
        const accessToken = signIn.tokens?.access_token;
        if (signIn.tokenStatus !== 200 || typeof accessToken !== 'string') throw new Error(`sign-in failed: ${signIn.tokenStatus} ${JSON.stringify(signIn.tokens)}`);
        issued.push(accessToken);
        cached = accessToken;
        return accessToken;
      },
      async removeToken(token: string) {
        removed.push(token);
        if (cached === token) cached = null;
      },
    };
    const chromeDeps = { ...deps, chromeGoogle };
    const mailbox = await connectMailbox(chromeDeps, { ...connectInput, provider: 'gmail' });
    expect(mailbox.id).toBe('gmail:riley@acme-sales.test');
    // Chrome keeps the token; nothing of it lands in the extension's own storage.
    expect(await readRefresh(mailbox.id)).toBeNull();
    expect(await readAccess(mailbox.id)).toBeNull();

    await google.post('/expire', { what: 'access_tokens' });
    await mailboxProvider(chromeDeps, mailbox).currentCursor();
    // The expired token was dropped from Chrome's cache and a new one signed the retry.
    expect(removed).toEqual([issued[0]]);
    expect(issued).toHaveLength(2);

    await disconnectMailbox(chromeDeps, mailbox.id);
    const last = issued.at(-1)!;
    expect(removed.at(-1)).toBe(last);
    const probe = await fetch(`${emulators.urls.google}/gmail/v1/users/me/profile`, { headers: { authorization: `Bearer ${last}` } });
    expect(probe.status).toBe(401);
  });
});
