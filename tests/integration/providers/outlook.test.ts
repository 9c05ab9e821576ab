import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { SEEDED_USER_FOLDERS, seededFolderOf } from '@/emulators/microsoft/mail-store';
import type { SeedMessage } from '@/emulators/seed/types';
import { microsoftClient, MICROSOFT_SCOPES } from '@/lib/auth/clients';
import { authorize } from '@/lib/auth/oauth';
import { OAuthTokenSource } from '@/lib/auth/token-source';
import { saveGrant } from '@/lib/platform/token-store';
import type { ProviderErrorCode } from '@/lib/domain';
import type { ChangesPage, MailProvider } from '@/lib/providers/mail-provider';
import { createOutlookProvider } from '@/lib/providers/outlook';
import { DELTA_MARGIN_MS, decodeDeltaCursor, encodeDeltaCursor } from '@/lib/providers/outlook/delta';
import { ConcurrencyLimiter } from '@/lib/http/rate-limit';
import { GraphApi } from '@/lib/providers/outlook/graph-api';
import { encodeCursor } from '@/lib/providers/outlook/opaque-cursor';
import type { RetryOptions } from '@/lib/http/retry';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorEndpoints, TEST_REDIRECT_URIS } from '../../support/emulator-endpoints';
import { fetchWebAuthFlow } from '../../support/web-auth-flow';

/**
 * The Outlook provider against the Graph emulator, signed in the way the extension signs in
 * (R2: code + PKCE through a web auth flow, tokens in WXT storage, refresh and silent renewal).
 * Counts come from the seeded world; retry behaviour from the emulator's request log.
 */
let emulators: RunningEmulators;
let base: string;
let tokens: OAuthTokenSource;
const SUPPORT = 'support@acme-sales.test';
const DAY = 86_400_000;

/** The Microsoft emulator's admin API; its faults and request log are Microsoft's. */
let admin: EmulatorAdmin;
const seeded = (boxes: SeedMessage['box'][]) => emulators.context.world.messages.filter((m) => m.mailboxId === 'support' && boxes.includes(m.box));

async function connect(account: string, scopes = MICROSOFT_SCOPES): Promise<OAuthTokenSource> {
  const client = { ...microsoftClient(emulatorEndpoints(emulators.urls), TEST_REDIRECT_URIS.microsoft), scopes };
  await saveGrant(account, await authorize(client, fetchWebAuthFlow, { interactive: true, loginHint: SUPPORT }));
  return new OAuthTokenSource({ account, client, flow: fetchWebAuthFlow, silentRenewalFor: SUPPORT });
}

interface Made {
  provider: MailProvider;
  /** Every retry `withRetry` decided on: the classified error and the wait. */
  retries: { code: ProviderErrorCode; delayMs: number }[];
}

function make(options: { retry?: Partial<RetryOptions>; limiter?: ConcurrencyLimiter; source?: OAuthTokenSource } = {}): Made {
  const retries: Made['retries'] = [];
  const provider = createOutlookProvider({
    mailboxId: 'support',
    tokens: options.source ?? tokens,
    graphApiUrl: base,
    revoke: async () => undefined,
    limiter: options.limiter,
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 200, onRetry: (error, _attempt, delayMs) => retries.push({ code: error.code, delayMs }), ...options.retry },
    pages: { window: 5, changesPageSize: 50 },
  });
  return { provider, retries };
}

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
  base = emulators.urls.microsoft;
  admin = emulatorAdmin(base);
  fakeBrowser.reset();
  tokens = await connect(`outlook:${SUPPORT}`);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  await admin.delete('/faults');
  await admin.delete('/requests');
  await admin.post('/microsoft/latency', { ms: 0 });
  await admin.post('/microsoft/silent', { allow: true });
});

describe('outlook provider: reading', () => {
  it('reads the identity from /me and mailboxSettings (R7)', async () => {
    const identity = await make().provider.identity();
    // Aliases come from proxyAddresses; Graph has no mailbox-level reply-to.
    expect(identity).toEqual({ address: SUPPORT, displayName: 'Acme Support', replyTo: null, aliases: ['help@acme-sales.test'], purpose: 'shared' });
  });

  it('pages a 30-day window of Inbox and Sent Items fully, newest first, without duplicates (R10)', async () => {
    const since = Math.floor(Date.now() / 1000) * 1000 - 30 * DAY;
    const { provider } = make();
    const ids: string[] = [];
    const dates: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    const expected = seeded(['inbox', 'sent']).filter((m) => m.internalDate >= since);
    do {
      const page = await provider.listWindow({ since, cursor, visibility: 'snippet' });
      // Graph's `@odata.count` of the window, asked on the first page and kept in the cursor.
      expect(page.estimate).toBe(expected.length);
      ids.push(...page.messages.map((m) => m.providerId));
      dates.push(...page.messages.map((m) => m.date));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 100);

    expect(expected.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(expected.map((m) => m.providerId).sort());
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(pages).toBeGreaterThan(3);
    const first = (await admin.requests('/messages$')).find((r) => r.query.includes('%24count=true') || r.query.includes('$count=true'));
    expect(first?.query).toMatch(/\$top=5/);
  });

  it('normalises addresses, direction, bulk headers and visibility (R21, R22)', async () => {
    const since = Date.now() - 400 * DAY;
    const { provider } = make();
    const byVisibility = async (visibility: 'metadata' | 'snippet' | 'full') => (await provider.listWindow({ since, cursor: null, visibility })).messages;
    const [metadata, snippet, full] = [await byVisibility('metadata'), await byVisibility('snippet'), await byVisibility('full')];
    // The same first page at every level, so the checks below are about real messages.
    expect(full.length).toBeGreaterThan(0);
    const ids = full.map((m) => m.providerId);
    expect(snippet.map((m) => m.providerId)).toEqual(ids);
    expect(metadata.map((m) => m.providerId)).toEqual(ids);
    expect(metadata.every((m) => m.snippet === null && m.body === null)).toBe(true);
    expect(snippet.every((m) => m.snippet !== null && m.body === null)).toBe(true);
    // Where the seed filed it: a well-known name, or a user folder's id (found by its path).
    const paths = new Map((await provider.listFolders()).map((f) => [f.name, f.id]));
    const folderOf = (seed: SeedMessage) => {
      const placed = seededFolderOf(seed)!;
      return SEEDED_USER_FOLDERS.includes(placed as (typeof SEEDED_USER_FOLDERS)[number]) ? paths.get(placed) : placed;
    };
    for (const message of full) {
      const seed = seeded(['inbox', 'sent']).find((m) => m.providerId === message.providerId)!;
      expect(message.body).toBe(seed.body);
      expect(message).toMatchObject({
        messageId: seed.messageId,
        threadKey: seed.threadId,
        subject: seed.subject,
        from: seed.from,
        to: seed.to,
        cc: seed.cc,
        direction: seed.box === 'sent' ? 'sent' : 'received',
        folder: folderOf(seed),
      });
    }
    // Bulk markers come from internetMessageHeaders.
    const bulk = seeded(['inbox']).find((m) => m.headers.some(([name]) => name.toLowerCase() === 'list-unsubscribe'))!;
    const [read] = await provider.getMessages({ ids: [bulk.providerId], visibility: 'metadata' });
    expect(read?.bulk.listUnsubscribe).toEqual(expect.any(String));
    expect(read?.folder).toBe('inbox');
  });

  it('reads messages by id in batches of at most 4 parts and skips ids Graph no longer has', async () => {
    const wanted = seeded(['inbox', 'sent']).slice(0, 45).map((m) => m.providerId);
    const { provider } = make();
    const messages = await provider.getMessages({ ids: [...wanted, 'AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0Agone'], visibility: 'metadata' });
    expect(messages.map((m) => m.providerId)).toEqual(wanted);
    const log = await admin.requests();
    const batches = log.filter((r) => r.path === '/v1.0/$batch');
    const parts = log.filter((r) => r.batchPart && r.path.startsWith('/v1.0/me/messages/'));
    expect(parts).toHaveLength(46);
    // 12 for 46 ids, 3 for the nine well-known folders asked for, 1 for the child folders of the
    // one seeded folder that has some (the top-level list is a plain GET).
    expect(batches.length).toBe(16);
  });
});

/** A cursor for now with the recent mail its filter reaches already read, as the engine holds it after its first `changes`. */
async function drainedCursor(provider: MailProvider): Promise<string> {
  let page = await provider.changes({ cursor: await provider.currentCursor(), visibility: 'metadata' });
  while (page.more) page = await provider.changes({ cursor: page.cursor, visibility: 'metadata' });
  return page.cursor;
}

const deliver = (subject: string, folder?: 'sentitems') => admin.post<{ id: string }>('/microsoft/deliver', { to: SUPPORT, from: { name: 'Dana Buyer', address: 'dana@customer.test' }, subject, body: '.', folder });

describe('outlook provider: incremental sync (R9, R14, R31)', () => {
  // First in this file to deliver mail: the mailbox is the seed's.
  it('takes a cursor for now without walking the folders: the first round asks only for mail received since a short margin', async () => {
    const provider = createOutlookProvider({ mailboxId: 'support', tokens, graphApiUrl: base, revoke: async () => undefined, pages: { changesPageSize: 2 } });
    await admin.delete('/requests');
    const cursor = await provider.currentCursor();
    // Only the folder ids were read (in $batch requests); no delta request.
    expect((await admin.requests()).filter((r) => !r.batchPart).map((r) => r.path)).toEqual(Array(3).fill('/v1.0/$batch'));

    const since = Math.floor(decodeDeltaCursor(cursor).since / 1000) * 1000;
    expect(since).toBeGreaterThan(Date.now() - DELTA_MARGIN_MS - 60_000);
    const ids: string[] = [];
    let page = await provider.changes({ cursor, visibility: 'metadata' });
    ids.push(...page.messages.map((m) => m.providerId));
    while (page.more) {
      page = await provider.changes({ cursor: page.cursor, visibility: 'metadata' });
      ids.push(...page.messages.map((m) => m.providerId));
    }
    expect(ids.sort()).toEqual(seeded(['inbox', 'sent']).filter((m) => m.internalDate >= since).map((m) => m.providerId).sort());
    const delta = await admin.requests('/messages/delta$');
    // Every first request carries the filter; an unfiltered round would page through the whole
    // Inbox (2 ids a page here).
    const first = delta.filter((r) => !r.query.includes('token'));
    // Inbox, Sent Items, Archive, Customers and Customers/Key accounts.
    expect(first.map((r) => decodeURIComponent(r.query))).toEqual(Array(5).fill(expect.stringContaining(`$filter=receivedDateTime ge ${new Date(since).toISOString().replace('.000Z', 'Z')}`)));
    expect(delta.length).toBeLessThanOrEqual(10);
    expect(seeded(['inbox']).length).toBeGreaterThan(20);
  });

  it("is resumable page by page: a page's cursor, stored and used again (after a restart too), continues without loss or repeat", async () => {
    const provider = createOutlookProvider({ mailboxId: 'support', tokens, graphApiUrl: base, revoke: async () => undefined, pages: { changesPageSize: 2 } });
    const cursor = await drainedCursor(provider);
    for (let i = 0; i < 5; i++) await deliver(`resume ${i}`);
    const first = await provider.changes({ cursor, visibility: 'metadata' });
    expect(first).toMatchObject({ more: true });
    const second = await provider.changes({ cursor: first.cursor, visibility: 'metadata' });
    // The worker stopped before it committed the second page: a new provider replays it.
    const restarted = createOutlookProvider({ mailboxId: 'support', tokens, graphApiUrl: base, revoke: async () => undefined, pages: { changesPageSize: 2 } });
    const again = await restarted.changes({ cursor: first.cursor, visibility: 'metadata' });
    expect(again.messages.map((m) => m.providerId)).toEqual(second.messages.map((m) => m.providerId));
    const subjects = [...first.messages, ...again.messages];
    let page = again;
    while (page.more) {
      page = await restarted.changes({ cursor: page.cursor, visibility: 'metadata' });
      subjects.push(...page.messages);
    }
    expect(subjects.map((m) => m.subject).sort()).toEqual(['resume 0', 'resume 1', 'resume 2', 'resume 3', 'resume 4']);
  });

  it('reports a delivered message; its move to Deleted Items as removed, back to the Inbox as a change, a purge as removed', async () => {
    const { provider } = make();
    const cursor = await drainedCursor(provider);
    const delivered = await admin.post<{ id: string }>('/microsoft/deliver', { to: SUPPORT, from: { name: 'Dana Buyer', address: 'dana@customer.test' }, subject: 'New order', body: 'Please ship.' });
    const first = await provider.changes({ cursor, visibility: 'snippet' });
    expect(first.messages.map((m) => [m.providerId, m.subject, m.folder, m.direction])).toEqual([[delivered.id, 'New order', 'inbox', 'received']]);
    expect(first.messages[0]!.from).toEqual({ name: 'Dana Buyer', address: 'dana@customer.test' });
    expect(first).toMatchObject({ removed: [], more: false });

    await admin.post('/microsoft/move', { id: delivered.id, folder: 'deleteditems' });
    const trashed = await provider.changes({ cursor: first.cursor, visibility: 'snippet' });
    expect(trashed).toMatchObject({ messages: [], removed: [delivered.id], more: false });
    const quiet = await provider.changes({ cursor: trashed.cursor, visibility: 'snippet' });
    expect(quiet).toMatchObject({ messages: [], removed: [] });

    await admin.post('/microsoft/move', { id: delivered.id, folder: 'inbox' });
    const restored = await provider.changes({ cursor: quiet.cursor, visibility: 'snippet' });
    expect(restored.messages.map((m) => [m.providerId, m.folder])).toEqual([[delivered.id, 'inbox']]);
    expect(restored.removed).toEqual([]);

    await admin.post('/microsoft/delete', { id: delivered.id });
    const purged = await provider.changes({ cursor: restored.cursor, visibility: 'snippet' });
    expect(purged).toMatchObject({ messages: [], removed: [delivered.id] });
  });

  it('reports a message moved between the synced folders as a change of folder with the same id, not as removed, across pages', async () => {
    const provider = createOutlookProvider({ mailboxId: 'support', tokens, graphApiUrl: base, revoke: async () => undefined, pages: { changesPageSize: 2 } });
    const cursor = await drainedCursor(provider);
    const moved = await deliver('Moved between folders');
    const first = await provider.changes({ cursor, visibility: 'metadata' });
    expect(first.messages.map((m) => [m.providerId, m.folder])).toEqual([[moved.id, 'inbox']]);

    // Sent Items fills its next page first, so the Inbox's removal comes a page before the
    // message shows up in Sent Items' delta.
    await deliver('Sent one', 'sentitems');
    await deliver('Sent two', 'sentitems');
    await admin.post('/microsoft/move', { id: moved.id, folder: 'sentitems' });
    const pages: ChangesPage[] = [await provider.changes({ cursor: first.cursor, visibility: 'metadata' })];
    while (pages.at(-1)!.more) pages.push(await provider.changes({ cursor: pages.at(-1)!.cursor, visibility: 'metadata' }));
    expect(pages.flatMap((p) => p.removed)).toEqual([]);
    expect(pages[0]!.messages.find((m) => m.providerId === moved.id)?.folder).toBe('sentitems');
    expect(new Set(pages.flatMap((p) => p.messages.map((m) => m.subject)))).toEqual(new Set(['Moved between folders', 'Sent one', 'Sent two']));
  });

  it('does not report older mail that only moved between allowed folders; its move into Deleted Items is removed', async () => {
    const provider = createOutlookProvider({ mailboxId: 'support', tokens, graphApiUrl: base, revoke: async () => undefined });
    const cursor = await drainedCursor(provider);
    const [kept, binned] = seeded(['inbox']).sort((a, b) => a.internalDate - b.internalDate);
    await admin.post('/microsoft/move', { id: kept!.providerId, folder: 'sentitems' });
    await admin.post('/microsoft/move', { id: binned!.providerId, folder: 'deleteditems' });
    const page = await provider.changes({ cursor, visibility: 'metadata' });
    expect(page.messages).toEqual([]);
    expect(page.removed).toEqual([binned!.providerId]);
  });

  it('pages changes with `more` while a folder has a next link', async () => {
    const provider = createOutlookProvider({ mailboxId: 'support', tokens, graphApiUrl: base, revoke: async () => undefined, pages: { changesPageSize: 2 } });
    const cursor = await drainedCursor(provider);
    for (let i = 0; i < 3; i++) await admin.post('/microsoft/deliver', { to: SUPPORT, from: 'x@customer.test', subject: `burst ${i}`, body: '.' });
    const first = await provider.changes({ cursor, visibility: 'metadata' });
    expect(first.more).toBe(true);
    const second = await provider.changes({ cursor: first.cursor, visibility: 'metadata' });
    expect(second.more).toBe(false);
    expect([...first.messages, ...second.messages].map((m) => m.subject).sort()).toEqual(['burst 0', 'burst 1', 'burst 2']);
  });

  it('sends a test email that comes back through changes() in Sent Items (R31)', async () => {
    const { provider } = make();
    const cursor = await drainedCursor(provider);
    const customer = emulators.context.world.contacts[0]!.primaryEmail;
    expect(await provider.sendTestEmail({ to: customer, subject: 'Test from the CRM extension', body: 'Hello' })).toEqual({ providerId: null });
    const page = await provider.changes({ cursor, visibility: 'full' });
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ subject: 'Test from the CRM extension', folder: 'sentitems', direction: 'sent', body: 'Hello', to: [{ address: customer }] });
  });

  describe('sending is never repeated once Graph may have taken it', () => {
    const SEND = '^/v1\\.0/me/sendMail$';
    const sends = async () => (await admin.requests(SEND)).map((r) => r.status);
    const testEmail = { to: 'dana@customer.test', subject: 'Test', body: 'Hello' };

    it.each([
      { what: 'a 500', spec: { status: 500 }, code: 'server', sends: [500] },
      { what: 'a dropped connection', spec: { drop: true }, code: 'network', sends: [0] },
    ] as const)('$what on sendMail is reported as $code, not sent again', async ({ spec, code, sends: logged }) => {
      const { provider, retries } = make();
      await admin.fault({ path: SEND, ...spec });
      const error = await failure(provider.sendTestEmail(testEmail));
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(false);
      expect(retries).toEqual([]);
      expect(await sends()).toEqual(logged);
    });

    it('a 429 on sendMail is sent again after its Retry-After: Graph did not take it', async () => {
      const { provider, retries } = make();
      await admin.fault({ path: SEND, status: 429, retryAfter: 0 });
      expect(await provider.sendTestEmail(testEmail)).toEqual({ providerId: null });
      expect(retries).toEqual([{ code: 'rate_limited', delayMs: 0 }]);
      expect(await sends()).toEqual([429, 202]);
    });

    it('a test address that is not an address is refused for good, before any request', async () => {
      const error = await failure(make().provider.sendTestEmail({ ...testEmail, to: 'not an address' }));
      expect(error.code).toBe('bad_response');
      expect(error.retryable).toBe(false);
      expect(await sends()).toEqual([]);
    });
  });

  it('turns an expired delta token (410 SyncStateNotFound) into cursor_expired without retrying', async () => {
    const { provider, retries } = make();
    const cursor = await drainedCursor(provider);
    await admin.post('/expire', { what: 'delta', user: SUPPORT });
    await admin.delete('/requests');
    const error = await failure(provider.changes({ cursor, visibility: 'metadata' }));
    expect(error.code).toBe('cursor_expired');
    // Every synced folder's delta link was asked once (in $batch parts), none again.
    expect((await admin.requests('/delta$')).map((r) => r.status)).toEqual(Array(5).fill(410));
    expect(retries).toEqual([]);
  });
});

describe('outlook provider: links Graph hands out', () => {
  it('refuses an @odata.nextLink to another host: the token never goes there, nor into a stored cursor', async () => {
    const { provider } = make();
    const cursor = await provider.currentCursor();
    // Another server on this machine (the Google emulator) stands for a foreign host.
    const elsewhere = `${emulators.urls.google}/v1.0/me/mailFolders/inbox/messages/delta?$skiptoken=stolen`;
    const google = emulatorAdmin(emulators.urls.google);
    const before = (await google.requests()).at(-1)?.seq ?? 0;
    await admin.fault({ path: '^/v1\\.0/me/mailFolders/inbox/messages/delta$', rawBody: JSON.stringify({ value: [], '@odata.nextLink': elsewhere }) });
    const error = await failure(provider.changes({ cursor, visibility: 'metadata' }));
    expect(error.code).toBe('bad_response');
    expect(error.message).toMatch(/another host/);
    expect(error.retryable).toBe(false);

    // A stored cursor that names another host (tampered with) is refused the same way.
    const tampered = encodeDeltaCursor({ since: decodeDeltaCursor(cursor).since, folders: { inbox: { link: elsewhere, paging: true }, sentitems: { link: elsewhere, paging: true } } });
    expect((await failure(provider.changes({ cursor: tampered, visibility: 'metadata' }))).code).toBe('bad_response');
    expect(await google.requests(undefined, { since: before })).toEqual([]);
  });

  it('refuses a link the Graph client would send elsewhere (`https://` in its query or path): no connection reaches the other host', async () => {
    // The Graph client takes a host from the first `https://` anywhere in a path, query included:
    // `/v1.0/HOST/v1.0/x?a=https://` would go to `https://HOST/v1.0/x`. A bare TCP server stands
    // for that host, since the client would speak TLS to it: any connection at all is a failure.
    const connections: string[] = [];
    const foreign = createServer((socket) => {
      connections.push(socket.remoteAddress ?? '?');
      socket.destroy();
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(foreign.address() as AddressInfo).port}`;
    try {
      const { provider } = make();
      const cursor = await provider.currentCursor();
      const inQuery = `${base}/v1.0/${host}/v1.0/me/mailFolders/inbox/messages/delta?x=https://`;
      const inPath = `${base}/v1.0/https://${host}/v1.0/me/mailFolders/inbox/messages/delta`;
      // Graph hands out the link in a page; following it from the stored cursor is refused.
      await admin.fault({ path: '^/v1\\.0/me/mailFolders/inbox/messages/delta$', rawBody: JSON.stringify({ value: [], '@odata.nextLink': inQuery }) });
      const handedOut = decodeDeltaCursor((await provider.changes({ cursor, visibility: 'metadata' })).cursor).folders;
      expect(handedOut.inbox).toEqual({ link: inQuery, paging: true });
      const paging = (link: string) => ({ link, paging: true });
      for (const folders of [handedOut, { inbox: paging(inQuery), sentitems: paging(inQuery) }, { inbox: paging(inPath), sentitems: paging(inPath) }]) {
        const error = await failure(provider.changes({ cursor: encodeDeltaCursor({ since: decodeDeltaCursor(cursor).since, folders }), visibility: 'metadata' }));
        expect(connections).toEqual([]);
        expect(error.code).toBe('bad_response');
        expect(error.retryable).toBe(false);
      }
    } finally {
      await new Promise((resolve) => foreign.close(resolve));
    }
  });
});

describe('outlook provider: errors and retries (R12)', () => {
  const ME = '^/v1\\.0/me$';
  const meRequests = async () => (await admin.requests(ME)).map((r) => r.status);

  it('honours Retry-After on a 429 and then succeeds', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: ME, status: 429, retryAfter: 1 });
    const started = performance.now();
    await provider.identity();
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 1000 }]);
    expect(await meRequests()).toEqual([429, 200]);
  });

  it('backs off exponentially on a 429 that does not say when to come back', async () => {
    const { provider, retries } = make({ retry: { random: () => 1 } });
    await admin.fault({ path: ME, status: 429, retryAfter: null, count: 2 });
    await provider.identity();
    expect(retries).toEqual([
      { code: 'rate_limited', delayMs: 20 },
      { code: 'rate_limited', delayMs: 40 },
    ]);
    expect(await meRequests()).toEqual([429, 429, 200]);
  });

  it('gives up on a 429 that lasts after the attempts, as rate_limited', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: ME, status: 429, reason: 'ApplicationThrottled', retryAfter: 0, count: 5 });
    expect((await failure(provider.identity())).code).toBe('rate_limited');
    expect(retries.map((r) => r.code)).toEqual(['rate_limited', 'rate_limited']);
    expect(await meRequests()).toEqual([429, 429, 429]);
  });

  it('classifies a 503 with Retry-After as rate_limited and retries it', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: ME, status: 503, retryAfter: 0 });
    await provider.identity();
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 0 }]);
    expect(await meRequests()).toEqual([503, 200]);
  });

  it('backs off exponentially on a 500 without Retry-After, then reports server', async () => {
    const { provider, retries } = make({ retry: { random: () => 1 } });
    await admin.fault({ path: ME, status: 500, count: 5 });
    expect((await failure(provider.identity())).code).toBe('server');
    expect(retries).toEqual([
      { code: 'server', delayMs: 20 },
      { code: 'server', delayMs: 40 },
    ]);
    expect(await meRequests()).toEqual([500, 500, 500]);
  });

  it('retries a dropped connection as network, and reports network when it keeps dropping', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: ME, drop: true });
    await provider.identity();
    expect(retries.map((r) => r.code)).toEqual(['network']);
    expect(await meRequests()).toEqual([0, 200]);

    await admin.fault({ path: ME, drop: true, count: 3 });
    expect((await failure(provider.identity())).code).toBe('network');
  });

  it('reports malformed JSON as bad_response after reading it twice', async () => {
    const { provider } = make();
    await admin.fault({ path: ME, rawBody: '{"displayName": "Acme', count: 2 });
    expect((await failure(provider.identity())).code).toBe('bad_response');
    expect(await meRequests()).toEqual([200, 200]);
  });

  it('sends a 400 once and reports a final bad_response', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: ME, status: 400 });
    const error = await failure(provider.identity());
    expect(error.code).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(error.data.action).toBe('none');
    expect(retries).toEqual([]);
    expect(await meRequests()).toEqual([400]);
  });

  it('does not retry 403 and 404', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: '^/v1\\.0/me/mailboxSettings$', status: 403, reason: 'ErrorAccessDenied' });
    expect((await failure(provider.identity())).code).toBe('insufficient_permissions');
    expect((await admin.requests('/mailboxSettings$')).map((r) => r.status)).toEqual([403]);
    await admin.fault({ path: ME, status: 404 });
    expect((await failure(provider.identity())).code).toBe('not_found');
    expect(retries).toEqual([]);
    expect(await meRequests()).toEqual([200, 404]);
  });

  it('reads the identity without aliases when the tenant refuses proxyAddresses', async () => {
    const { provider } = make();
    await admin.fault({ path: ME, status: 403, reason: 'Authorization_RequestDenied' });
    expect(await provider.identity()).toMatchObject({ address: SUPPORT, aliases: [] });
    const me = await admin.requests(ME);
    expect(me.map((r) => [r.status, decodeURIComponent(r.query).includes('proxyAddresses')])).toEqual([
      [403, true],
      [200, false],
    ]);
  });

  it('reports a token without Mail.Read as insufficient_permissions at once', async () => {
    const narrow = await connect('outlook:narrow', ['openid', 'offline_access', 'User.Read']);
    const { provider, retries } = make({ source: narrow });
    const error = await failure(provider.listWindow({ since: Date.now() - DAY, cursor: null, visibility: 'metadata' }));
    expect(error.code).toBe('insufficient_permissions');
    expect(error.data.action).toBe('grant_permission');
    expect(retries).toEqual([]);
    // The well-known folders are the first read: each of the nine is refused once, none asked again.
    expect((await admin.requests('/mailFolders/')).map((r) => r.status)).toEqual(Array(9).fill(403));
  });

  it('renews an expired access token once on 401 and succeeds', async () => {
    const { provider, retries } = make();
    await admin.post('/expire', { what: 'access_tokens' });
    await provider.identity();
    expect(retries.map((r) => r.code)).toEqual(['auth_expired', 'auth_expired']);
    expect(await meRequests()).toEqual([401, 200]);
    expect((await admin.requests('/oauth2/v2.0/token$')).map((r) => r.status)).toEqual([200]);
  });

  it('needs a reconnect when the refresh token expired and silent renewal is refused', async () => {
    const { provider } = make();
    await admin.post('/expire', { what: 'access_tokens' });
    await admin.post('/expire', { what: 'refresh_tokens' });
    await admin.post('/microsoft/silent', { allow: false });
    const error = await failure(provider.identity());
    expect(error.code).toBe('reauth_required');
    expect(error.data.action).toBe('reconnect');
    expect(await meRequests()).toEqual([401]);
    expect((await admin.requests('/oauth2/v2.0/(token|authorize)$')).map((r) => [r.path.split('/').at(-1), r.status])).toEqual([
      ['token', 400],
      ['authorize', 302],
    ]);
  });

  it('renews silently (prompt=none) when the refresh token expired and silent sign-in is allowed', async () => {
    const { provider } = make();
    await admin.post('/expire', { what: 'access_tokens' });
    await admin.post('/expire', { what: 'refresh_tokens' });
    expect((await provider.identity()).address).toBe(SUPPORT);
    const authorizeCalls = await admin.requests('/oauth2/v2.0/authorize$');
    expect(authorizeCalls.map((r) => [new URLSearchParams(r.query).get('prompt'), r.status])).toEqual([['none', 302]]);
    // The refused token was already forgotten: the renewed one is the first Graph sees.
    expect(await meRequests()).toEqual([200]);
  });

  it('retries a 429 inside a $batch for that part only, after its Retry-After', async () => {
    const { provider, retries } = make();
    const ids = seeded(['inbox']).slice(0, 3).map((m) => m.providerId);
    await provider.getMessages({ ids: ids.slice(0, 1), visibility: 'metadata' }); // folders read
    await admin.delete('/requests');
    await admin.fault({ path: `^/v1\\.0/me/messages/${ids[1]}$`, status: 429, retryAfter: 1 });
    const messages = await provider.getMessages({ ids, visibility: 'metadata' });
    expect(messages.map((m) => m.providerId)).toEqual(ids);
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 1000 }]);
    const parts = (await admin.requests('^/v1\\.0/me/messages/')).map((r) => [r.path.split('/').at(-1), r.status]);
    // The first batch's parts run in parallel and finish in any order; then the refused one alone.
    expect(parts.slice(0, 3).sort()).toEqual([[ids[0], 200], [ids[1], 429], [ids[2], 200]].sort());
    expect(parts.slice(3)).toEqual([[ids[1], 200]]);
  });
});

describe('outlook provider: $batch parts refused with 401', () => {
  const ids = () => seeded(['inbox']).slice(0, 3).map((m) => m.providerId);
  const part = (id: string) => `^/v1\\.0/me/messages/${id}$`;
  const tokenCalls = async () => (await admin.requests('/oauth2/v2.0/token$')).map((r) => r.status);

  it('drops the token the $batch used, renews it once and sends the part again', async () => {
    const { provider } = make();
    const [first, second] = ids();
    // Identity, folder names and a token are in hand before the refusal.
    await provider.getMessages({ ids: [first!], visibility: 'metadata' });
    await admin.delete('/requests');
    await admin.fault({ path: part(second!), status: 401 });
    expect((await provider.getMessages({ ids: ids(), visibility: 'metadata' })).map((m) => m.providerId)).toEqual(ids());
    expect((await admin.requests(part(second!))).map((r) => r.status)).toEqual([401, 200]);
    expect(await tokenCalls()).toEqual([200]);
  });

  it('is reauth_required when the part is refused again with the renewed token', async () => {
    const { provider } = make();
    const [first, second] = ids();
    await provider.getMessages({ ids: [first!], visibility: 'metadata' });
    await admin.delete('/requests');
    await admin.fault({ path: part(second!), status: 401, count: 5 });
    const error = await failure(provider.getMessages({ ids: ids(), visibility: 'metadata' }));
    expect(error.code).toBe('reauth_required');
    expect(error.data.action).toBe('reconnect');
    expect((await admin.requests(part(second!))).map((r) => r.status)).toEqual([401, 401]);
    expect(await tokenCalls()).toEqual([200]);
  });
});

describe('outlook provider: limits and cancelling', () => {
  it('never has more than 4 requests in flight: a $batch weighs its parts, no part gets a 429 over 100 ids', async () => {
    const ids = seeded(['inbox', 'sent']).slice(0, 100).map((m) => m.providerId);
    const { provider, retries } = make();
    await provider.getMessages({ ids: ids.slice(0, 1), visibility: 'metadata' });
    await admin.post('/microsoft/latency', { ms: 8 });
    await admin.delete('/requests');
    expect(await provider.getMessages({ ids, visibility: 'metadata' })).toHaveLength(100);
    const log = await admin.requests();
    expect(log.filter((r) => r.path === '/v1.0/$batch')).toHaveLength(25);
    // Exactly one request per id: nothing was refused, so nothing was sent again.
    expect(log.filter((r) => r.batchPart).map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(retries).toEqual([]);

    // The control: a limiter that lets 8 requests run sends a batch of 8 parts; the emulator
    // refuses the 4 over the mailbox's limit with their own 429 (each a request in the log), and
    // they cost a second round after their Retry-After.
    const loose = make({ limiter: new ConcurrencyLimiter(8) });
    await loose.provider.getMessages({ ids: ids.slice(0, 1), visibility: 'metadata' });
    await admin.delete('/requests');
    loose.retries.length = 0;
    expect(await loose.provider.getMessages({ ids: ids.slice(0, 8), visibility: 'metadata' })).toHaveLength(8);
    expect((await admin.requests()).filter((r) => r.batchPart).map((r) => r.status).sort()).toEqual([...Array(8).fill(200), ...Array(4).fill(429)]);
    expect(loose.retries).toEqual([{ code: 'rate_limited', delayMs: 1000 }]);
  });

  it('counts every attempt against the 10,000-per-10-minutes budget: Graph counts a retried request again', async () => {
    const limiter = new ConcurrencyLimiter(4, { requests: 2, windowMs: 600_000, source: 'outlook' });
    const api = new GraphApi({ graphApiUrl: base, tokens, limiter, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 } });
    await admin.fault({ path: '^/v1\\.0/me$', status: 503, retryAfter: 0, count: 1 });
    // Refused once, then answered: two requests reached Graph, and the budget of two is spent.
    await api.text((client) => client.api('/me'));
    expect((await admin.requests('^/v1\\.0/me$')).map((r) => r.status)).toEqual([503, 200]);
    const spent = await failure(api.text((client) => client.api('/me')));
    expect(spent.data).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(spent.data.retryAfterMs).toBeGreaterThan(20_000);
    expect(await admin.requests('^/v1\\.0/me$')).toHaveLength(2);
  });

  it('one caller aborting does not cancel the identity read another caller waits for', async () => {
    const { provider } = make();
    await admin.fault({ path: '^/v1\\.0/me$', delayMs: 300 });
    const first = new AbortController();
    const reason = new Error('user cancelled');
    const input = { since: Date.now() - DAY, cursor: null, visibility: 'metadata' } as const;
    const aborted = provider.listWindow({ ...input, signal: first.signal });
    const other = provider.listWindow({ ...input, signal: new AbortController().signal });
    setTimeout(() => first.abort(reason), 50);
    await expect(aborted).rejects.toBe(reason);
    expect((await other).messages.length).toBeGreaterThan(0);
    // Both callers shared one read.
    expect((await admin.requests('^/v1\\.0/me$')).map((r) => r.status)).toEqual([200]);
  });

  it('stops a listWindow in flight with the abort reason', async () => {
    const { provider } = make();
    await provider.identity();
    await admin.post('/microsoft/latency', { ms: 300 });
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const pending = provider.listWindow({ since: Date.now() - DAY, cursor: null, visibility: 'metadata', signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(pending).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe('outlook provider: window paging within one second (R10)', () => {
  it('neither repeats nor loses messages that share one received second across page boundaries', async () => {
    // Start early in a second, so that every delivery below lands in it.
    if (Date.now() % 1000 > 300) await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
    const second = Math.floor(Date.now() / 1000) * 1000;
    const delivered = await Promise.all(Array.from({ length: 12 }, (_, i) => deliver(`same second ${i}`)));
    expect(Math.floor(Date.now() / 1000) * 1000).toBe(second);
    // The window lists up to the current second (exclusive): wait for the next one.
    await new Promise((resolve) => setTimeout(resolve, second + 1100 - Date.now()));

    const { provider } = make(); // 5 a page per folder
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await provider.listWindow({ since: second, cursor, visibility: 'metadata' });
      ids.push(...page.messages.map((m) => m.providerId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(pages).toBe(3);
    expect(ids.sort()).toEqual(delivered.map((d) => d.id).sort());
  });
});

describe('outlook provider: every folder but the excluded ones (R9, R21) and a chosen few', () => {
  /** What the emulator's live ground truth says the support mailbox holds, by message: its folder now. */
  const liveFolders = async () =>
    new Map((await admin.get<{ verdicts: { mailboxId: string; providerId: string; folder: string | null }[] }>('/ground-truth')).verdicts.filter((v) => v.mailboxId === 'support').map((v) => [v.providerId, v.folder]));
  const folderId = async (provider: MailProvider, path: string) => (await provider.listFolders()).find((f) => f.name === path)!.id;
  async function wholeWindow(provider: MailProvider, input: { since?: number; only?: readonly string[] } = {}) {
    const messages = [];
    let cursor: string | null = null;
    do {
      const page = await provider.listWindow({ since: input.since ?? 0, cursor, visibility: 'metadata', only: input.only });
      messages.push(...page.messages);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return messages;
  }
  async function drain(provider: MailProvider, cursor: string, only?: readonly string[]) {
    const pages: ChangesPage[] = [];
    do pages.push(await provider.changes({ cursor: pages.at(-1)?.cursor ?? cursor, visibility: 'metadata', only }));
    while (pages.at(-1)!.more);
    return { messages: pages.flatMap((p) => p.messages), removed: pages.flatMap((p) => p.removed), cursor: pages.at(-1)!.cursor };
  }
  const deliverTo = (folder: string, subject: string) => admin.post<{ id: string }>('/microsoft/deliver', { to: SUPPORT, from: { name: 'Dana Buyer', address: 'dana@customer.test' }, subject, body: '.', folder });

  it('offers the folders a user may choose: Inbox, Sent Items, Archive and user folders at every level with their path; never an excluded one or a folder inside it', async () => {
    const { provider } = make();
    await admin.post('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Old tickets', parent: 'deleteditems' });
    const folders = await provider.listFolders();
    expect(folders.map(({ name, kind }) => [name, kind])).toEqual([
      ['Inbox', 'system'],
      ['Sent Items', 'system'],
      ['Archive', 'system'],
      ['Customers', 'user'],
      ['Customers/Key accounts', 'user'],
    ]);
    expect(folders.slice(0, 3).map((f) => f.id)).toEqual(['inbox', 'sentitems', 'archive']);
    // A user folder is named by its Graph id: stable, and never an excluded name.
    expect(folders[3]!.id).toMatch(/^AQMkAD/);
  });

  it('backfills mail filed in Archive and in user folders and their child folders, each message in its folder as the emulator holds it', async () => {
    const { provider } = make();
    const messages = await wholeWindow(provider);
    const live = await liveFolders();
    const allowed = [...live].filter(([, folder]) => !['junkemail', 'deleteditems', 'drafts'].includes(folder ?? ''));
    expect(messages.map((m) => m.providerId).sort()).toEqual(allowed.map(([id]) => id).sort());
    expect(messages.map((m) => [m.providerId, m.folder])).toEqual(messages.map((m) => [m.providerId, live.get(m.providerId)]));
    const [customers, keyAccounts] = [await folderId(provider, 'Customers'), await folderId(provider, 'Customers/Key accounts')];
    for (const folder of ['archive', customers, keyAccounts]) expect(messages.filter((m) => m.folder === folder).length).toBeGreaterThan(0);
    // The lists went out as $batch parts: nine folder lists would otherwise be nine requests.
    expect((await admin.requests('/messages$')).every((r) => r.batchPart)).toBe(true);
  });

  it('restricted to one folder, backfills exactly the mail the emulator holds in it', async () => {
    const { provider } = make();
    const keyAccounts = await folderId(provider, 'Customers/Key accounts');
    const messages = await wholeWindow(provider, { only: [keyAccounts] });
    const expected = [...(await liveFolders())].filter(([, folder]) => folder === keyAccounts).map(([id]) => id);
    expect(expected.length).toBeGreaterThan(0);
    expect(messages.map((m) => m.providerId).sort()).toEqual(expected.sort());
    // The child folder alone: its parent is a choice of its own.
    expect(await wholeWindow(provider, { only: [await folderId(provider, 'Customers')] })).not.toContainEqual(expect.objectContaining({ folder: keyAccounts }));
  });

  it('reports mail delivered into a user folder, and mail filed from the Inbox into one as a change of folder, not a removal', async () => {
    const { provider } = make();
    const customers = await folderId(provider, 'Customers');
    const cursor = await drainedCursor(provider);
    const filed = await deliverTo(customers, 'Filed on arrival');
    const later = await deliver('Filed by hand');
    const first = await drain(provider, cursor);
    expect(first.messages.map((m) => [m.subject, m.folder]).sort()).toEqual([
      ['Filed by hand', 'inbox'],
      ['Filed on arrival', customers],
    ]);
    await admin.post('/microsoft/move', { id: later.id, folder: customers });
    const second = await drain(provider, first.cursor);
    expect(second.removed).toEqual([]);
    expect(second.messages.map((m) => [m.providerId, m.folder])).toEqual([[later.id, customers]]);
    expect(filed.id).not.toBe(later.id);
  });

  it('follows a folder made after the cursor from the next round, from the start of the cursor', async () => {
    const { provider } = make();
    const cursor = await drainedCursor(provider);
    const made = await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Renewals', parent: 'inbox' });
    const delivered = await deliverTo(made.id, 'Renewal due');
    const changes = await drain(provider, cursor);
    expect(changes.messages.map((m) => [m.providerId, m.folder])).toEqual([[delivered.id, made.id]]);
    expect(Object.keys(decodeDeltaCursor(changes.cursor).folders)).toContain(made.id);
    expect((await provider.listFolders()).map((f) => f.name)).toContain('Inbox/Renewals');
  });

  it('drops a folder deleted for good, from the next round or when its delta link answers 404, without failing the sync', async () => {
    const { provider } = make();
    const made = await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Short-lived' });
    const cursor = await drainedCursor(provider);
    expect(decodeDeltaCursor(cursor).folders[made.id]).toMatchObject({ paging: false });
    await admin.post('/microsoft/folders/purge', { mailbox: SUPPORT, id: made.id });
    // Between rounds: the folder list no longer has it.
    expect(Object.keys(decodeDeltaCursor((await drain(provider, cursor)).cursor).folders)).not.toContain(made.id);

    // Mid-round: its link is followed, Graph answers 404 ErrorItemNotFound, and it is dropped.
    const again = await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Short-lived' });
    const held = decodeDeltaCursor(await drainedCursor(provider));
    const paging = encodeDeltaCursor({ since: held.since, folders: { ...held.folders, [again.id]: { ...held.folders[again.id]!, paging: true } } });
    await admin.post('/microsoft/folders/purge', { mailbox: SUPPORT, id: again.id });
    await admin.delete('/requests');
    const page = await provider.changes({ cursor: paging, visibility: 'metadata' });
    expect((await admin.requests('/delta$')).map((r) => r.status)).toEqual([404]);
    expect(page).toMatchObject({ messages: [], removed: [], more: false });
    expect(Object.keys(decodeDeltaCursor(page.cursor).folders)).not.toContain(again.id);
  });

  it("removes a folder's recent mail when the folder is deleted into Deleted Items (no message moves, so no delta says so)", async () => {
    const { provider } = make();
    const made = await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Soon binned', parent: 'inbox' });
    const child = await admin.post<{ id: string }>('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Inside', parent: made.id });
    const cursor = await drainedCursor(provider);
    const [filed, nested] = [await deliverTo(made.id, 'In the folder'), await deliverTo(child.id, 'In its child')];
    const seen = await drain(provider, cursor);
    expect(seen.messages.map((m) => m.providerId).sort()).toEqual([filed.id, nested.id].sort());

    await admin.post('/microsoft/folders/move', { mailbox: SUPPORT, id: made.id, parent: 'deleteditems' });
    const binned = await drain(provider, seen.cursor);
    expect(binned.messages).toEqual([]);
    expect(binned.removed.sort()).toEqual([filed.id, nested.id].sort());
    expect(Object.keys(decodeDeltaCursor(binned.cursor).folders)).not.toContain(made.id);
    expect(Object.keys(decodeDeltaCursor(binned.cursor).folders)).not.toContain(child.id);
    expect((await provider.getMessages({ ids: [filed.id], visibility: 'metadata' }))[0]!.folder).toBe('deleteditems');
  });

  it('restricted to one folder: mail filed into it is reported, mail filed out of it is removed, other folders are not asked', async () => {
    const { provider } = make();
    const customers = await folderId(provider, 'Customers');
    const only = [customers];
    const cursor = (await drain(provider, await provider.currentCursor(), only)).cursor;
    expect(Object.keys(decodeDeltaCursor(cursor).folders)).toEqual([customers]);
    const outside = await deliver('Not chosen');
    const inside = await deliverTo(customers, 'Chosen');
    const first = await drain(provider, cursor, only);
    expect(first.messages.map((m) => m.providerId)).toEqual([inside.id]);
    await admin.post('/microsoft/move', { id: outside.id, folder: customers });
    await admin.post('/microsoft/move', { id: inside.id, folder: 'archive' });
    const second = await drain(provider, first.cursor, only);
    expect(second.messages.map((m) => [m.providerId, m.folder])).toEqual([[outside.id, customers]]);
    expect(second.removed).toEqual([inside.id]);
    // The same cursor without a restriction follows every folder again from the next round.
    const all = await drain(provider, second.cursor);
    expect(Object.keys(decodeDeltaCursor(all.cursor).folders)).toEqual(expect.arrayContaining(['inbox', 'sentitems', 'archive', customers]));
  });

  it('reads a v2 cursor (Inbox and Sent Items only): keeps its links and covers every other folder from its start', async () => {
    const { provider } = make();
    const current = decodeDeltaCursor(await drainedCursor(provider));
    const v2 = encodeCursor({ v: 2, since: current.since, links: { inbox: current.folders.inbox!.link, sentitems: current.folders.sentitems!.link } });
    const customers = await folderId(provider, 'Customers');
    const filed = await deliverTo(customers, 'Filed while on v2');
    const changes = await drain(provider, v2);
    // Inbox and Sent Items went on from their links (nothing new there); the other folders
    // report their mail since the cursor's start, which v2 never saw: this test's and earlier ones'.
    expect(changes.messages.map((m) => [m.providerId, m.folder])).toContainEqual([filed.id, customers]);
    expect(changes.messages.filter((m) => m.folder === 'inbox' || m.folder === 'sentitems')).toEqual([]);
    expect(decodeDeltaCursor(changes.cursor)).toMatchObject({ v: 3, since: current.since });
  });

  it('asks each folder for its changes in $batch parts, never more than 4 at once', async () => {
    const { provider } = make();
    const cursor = await drainedCursor(provider);
    await admin.post('/microsoft/latency', { ms: 8 });
    await admin.delete('/requests');
    await drain(provider, cursor);
    const delta = await admin.requests('/delta$');
    expect(delta.length).toBeGreaterThanOrEqual(5);
    expect(delta.every((r) => r.batchPart && r.status === 200)).toBe(true);
  });
});
