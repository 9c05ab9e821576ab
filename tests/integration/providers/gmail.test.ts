import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { GOOGLE_AUTHORIZE_PARAMS, GOOGLE_SCOPES, googleClient } from '@/lib/auth/clients';
import { authorize } from '@/lib/auth/oauth';
import { OAuthTokenSource } from '@/lib/auth/token-source';
import { saveGrant } from '@/lib/platform/token-store';
import type { Message, ProviderErrorCode, Visibility } from '@/lib/domain';
import { createGmailProvider, gmailLimiter } from '@/lib/providers/gmail';
import { MAX_EMPTY_HISTORY_PAGES } from '@/lib/providers/gmail/history';
import type { FolderScope, MailProvider } from '@/lib/providers/mail-provider';
import { SlidingWindowLimiter } from '@/lib/http/rate-limit';
import type { RetryOptions } from '@/lib/http/retry';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { failure } from '../../support/provider-error';
import { emulatorEndpoints, TEST_REDIRECT_URIS } from '../../support/emulator-endpoints';
import { fetchWebAuthFlow } from '../../support/web-auth-flow';

/**
 * The Gmail provider against the Google emulator over real HTTP, signed in the way the extension
 * signs in (code + PKCE through a web auth flow, tokens in WXT storage, refresh on 401). Counts
 * come from the seeded world; retries, quota units and batch parts from the emulator's request
 * log (`GET /__admin/requests`).
 */
let emulators: RunningEmulators;
let base: string;
let tokens: OAuthTokenSource;
const RILEY = 'riley@acme-sales.test';
const SAM = 'sam@acme-sales.test';
const DAY = 86_400_000;
/** A message path inside a batch (not the batch request itself). */
const MESSAGE_PART = '^/gmail/v1/users/me/messages/[0-9a-f]+$';

/** The Google emulator's admin API; its faults and request log are Google's. */
let admin: EmulatorAdmin;
const seeded = (mailbox: string) => emulators.context.world.messages.filter((m) => m.mailboxId === mailbox);
/** Riley's seeded messages a window from `since` lists: spam and trash left out. */
const inWindow = (since: number) => seeded('riley').filter((m) => m.internalDate >= since && m.box !== 'spam' && m.box !== 'trash');

async function connect(address: string, scopes = GOOGLE_SCOPES): Promise<OAuthTokenSource> {
  const client = { ...googleClient(emulatorEndpoints(emulators.urls), TEST_REDIRECT_URIS.google), scopes };
  const account = `gmail:${address}`;
  await saveGrant(account, await authorize(client, fetchWebAuthFlow, { interactive: true, loginHint: address, extraParams: GOOGLE_AUTHORIZE_PARAMS }));
  return new OAuthTokenSource({ account, client, flow: fetchWebAuthFlow });
}

interface Made {
  provider: MailProvider;
  /** Every retry `withRetry` decided on: the classified error and the wait. */
  retries: { code: ProviderErrorCode; delayMs: number }[];
}

function make(options: { retry?: Partial<RetryOptions>; limiter?: SlidingWindowLimiter; source?: OAuthTokenSource; threadsFrom?: number; pageSize?: number; mailboxId?: string } = {}): Made {
  const retries: Made['retries'] = [];
  const provider = createGmailProvider({
    mailboxId: options.mailboxId ?? 'riley',
    tokens: options.source ?? tokens,
    gmailApiUrl: base,
    revoke: async () => undefined,
    // Fault tests should not wait for quota (nor for the full window a Gmail limiter starts with);
    // the quota tests pass `gmailLimiter`.
    limiter: options.limiter ?? new SlidingWindowLimiter(1_000_000, 1000, { source: 'gmail' }),
    retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 100, onRetry: (error, _attempt, delayMs) => retries.push({ code: error.code, delayMs }), ...options.retry },
    threadsFrom: options.threadsFrom,
    pageSize: options.pageSize,
  });
  return { provider, retries };
}

/** Every page of a window, in order. */
async function wholeWindow(provider: MailProvider, since: number, visibility: Visibility) {
  const messages: Message[] = [];
  const estimates: (number | null)[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await provider.listWindow({ since, cursor, visibility });
    messages.push(...page.messages);
    estimates.push(page.estimate);
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null);
  return { messages, estimates, pages };
}

/** Changes until none are waiting, from `cursor`. */
async function drain(provider: MailProvider, cursor: string) {
  const messages: Message[] = [];
  const removed: string[] = [];
  let pages = 0;
  for (;;) {
    const page = await provider.changes({ cursor, visibility: 'snippet' });
    messages.push(...page.messages);
    removed.push(...page.removed);
    cursor = page.cursor;
    pages++;
    if (!page.more) return { messages, removed, cursor, pages };
  }
}

const deliver = (subject: string, to = RILEY) =>
  admin.post<{ id: string }>('/google/deliver', { from: { name: 'Dana Buyer', address: 'dana@customer.test' }, to, subject, body: `Body of ${subject}` });

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 1 });
  base = emulators.urls.google;
  admin = emulatorAdmin(base);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  fakeBrowser.reset();
  await admin.post('/reset');
  await admin.put('/config', { gmailUnitsPerSecond: 1_000_000 });
  tokens = await connect(RILEY);
  await admin.delete('/requests');
});

describe('gmail provider: reading', () => {
  it('reads the identity from getProfile and sendAs, once per instance (R7)', async () => {
    const { provider } = make();
    expect(await provider.identity()).toEqual({ address: RILEY, displayName: 'Riley Rep', replyTo: 'sales@acme-sales.test', aliases: ['riley.sales@acme-sales.test'] });
    await provider.listWindow({ since: Date.now() - DAY, cursor: null, visibility: 'metadata' });
    await provider.getMessages({ ids: [seeded('riley')[0]!.providerId], visibility: 'metadata' });
    // Direction used the identity read above: no second profile or sendAs call.
    expect((await admin.requests(/\/profile$|\/sendAs$/)).length).toBe(2);
  });

  it('pages a 30-day window fully, newest first, without duplicates, metadata only (R10, R22)', async () => {
    const since = Date.now() - 30 * DAY;
    const { messages, estimates, pages } = await wholeWindow(make({ pageSize: 5 }).provider, since, 'metadata');
    const expected = inWindow(since);
    expect(pages).toBeGreaterThan(3);
    // Five to a page, and no empty page after the last full one.
    expect(pages).toBe(Math.ceil(expected.length / 5));
    expect(messages.map((m) => m.providerId).sort()).toEqual(expected.map((m) => m.providerId).sort());
    expect(new Set(messages.map((m) => m.providerId)).size).toBe(messages.length);
    const dates = messages.map((m) => m.date);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(estimates.every((e) => e === expected.length)).toBe(true);
    expect(messages.every((m) => m.snippet === null && m.body === null)).toBe(true);
    // The batches asked for headers only, and only the wanted ones.
    const parts = (await admin.requests()).filter((r) => r.batchPart);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.every((r) => r.query.includes('format=metadata') && r.query.includes('metadataHeaders=Message-ID'))).toBe(true);
    // Messages from the seed come back with the seed's addresses and Message-ID.
    const byId = new Map(expected.map((m) => [m.providerId, m]));
    for (const message of messages) {
      const seed = byId.get(message.providerId)!;
      expect(message.messageId).toBe(seed.messageId);
      expect(message.subject).toBe(seed.subject);
      expect(message.from?.address.toLowerCase()).toBe(seed.from?.address.toLowerCase());
      expect(message.date).toBe(seed.internalDate);
    }
  });

  it('at full visibility reads the text body (R22)', async () => {
    const since = Date.now() - 30 * DAY;
    const { messages } = await wholeWindow(make().provider, since, 'full');
    const bodies = new Map(seeded('riley').map((m) => [m.providerId, m.body]));
    const expected = inWindow(since);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBe(expected.length);
    for (const message of messages) {
      expect(message.body).toBe(bodies.get(message.providerId));
      expect(message.snippet).not.toBeNull();
    }
    const parts = (await admin.requests()).filter((r) => r.batchPart);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.every((r) => r.query.includes('format=full'))).toBe(true);
  });

  it('threads.get against messages.get: the cheaper path for the window, measured in quota units', async () => {
    const since = Date.now() - 30 * DAY;
    const measure = async (threadsFrom?: number) => {
      await admin.delete('/requests');
      const { provider } = make({ threadsFrom });
      await provider.identity();
      await admin.delete('/requests');
      const { messages } = await wholeWindow(provider, since, 'metadata');
      const log = await admin.requests();
      const units = log.reduce((sum, r) => sum + r.cost, 0);
      return { ids: messages.map((m) => m.providerId), units, threadCalls: log.filter((r) => r.path.includes('/threads/')).length };
    };
    const messagesOnly = await measure(Number.POSITIVE_INFINITY);
    const fromTwo = await measure(2);
    const fromThree = await measure(3);
    console.info(`[gmail] 30-day window of ${messagesOnly.ids.length} messages: messages.get only ${messagesOnly.units} units; threads.get from 2 messages ${fromTwo.units}; from 3 ${fromThree.units} (${fromThree.threadCalls} threads.get)`);
    // The same messages either way; threads.get from 3 is the cheapest and is what the provider does by default.
    expect(fromThree.ids).toEqual(messagesOnly.ids);
    expect(fromTwo.ids).toEqual(messagesOnly.ids);
    expect(fromThree.units).toBeLessThan(messagesOnly.units);
    expect(fromThree.units).toBeLessThanOrEqual(fromTwo.units);
    const defaults = await measure();
    expect(defaults.units).toBe(fromThree.units);
  });

  it('starts the window at `since` to the millisecond, though after: takes whole seconds: a message of that second is neither lost nor duplicated', async () => {
    // The newest message not on a whole second (nor on its last millisecond): since can fall in its second on either side.
    const message = inWindow(Date.now() - 30 * DAY)
      .filter((m) => m.internalDate % 1000 > 0 && m.internalDate % 1000 < 999)
      .sort((a, b) => b.internalDate - a.internalDate)[0]!;
    const listed = async (since: number) => (await wholeWindow(make().provider, since, 'metadata')).messages.map((m) => m.providerId).filter((id) => id === message.providerId);
    // since at the message: kept, once (after: asks from the start of its second).
    expect(await listed(message.internalDate)).toEqual([message.providerId]);
    expect(await listed(message.internalDate - 1)).toEqual([message.providerId]);
    // since one millisecond later, in the same second: Gmail lists it, the window leaves it out.
    await admin.delete('/requests');
    expect(await listed(message.internalDate + 1)).toEqual([]);
    const asked = (await admin.requests(/\/messages$/)).map((r) => new URLSearchParams(r.query).get('q'));
    expect(asked).toEqual([`after:${Math.floor(message.internalDate / 1000)}`]);
  });

  it('getMessages skips ids Gmail no longer has', async () => {
    const ids = seeded('riley').slice(0, 3).map((m) => m.providerId);
    const messages = await make().provider.getMessages({ ids: [...ids, 'ffffffffffffffff'], visibility: 'snippet' });
    expect(messages.map((m) => m.providerId)).toEqual(ids);
  });
});

describe('gmail provider: changes (R9, R14)', () => {
  it('finds a delivered message after currentCursor, then nothing more', async () => {
    const { provider } = make();
    const cursor = await provider.currentCursor();
    expect(cursor).toMatch(/^\d+$/);
    const { id } = await deliver('New order');
    const first = await provider.changes({ cursor, visibility: 'snippet' });
    expect(first.messages.map((m) => m.providerId)).toEqual([id]);
    expect(first.messages[0]).toMatchObject({ subject: 'New order', direction: 'received', folder: 'inbox', snippet: 'Body of New order' });
    expect(first.more).toBe(false);
    expect(Number(first.cursor)).toBeGreaterThan(Number(cursor));
    const again = await provider.changes({ cursor: first.cursor, visibility: 'snippet' });
    expect(again).toEqual({ messages: [], removed: [], cursor: first.cursor, more: false });
  });

  it('pages history with a cursor that continues behind the last record', async () => {
    const { provider } = make({ pageSize: 2 });
    const cursor = await provider.currentCursor();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await deliver(`Batch ${i}`)).id);
    const result = await drain(provider, cursor);
    expect(result.pages).toBe(3);
    expect(result.messages.map((m) => m.providerId)).toEqual(ids);
    expect(result.cursor).toBe(await provider.currentCursor());
  });

  it('a message moved to trash is removed; moved back, it returns', async () => {
    const { provider } = make();
    const { id } = await deliver('Trash me');
    const cursor = await provider.currentCursor();
    await admin.post('/google/labels', { id, add: ['TRASH'], remove: ['INBOX'] });
    const trashed = await provider.changes({ cursor, visibility: 'metadata' });
    expect(trashed.removed).toEqual([id]);
    expect(trashed.messages).toEqual([]);
    await admin.post('/google/labels', { id, add: ['INBOX'], remove: ['TRASH'] });
    const back = await provider.changes({ cursor: trashed.cursor, visibility: 'metadata' });
    expect(back.messages.map((m) => m.providerId)).toEqual([id]);
  });

  it('archived mail stays synced, as a change of folder; mail moved to spam or trash, or deleted, is removed: a push not yet done stops (§2.8)', async () => {
    const { provider } = make();
    const before = await provider.currentCursor();
    const [archived, spam, trashed, deleted] = [(await deliver('Archive me')).id, (await deliver('Spam me')).id, (await deliver('Trash me')).id, (await deliver('Delete me')).id];
    const seen = await drain(provider, before);
    expect(seen.messages.map((m) => m.providerId)).toEqual([archived, spam, trashed, deleted]);
    const change = async () => {
      await admin.post('/google/labels', { id: archived, remove: ['INBOX'] });
      await admin.post('/google/labels', { id: spam, add: ['SPAM'], remove: ['INBOX'] });
      await admin.post('/google/labels', { id: trashed, add: ['TRASH'], remove: ['INBOX'] });
      await admin.post('/google/delete', { id: deleted });
    };
    await change();
    // Seen before: archiving is a change of folder (the message as it is now), the rest are removed.
    const after = await drain(provider, seen.cursor);
    expect(after.messages.map((m) => [m.providerId, m.folder])).toEqual([[archived, null]]);
    expect(after.removed.sort()).toEqual([spam, trashed, deleted].sort());
    // Never seen: within one walk the archived message is read (without INBOX), the others are only removed.
    const fresh = await drain(provider, before);
    expect(fresh.messages.map((m) => m.providerId)).toEqual([archived]);
    expect(fresh.messages[0]!.labels).not.toContain('INBOX');
    expect(fresh.removed.sort()).toEqual([spam, trashed, deleted].sort());
    expect(fresh.cursor).toBe(after.cursor);
  });

  it('a move between inbox tabs is a change the product sees; a message that became a draft is removed (R21)', async () => {
    const { provider } = make();
    const { id: tabbed } = await deliver('Tabbed');
    const { id: drafted } = await deliver('Drafted');
    await admin.post('/google/labels', { id: tabbed, add: ['CATEGORY_PROMOTIONS'] });
    const before = await provider.currentCursor();
    await admin.post('/google/labels', { id: tabbed, add: ['CATEGORY_PERSONAL'], remove: ['CATEGORY_PROMOTIONS'] });
    await admin.post('/google/labels', { id: drafted, add: ['DRAFT'] });
    const after = await drain(provider, before);
    expect(after.messages.map((m) => [m.providerId, m.category])).toEqual([[tabbed, 'primary']]);
    expect(after.removed).toEqual([drafted]);
  });

  it(`follows history pages that are empty but carry a nextPageToken, at most ${MAX_EMPTY_HISTORY_PAGES} in a row, then fails retryably with the cursor kept (§2.8)`, async () => {
    const { provider } = make();
    const cursor = await provider.currentCursor();
    const { id } = await deliver('After empty pages');
    const empty = JSON.stringify({ nextPageToken: cursor, historyId: cursor });
    await admin.fault({ path: '/history$', rawBody: empty, count: 3 });
    const page = await provider.changes({ cursor, visibility: 'metadata' });
    expect(page.messages.map((m) => m.providerId)).toEqual([id]);
    expect((await admin.requests(/\/history$/)).length).toBe(4);

    await admin.delete('/requests');
    await admin.fault({ path: '/history$', rawBody: empty, count: MAX_EMPTY_HISTORY_PAGES });
    const error = await failure(provider.changes({ cursor, visibility: 'metadata' }));
    expect(error.data).toMatchObject({ code: 'server', retryable: true });
    expect((await admin.requests(/\/history$/)).length).toBe(MAX_EMPTY_HISTORY_PAGES);
    // Nothing was skipped: the same cursor still finds the message.
    expect((await provider.changes({ cursor, visibility: 'metadata' })).messages.map((m) => m.providerId)).toEqual([id]);
  });

  it('expired history is cursor_expired (R14)', async () => {
    const { provider } = make();
    const cursor = await provider.currentCursor();
    await deliver('Before expiry');
    await admin.post('/expire', { what: 'history' });
    expect((await failure(provider.changes({ cursor, visibility: 'metadata' }))).code).toBe('cursor_expired');
    // Not retried: one history call.
    expect((await admin.requests(/\/history$/)).length).toBe(1);
  });

  it('a history 404 from the API is cursor_expired, and an unreadable cursor too', async () => {
    const { provider } = make();
    const cursor = await provider.currentCursor();
    await admin.fault({ path: '/history$', status: 404 });
    expect((await failure(provider.changes({ cursor, visibility: 'metadata' }))).code).toBe('cursor_expired');
    expect((await failure(provider.changes({ cursor: 'not-a-history-id', visibility: 'metadata' }))).code).toBe('cursor_expired');
  });
});

describe('gmail provider: errors and retries (R12)', () => {
  const profile = /\/profile$/;

  it('429 with Retry-After waits that long, then succeeds', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 429, retryAfter: 1 });
    const started = performance.now();
    await provider.currentCursor();
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 1000 }]);
    const log = await admin.requests(profile);
    expect(log.map((r) => r.status)).toEqual([429, 200]);
    expect(log[1]!.at - log[0]!.at).toBeGreaterThanOrEqual(990);
  });

  it('a 429 with Retry-After: 3600 is not slept: the call fails at once, retryable, with retryAfterMs of an hour (§2.3)', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 429, retryAfter: 3600 });
    const started = performance.now();
    const error = await failure(provider.currentCursor());
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.data).toMatchObject({ code: 'rate_limited', retryable: true, action: 'wait', retryAfterMs: 3_600_000 });
    expect(retries).toEqual([]);
    expect((await admin.requests(profile)).map((r) => r.status)).toEqual([429]);
  });

  it('429 without Retry-After backs off, then succeeds', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 429, count: 2 });
    await provider.currentCursor();
    expect(retries.map((r) => r.code)).toEqual(['rate_limited', 'rate_limited']);
    expect(retries.every((r) => r.delayMs <= 100)).toBe(true);
    expect((await admin.requests(profile)).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('403 userRateLimitExceeded is a rate limit: retried', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 403, reason: 'userRateLimitExceeded' });
    await provider.currentCursor();
    expect(retries.map((r) => r.code)).toEqual(['rate_limited']);
    expect((await admin.requests(profile)).map((r) => r.status)).toEqual([403, 200]);
  });

  it('403 insufficientPermissions is not retried', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 403, reason: 'insufficientPermissions' });
    const error = await failure(provider.currentCursor());
    expect(error.code).toBe('insufficient_permissions');
    expect(error.data.action).toBe('grant_permission');
    expect(retries).toEqual([]);
    expect((await admin.requests(profile)).length).toBe(1);
  });

  it('a grant without a read scope meets the emulator’s real 403 (ACCESS_TOKEN_SCOPE_INSUFFICIENT)', async () => {
    // Sam (riley's earlier grant would be merged in: the client asks for include_granted_scopes).
    const sendOnly = await connect(SAM, ['https://www.googleapis.com/auth/gmail.send']);
    expect((await failure(make({ source: sendOnly }).provider.listWindow({ since: Date.now() - DAY, cursor: null, visibility: 'metadata' }))).code).toBe('insufficient_permissions');
  });

  it('403 dailyLimitExceeded is quota_exhausted, not retried', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 403, reason: 'dailyLimitExceeded' });
    expect((await failure(provider.currentCursor())).code).toBe('quota_exhausted');
    expect(retries).toEqual([]);
    expect((await admin.requests(profile)).length).toBe(1);
  });

  it('401 after the access token expired: refreshed once, then it works', async () => {
    const { provider } = make();
    await provider.currentCursor();
    await admin.post('/expire', { what: 'access_tokens' });
    await provider.currentCursor();
    const log = await admin.requests();
    expect(log.filter((r) => profile.test(r.path)).map((r) => r.status)).toEqual([200, 401, 200]);
    expect(log.filter((r) => r.path === '/token').map((r) => r.status)).toEqual([200]);
  });

  it('401 after the refresh token expired too is reauth_required', async () => {
    const { provider } = make();
    await provider.currentCursor();
    await admin.post('/expire', { what: 'access_tokens' });
    await admin.post('/expire', { what: 'refresh_tokens' });
    const error = await failure(provider.currentCursor());
    expect(error.code).toBe('reauth_required');
    expect(error.data.action).toBe('reconnect');
    expect((await admin.requests()).filter((r) => r.path === '/token').map((r) => r.status)).toEqual([400]);
  });

  it('500 and 503 are retried; when they last, the error is server', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 500 });
    await admin.fault({ path: 'profile$', status: 503 });
    await provider.currentCursor();
    expect(retries.map((r) => r.code)).toEqual(['server', 'server']);
    expect((await admin.requests(profile)).map((r) => r.status)).toEqual([500, 503, 200]);
    await admin.fault({ path: 'profile$', status: 503, count: 3 });
    expect((await failure(provider.currentCursor())).code).toBe('server');
  });

  it('a dropped connection is retried; when it lasts, the error is network', async () => {
    const { provider } = make();
    await admin.fault({ path: 'profile$', drop: true });
    await provider.currentCursor();
    expect((await admin.requests(profile)).map((r) => r.status)).toEqual([0, 200]);
    await admin.fault({ path: 'profile$', drop: true, count: 3 });
    expect((await failure(provider.currentCursor())).code).toBe('network');
  });

  it('a 400 is sent once and ends as a final bad_response', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: 'profile$', status: 400 });
    const error = await failure(provider.currentCursor());
    expect(error.code).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(error.data.action).toBe('none');
    expect(retries).toEqual([]);
    expect((await admin.requests(profile)).map((r) => r.status)).toEqual([400]);
  });

  it('a page token Gmail refuses (its own 400 invalidArgument) is not asked again', async () => {
    const { provider, retries } = make();
    const error = await failure(provider.listWindow({ since: Date.now() - DAY, cursor: 'not-a-page-token', visibility: 'metadata' }));
    expect(error.code).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(retries).toEqual([]);
    expect((await admin.requests(/\/messages$/)).map((r) => r.status)).toEqual([400]);
  });

  it('malformed JSON is bad_response once a second answer is no better', async () => {
    const { provider } = make();
    await admin.fault({ path: 'profile$', rawBody: '{"emailAddress": "riley@acme-sales.test", "historyId": ' });
    expect(await provider.currentCursor()).toMatch(/^\d+$/);
    await admin.fault({ path: 'profile$', rawBody: '<html>', count: 2 });
    expect((await failure(provider.currentCursor())).code).toBe('bad_response');
    expect((await admin.requests(profile)).length).toBe(4);
  });

  it('an aborted call stops in flight', async () => {
    const { provider } = make();
    await admin.fault({ path: 'profile$', delayMs: 300 });
    const controller = new AbortController();
    const reason = new DOMException('stopped', 'AbortError');
    const pending = provider.currentCursor(controller.signal);
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(pending).rejects.toBe(reason);
    // Well before the delayed answer.
    expect(performance.now() - started).toBeLessThan(250);
    // The emulator still serves the abandoned call when its delay ends, and charges riley's quota
    // for it: wait for that here, or it lands in a later test's one-second window.
    while ((await admin.requests(profile)).length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
  });

  it('one caller aborting does not cancel the identity read another caller waits for', async () => {
    const { provider } = make();
    const ids = seeded('riley').slice(0, 2).map((m) => m.providerId);
    await admin.fault({ path: 'profile$', delayMs: 300 });
    const first = new AbortController();
    const reason = new DOMException('stopped', 'AbortError');
    const aborted = provider.getMessages({ ids, visibility: 'metadata', signal: first.signal });
    const other = provider.getMessages({ ids, visibility: 'metadata', signal: new AbortController().signal });
    setTimeout(() => first.abort(reason), 50);
    await expect(aborted).rejects.toBe(reason);
    expect((await other).map((m) => m.providerId)).toEqual(ids);
    // Both callers shared one read.
    expect((await admin.requests(profile)).length).toBe(1);
  });

  it('an aborted call stops while it waits for quota', async () => {
    const { provider } = make({ limiter: gmailLimiter({ unitsPerSecond: 10 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException('stopped', 'AbortError')), 100);
    const ids = seeded('riley').slice(0, 20).map((m) => m.providerId);
    await expect(provider.getMessages({ ids, visibility: 'metadata', signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect((await admin.requests()).filter((r) => r.batchPart).length).toBe(0);
  });
});

describe('gmail provider: batch parts', () => {
  const ids = () => seeded('riley').slice(0, 10).map((m) => m.providerId);
  const parts = async () => (await admin.requests()).filter((r) => r.batchPart);

  it('retries only the parts refused with 429, after their Retry-After', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: MESSAGE_PART, status: 429, retryAfter: 1, count: 3 });
    const started = performance.now();
    const messages = await provider.getMessages({ ids: ids(), visibility: 'metadata' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(messages.map((m) => m.providerId)).toEqual(ids());
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 1000 }]);
    const log = await parts();
    const refused = log.filter((r) => r.faultId !== null).map((r) => r.path);
    expect(refused.length).toBe(3);
    // Two batches: 10 parts, then the 3 refused ones alone.
    expect(log.length).toBe(13);
    expect(log.slice(10).map((r) => r.path)).toEqual(refused);
    expect((await admin.requests(/^\/batch\/gmail\/v1$/)).length).toBe(2);
  });

  it('parts refused with Retry-After: 3600 are not waited for: the call fails at once with retryAfterMs of an hour (§2.3)', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: MESSAGE_PART, status: 429, retryAfter: 3600, count: 3 });
    const started = performance.now();
    const error = await failure(provider.getMessages({ ids: ids(), visibility: 'metadata' }));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(error.data).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 3_600_000 });
    expect(retries).toEqual([]);
    expect((await parts()).length).toBe(10);
  });

  it('retries parts refused with 403 userRateLimitExceeded or 500', async () => {
    const { provider } = make();
    await admin.fault({ path: MESSAGE_PART, status: 403, reason: 'userRateLimitExceeded', count: 2 });
    await admin.fault({ path: MESSAGE_PART, status: 500, count: 1 });
    expect((await provider.getMessages({ ids: ids(), visibility: 'metadata' })).length).toBe(10);
    expect((await parts()).length).toBe(13);
  });

  it('a part refused with 401 drops the token, and the part is sent again with a new one', async () => {
    const { provider } = make();
    await provider.currentCursor();
    await admin.fault({ path: MESSAGE_PART, status: 401, count: 1 });
    expect((await provider.getMessages({ ids: ids(), visibility: 'metadata' })).length).toBe(10);
    expect((await parts()).length).toBe(11);
    expect((await admin.requests()).filter((r) => r.path === '/token').length).toBe(1);
  });

  it('parts refused with 401 twice running are reauth_required, after one renewal', async () => {
    const { provider } = make();
    await provider.currentCursor();
    await admin.fault({ path: MESSAGE_PART, status: 401, count: 20 });
    const error = await failure(provider.getMessages({ ids: ids(), visibility: 'metadata' }));
    expect(error.code).toBe('reauth_required');
    // All 10 refused, then the 10 again with the renewed token: no third round.
    expect((await parts()).map((r) => r.status)).toEqual(Array(20).fill(401));
    expect((await admin.requests()).filter((r) => r.path === '/token').map((r) => r.status)).toEqual([200]);
  });

  it('a part answered 400 fails the call at once: asking again cannot change it', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: MESSAGE_PART, status: 400, count: 1 });
    const error = await failure(provider.getMessages({ ids: ids(), visibility: 'metadata' }));
    expect(error.code).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect(retries).toEqual([]);
    expect((await parts()).length).toBe(10);
  });

  it('a part refused with insufficientPermissions fails the call', async () => {
    const { provider } = make();
    await admin.fault({ path: MESSAGE_PART, status: 403, reason: 'insufficientPermissions', count: 1 });
    expect((await failure(provider.getMessages({ ids: ids(), visibility: 'metadata' }))).code).toBe('insufficient_permissions');
    expect((await parts()).length).toBe(10);
  });

  it('a part answered 404 (deleted meanwhile) is skipped', async () => {
    const { provider } = make();
    await admin.fault({ path: `/messages/${ids()[4]}$`, status: 404 });
    const messages = await provider.getMessages({ ids: ids(), visibility: 'metadata' });
    expect(messages.map((m) => m.providerId)).toEqual(ids().filter((_, i) => i !== 4));
  });

  it('the batch request itself is retried as a whole (503 on the envelope)', async () => {
    const { provider } = make();
    await admin.fault({ path: '^/batch/gmail/v1$', status: 503 });
    expect((await provider.getMessages({ ids: ids(), visibility: 'metadata' })).length).toBe(10);
    expect((await admin.requests(/^\/batch\/gmail\/v1$/)).map((r) => r.status)).toEqual([503, 200]);
  });
});

describe('gmail provider: sending (R31)', () => {
  it('a test email to sam arrives in sam’s INBOX and in riley’s SENT through changes()', async () => {
    const { provider } = make();
    const cursor = await provider.currentCursor();
    const subject = 'Test delivery — Prüfung ✓';
    const sent = await provider.sendTestEmail({ to: SAM, subject, body: 'Hello Sam,\nthis is a test.' });
    expect(sent.providerId).toMatch(/^[0-9a-f]{16}$/);

    const own = await provider.changes({ cursor, visibility: 'full' });
    const copy = own.messages.find((m) => m.providerId === sent.providerId)!;
    expect(copy).toMatchObject({ subject, folder: 'sent', direction: 'sent', from: { name: 'Riley Rep', address: RILEY } });
    expect(copy.messageId).toMatch(/^<[0-9a-f]{32}@acme-sales\.test>$/);
    expect(copy.body?.replace(/\r\n/g, '\n')).toBe('Hello Sam,\nthis is a test.');

    const sam = make({ source: await connect(SAM), mailboxId: 'sam' }).provider;
    const inbox = await sam.listWindow({ since: Date.now() - 60_000, cursor: null, visibility: 'snippet' });
    const received = inbox.messages.find((m) => m.messageId === copy.messageId)!;
    expect(received).toMatchObject({ subject, folder: 'inbox', direction: 'received', from: { name: 'Riley Rep', address: RILEY } });
    expect(received.labels).toContain('INBOX');
    // messages.send costs 100 units.
    expect((await admin.requests(/\/messages\/send$/)).map((r) => r.cost)).toEqual([100]);
  });

  it('refuses a test address that is not an address, for good', async () => {
    const error = await failure(make().provider.sendTestEmail({ to: 'not an address', subject: 's', body: 'b' }));
    expect(error.code).toBe('bad_response');
    expect(error.retryable).toBe(false);
    expect((await admin.requests(/\/messages\/send$/)).length).toBe(0);
  });

  const sends = async () => (await admin.requests(/\/messages\/send$/)).map((r) => r.status);
  const testEmail = { to: SAM, subject: 'Test', body: 'Hello' };

  it.each([
    { what: 'a 500', spec: { status: 500 }, code: 'server', sends: [500] },
    { what: 'a dropped connection', spec: { drop: true }, code: 'network', sends: [0] },
  ] as const)('$what on messages.send is $code, not sent again: the email may have gone', async ({ spec, code, sends: logged }) => {
    const { provider, retries } = make();
    await admin.fault({ path: '/messages/send$', ...spec });
    const error = await failure(provider.sendTestEmail(testEmail));
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(false);
    expect(retries).toEqual([]);
    expect(await sends()).toEqual(logged);
  });

  it('a 429 on messages.send is sent again after its Retry-After: Gmail did not take it', async () => {
    const { provider, retries } = make();
    await admin.fault({ path: '/messages/send$', status: 429, retryAfter: 0 });
    expect((await provider.sendTestEmail(testEmail)).providerId).toMatch(/^[0-9a-f]{16}$/);
    expect(retries).toEqual([{ code: 'rate_limited', delayMs: 0 }]);
    expect(await sends()).toEqual([429, 200]);
  });

  it('revoke delegates to the grant', async () => {
    let revoked = 0;
    const provider = createGmailProvider({ mailboxId: 'riley', tokens, gmailApiUrl: base, revoke: async () => void revoked++ });
    await provider.revoke();
    expect(revoked).toBe(1);
  });
});

describe('gmail provider: quota', () => {
  it('a sustained getMessages under the real 250 units/s quota meets no 429 (default limiter)', async () => {
    await admin.put('/config', { gmailUnitsPerSecond: 250 });
    const { provider, retries } = make({ limiter: gmailLimiter() });
    await provider.identity();
    const ids = seeded('riley').map((m) => m.providerId);
    const started = performance.now();
    const messages = await provider.getMessages({ ids, visibility: 'metadata' });
    const seconds = (performance.now() - started) / 1000;
    expect(messages.length).toBe(ids.length);
    const log = await admin.requests();
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(retries).toEqual([]);
    const parts = log.filter((r) => r.batchPart);
    const units = parts.reduce((sum, r) => sum + r.cost, 0);
    expect(units).toBe(ids.length * 5);
    // Paced by the limiter, not faster than the quota allows: at most 250 units in any second (a
    // moving window allows its 250 at once at the start, so the average over a short run may be higher).
    const busiest = Math.max(...parts.map((p) => parts.filter((q) => q.at >= p.at && q.at < p.at + 1000).reduce((sum, q) => sum + q.cost, 0)));
    expect(busiest).toBeLessThanOrEqual(250);
    expect(units / seconds).toBeLessThanOrEqual(250 * (1 + 1 / seconds));
  }, 20_000);
});

describe('gmail provider: labels to choose from, and sync restricted to chosen ones', () => {
  /** Since 2001: `after:` takes epoch seconds of at least nine digits. */
  const LONG_AGO = 1_000_000_000_000;
  const label = (id: string, add: string[], remove: string[] = []) => admin.post('/google/labels', { id, add, remove });
  async function restrictedWindow(provider: MailProvider, only: readonly string[]) {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await provider.listWindow({ since: LONG_AGO, cursor, visibility: 'metadata', only });
      ids.push(...page.messages.map((m) => m.providerId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return ids.sort();
  }
  async function restrictedChanges(provider: MailProvider, cursor: string, only: FolderScope) {
    const pages = [await provider.changes({ cursor, visibility: 'metadata', only })];
    while (pages.at(-1)!.more) pages.push(await provider.changes({ cursor: pages.at(-1)!.cursor, visibility: 'metadata', only }));
    return { messages: pages.flatMap((p) => p.messages.map((m) => m.providerId)), removed: pages.flatMap((p) => p.removed), cursor: pages.at(-1)!.cursor };
  }

  it('offers user labels and Inbox, Sent, Important, Starred and the categories; never spam, trash, drafts, chats or unread', async () => {
    const { id } = await admin.post<{ id: string }>('/google/labels/create', { mailbox: RILEY, name: 'Customers/Acme' });
    const choices = await make().provider.listFolders();
    expect(choices).toContainEqual({ id, name: 'Customers/Acme', kind: 'user' });
    expect(choices.filter((c) => c.kind === 'system').map((c) => c.id).sort()).toEqual(
      ['INBOX', 'SENT', 'IMPORTANT', 'STARRED', 'CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS'].sort(),
    );
    // Gmail answers 409 to a second label of the same name.
    expect(await admin.post('/google/labels/create', { mailbox: RILEY, name: 'customers/acme' }).catch((e: Error) => e)).toBeInstanceOf(Error);
  });

  it('backfills exactly the messages carrying a chosen label, in one query with an OR group', async () => {
    const { provider } = make();
    const { id: keyAccounts } = await admin.post<{ id: string }>('/google/labels/create', { mailbox: RILEY, name: 'Key accounts' });
    const [inbox, sent, other, starred, binned] = [
      seeded('riley').find((m) => m.box === 'inbox')!,
      seeded('riley').find((m) => m.box === 'sent')!,
      seeded('riley').filter((m) => m.box === 'inbox')[1]!,
      seeded('riley').filter((m) => m.box === 'inbox')[2]!,
      seeded('riley').filter((m) => m.box === 'inbox')[3]!,
    ];
    for (const m of [inbox, sent, binned]) await label(m.providerId, [keyAccounts]);
    await label(other.providerId, [], ['INBOX']); // archived, without the label: not chosen
    await label(starred.providerId, ['STARRED']);
    await label(binned.providerId, ['TRASH']);
    await admin.delete('/requests');
    expect(await restrictedWindow(provider, [keyAccounts])).toEqual([inbox.providerId, sent.providerId].sort());
    expect(await restrictedWindow(provider, [keyAccounts, 'STARRED'])).toEqual([inbox.providerId, sent.providerId, starred.providerId].sort());
    const lists = await admin.requests('/messages$');
    expect(decodeURIComponent(lists[0]!.query).replace(/\+/g, ' ')).toContain('{label:"Key accounts"}');
    // A label the mailbox does not have chooses nothing, without a list.
    await admin.delete('/requests');
    expect(await restrictedWindow(provider, ['Label_999'])).toEqual([]);
    expect(await admin.requests('/messages$')).toEqual([]);
  });

  it('reports a message once it carries a chosen label and removes it when it loses it; mail outside the choice is not reported', async () => {
    const { provider } = make();
    const { id: chosen } = await admin.post<{ id: string }>('/google/labels/create', { mailbox: RILEY, name: 'Renewals' });
    const only = [chosen];
    const start = await provider.currentCursor();
    const outside = await deliver('Not chosen');
    const inside = await deliver('Chosen later');
    const quiet = await restrictedChanges(provider, start, only);
    expect(quiet).toMatchObject({ messages: [], removed: [] });

    await label(inside.id, [chosen]);
    const entered = await restrictedChanges(provider, quiet.cursor, only);
    expect(entered).toMatchObject({ messages: [inside.id], removed: [] });

    await label(inside.id, [], [chosen]);
    await label(outside.id, ['STARRED']);
    const left = await restrictedChanges(provider, entered.cursor, only);
    expect(left).toMatchObject({ messages: [], removed: [inside.id] });

    // Unrestricted, the same history reports every change as before.
    const all = await restrictedChanges(provider, start, null);
    expect(all.messages.sort()).toEqual([inside.id, outside.id].sort());
  });
});
