import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { signIn } from '@/emulators/microsoft/sign-in';
import { seededFolderOf } from '@/emulators/microsoft/mail-store';

/**
 * Graph v1.0 mail over raw HTTP. Shapes follow Graph's documentation: the `message` resource,
 * OData collections (`@odata.context`, `value`, `@odata.nextLink`, `@odata.deltaLink`), and the
 * error JSON `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */
let emulators: RunningEmulators;
let base: string;
let token: string;
const SUPPORT = 'support@acme-sales.test';

const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const IMMUTABLE = 'IdType="ImmutableId"';
/** A Graph request asking for immutable ids (the ids the seed and the admin routes name) unless `headers` say otherwise. */
const graph = (path: string, init: RequestInit & { bearer?: string } = {}) =>
  fetch(`${base}/v1.0${path}`, { ...init, headers: { authorization: `Bearer ${init.bearer ?? token}`, prefer: IMMUTABLE, ...(init.headers as Record<string, string>) } });
/** The seeded messages of the support mailbox in a folder, by well-known name or seeded path. */
const seeded = (folder: ReturnType<typeof seededFolderOf>) => emulators.context.world.messages.filter((m) => m.mailboxId === 'support' && seededFolderOf(m) === folder);

async function freshToken(scope?: string): Promise<string> {
  const { tokens } = await signIn(base, { loginHint: SUPPORT, scope });
  return String(tokens!.access_token);
}

function expectGraphError(body: { error?: Record<string, unknown> }, code: string, message?: string | RegExp) {
  expect(body.error).toMatchObject({ code });
  if (message !== undefined) expect(body.error!.message).toMatch(message);
  expect(body.error!.innerError).toEqual({ date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/), 'request-id': expect.any(String), 'client-request-id': expect.any(String) });
}

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 7 });
  base = emulators.urls.microsoft;
  token = await freshToken();
});
afterAll(() => emulators.stop());

describe('graph authentication and scopes', () => {
  it('answers 401 InvalidAuthenticationToken with WWW-Authenticate for expired, garbage and missing tokens', async () => {
    const doomed = await freshToken();
    await admin('/expire', { what: 'access_tokens', user: SUPPORT });
    token = await freshToken();
    const expired = await graph('/me', { bearer: doomed });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toMatch(/^Bearer realm="", authorization_uri="https:\/\/login\.microsoftonline\.com\/common\/oauth2\/authorize"/);
    expectGraphError(await expired.json(), 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');

    const garbage = await graph('/me', { bearer: 'not-a-jwt' });
    expectGraphError(await garbage.json(), 'InvalidAuthenticationToken', /^IDX14100: JWT is not well formed/);
    const missing = await fetch(`${base}/v1.0/me`);
    expect(missing.status).toBe(401);
    expectGraphError(await missing.json(), 'InvalidAuthenticationToken', 'Access token is empty.');
  });

  it('answers 403 ErrorAccessDenied when the token lacks the permission', async () => {
    const userOnly = await freshToken('User.Read');
    expect((await graph('/me', { bearer: userOnly })).status).toBe(200);
    for (const path of ['/me/mailFolders/inbox/messages', '/me/mailFolders/inbox/messages/delta', '/me/mailboxSettings']) {
      const response = await graph(path, { bearer: userOnly });
      expect(response.status).toBe(403);
      expectGraphError(await response.json(), 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    const send = await graph('/me/sendMail', { bearer: userOnly, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: { toRecipients: [{ emailAddress: { address: 'x@y.test' } }] } }) });
    expect(send.status).toBe(403);
  });
});

describe('graph user and folders', () => {
  it('serves /me (aliases through $select=proxyAddresses) and mailboxSettings with userPurpose', async () => {
    const me = await (await graph('/me')).json();
    expect(me).toMatchObject({ displayName: 'Acme Support', mail: SUPPORT, userPrincipalName: SUPPORT, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(me).not.toHaveProperty('proxyAddresses');
    const selected = await (await graph('/me?$select=mail,proxyAddresses')).json();
    expect(selected.proxyAddresses).toEqual([`SMTP:${SUPPORT}`, 'smtp:help@acme-sales.test']);
    expect(Object.keys(selected).sort()).toEqual(['@odata.context', 'mail', 'proxyAddresses']);
    const settings = await (await graph('/me/mailboxSettings')).json();
    expect(settings).toMatchObject({ timeZone: 'W. Europe Standard Time', userPurpose: 'shared', language: { locale: 'en-US' }, automaticRepliesSetting: { status: 'disabled' } });
  });

  it('serves the six well-known folders with the seeded counts, by name or id', async () => {
    for (const name of ['inbox', 'sentitems', 'archive', 'junkemail', 'deleteditems', 'drafts'] as const) {
      const folder = await (await graph(`/me/mailFolders/${name}`)).json();
      expect(folder.totalItemCount).toBe(seeded(name).length);
      expect(folder.unreadItemCount).toBe(seeded(name).filter((m) => m.unread).length);
      const byId = await (await graph(`/me/mailFolders/${folder.id}`)).json();
      expect(byId.displayName).toBe(folder.displayName);
    }
    expect(seeded('inbox').length).toBeGreaterThan(20);
  });

  it('honours $select on a folder: id always, counts only when selected, 400 for an unknown property', async () => {
    const inbox = await (await graph('/me/mailFolders/inbox')).json();
    const idOnly = await (await graph('/me/mailFolders/inbox?$select=id')).json();
    expect(idOnly).toEqual({ '@odata.context': `${base}/v1.0/$metadata#users('support%40acme-sales.test')/mailFolders(id)/$entity`, id: inbox.id });
    const counts = await (await graph('/me/mailFolders/inbox?$select=UnreadItemCount')).json();
    expect(counts).toMatchObject({ id: inbox.id, unreadItemCount: seeded('inbox').filter((m) => m.unread).length });
    expect(counts).not.toHaveProperty('totalItemCount');
    const unknown = await graph('/me/mailFolders/inbox?$select=nope');
    expect(unknown.status).toBe(400);
    expectGraphError(await unknown.json(), 'RequestBroker--ParseUri', "Could not find a property named 'nope' on type 'microsoft.graph.mailFolder'.");
  });
});

describe('graph user folders and child folders', () => {
  type Folder = { id: string; displayName: string; parentFolderId: string; childFolderCount: number; totalItemCount: number };
  const list = async (path: string): Promise<Folder[]> => {
    const folders: Folder[] = [];
    let next: string | undefined = `${base}/v1.0${path}`;
    while (next) {
      const page = await (await fetch(next, { headers: { authorization: `Bearer ${token}` } })).json();
      folders.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return folders;
  };

  it('lists the root\'s folders (well-known and user ones) in pages of $top, and a folder\'s childFolders, with parentFolderId and childFolderCount', async () => {
    const first = await (await graph('/me/mailFolders?$top=4')).json();
    expect(first.value).toHaveLength(4);
    expect(first['@odata.nextLink']).toMatch(new RegExp(`^${base}/v1\\.0/me/mailFolders\\?\\$top=4&\\$skip=4$`));
    const top = await list('/me/mailFolders?$top=4');
    expect(top.map((f) => f.displayName)).toEqual(['Inbox', 'Sent Items', 'Archive', 'Junk Email', 'Deleted Items', 'Drafts', 'Customers']);
    const root = top[0]!.parentFolderId;
    expect(new Set(top.map((f) => f.parentFolderId))).toEqual(new Set([root]));
    const customers = top.at(-1)!;
    expect(customers).toMatchObject({ childFolderCount: 1, totalItemCount: seeded('Customers').length });
    const children = await list(`/me/mailFolders/${customers.id}/childFolders`);
    expect(children).toEqual([expect.objectContaining({ displayName: 'Key accounts', parentFolderId: customers.id, childFolderCount: 0, totalItemCount: seeded('Customers/Key accounts').length })]);
    expect(seeded('Customers').length + seeded('Customers/Key accounts').length + seeded('archive').length).toBeGreaterThan(5);
    expect(await list(`/me/mailFolders/inbox/childFolders`)).toEqual([]);
    // A user folder's messages and delta, by its id.
    const delta = await (await graph(`/me/mailFolders/${children[0]!.id}/messages/delta?$select=id`)).json();
    expect(delta.value.map((m: { id: string }) => m.id).sort()).toEqual(seeded('Customers/Key accounts').map((m) => m.providerId).sort());
  });

  it('makes, moves and purges user folders through the admin API; a purged folder\'s delta link answers 404 ErrorItemNotFound', async () => {
    const made = await (await admin('/microsoft/folders', { mailbox: SUPPORT, displayName: 'Escalations', parent: 'inbox' })).json();
    expect((await admin('/microsoft/folders', { mailbox: SUPPORT, displayName: 'escalations', parent: 'inbox' })).status).toBe(409);
    const inbox = await (await graph('/me/mailFolders/inbox?$select=childFolderCount')).json();
    expect(inbox.childFolderCount).toBe(1);
    const { id } = await (await admin('/microsoft/deliver', { to: SUPPORT, from: 'a@customer.test', subject: 'Escalated', body: '.', folder: made.id })).json();
    const message = await (await graph(`/me/messages/${id}?$select=parentFolderId`)).json();
    expect(message.parentFolderId).toBe(made.id);
    const round = await (await graph(`/me/mailFolders/${made.id}/messages/delta?$select=id`)).json();
    expect(round.value.map((m: { id: string }) => m.id)).toEqual([id]);

    expect((await admin('/microsoft/folders/move', { mailbox: SUPPORT, id: made.id, parent: made.id })).status).toBe(400);
    expect((await admin('/microsoft/folders/move', { mailbox: SUPPORT, id: made.id, parent: 'deleteditems' })).status).toBe(200);
    expect((await list('/me/mailFolders/deleteditems/childFolders')).map((f) => f.id)).toEqual([made.id]);
    expect((await admin('/microsoft/folders/purge', { mailbox: SUPPORT, id: 'inbox' })).status).toBe(400);
    expect((await admin('/microsoft/folders/purge', { mailbox: SUPPORT, id: made.id })).status).toBe(200);
    expect((await graph(`/me/messages/${id}`)).status).toBe(404);
    const gone = await fetch(round['@odata.deltaLink'], { headers: { authorization: `Bearer ${token}`, prefer: IMMUTABLE } });
    expect(gone.status).toBe(404);
    expectGraphError(await gone.json(), 'ErrorItemNotFound');
  });
});

describe('graph messages', () => {
  it('pages a folder newest first through absolute @odata.nextLink, $top default 10', async () => {
    const first = await (await graph('/me/mailFolders/inbox/messages')).json();
    expect(first['@odata.context']).toBe(`${base}/v1.0/$metadata#users('support%40acme-sales.test')/mailFolders('inbox')/messages`);
    expect(first.value).toHaveLength(10);
    const ids: string[] = [];
    let page = await (await graph('/me/mailFolders/inbox/messages?$top=25&$select=receivedDateTime')).json();
    for (;;) {
      ids.push(...page.value.map((m: { id: string }) => m.id));
      if (!page['@odata.nextLink']) break;
      expect(page['@odata.nextLink']).toMatch(new RegExp(`^${base}/v1\\.0/me/mailFolders/inbox/messages\\?`));
      page = await (await fetch(page['@odata.nextLink'], { headers: { authorization: `Bearer ${token}`, prefer: IMMUTABLE } })).json();
    }
    // The world lists a mailbox's messages oldest first (ties by id); Graph's default is newest first.
    const expected = [...seeded('inbox')].reverse().map((m) => m.providerId);
    expect(ids).toEqual(expected);
    expect((await graph('/me/mailFolders/inbox/messages?$top=1001')).status).toBe(400);
  });

  it('renders Graph message JSON with the decoded structured addresses', async () => {
    const seed = seeded('inbox').find((m) => m.cc.length > 0 && m.from?.name)!;
    const response = await graph(`/me/messages/${seed.providerId}`, { headers: { prefer: 'IdType="ImmutableId"' } });
    expect(response.headers.get('preference-applied')).toBe('IdType="ImmutableId"');
    const message = await response.json();
    expect(Object.keys(message)).toEqual(expect.arrayContaining([
      '@odata.etag', 'id', 'createdDateTime', 'lastModifiedDateTime', 'changeKey', 'categories', 'receivedDateTime', 'sentDateTime',
      'hasAttachments', 'internetMessageId', 'subject', 'bodyPreview', 'importance', 'parentFolderId', 'conversationId', 'isRead',
      'isDraft', 'webLink', 'inferenceClassification', 'body', 'sender', 'from', 'toRecipients', 'ccRecipients', 'bccRecipients', 'replyTo',
    ]));
    expect(message).not.toHaveProperty('internetMessageHeaders');
    expect(message).toMatchObject({
      id: seed.providerId,
      subject: seed.subject,
      internetMessageId: seed.messageId,
      conversationId: seed.threadId,
      isRead: !seed.unread,
      isDraft: false,
      receivedDateTime: new Date(seed.internalDate).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      from: { emailAddress: { name: seed.from!.name, address: seed.from!.address } },
      ccRecipients: seed.cc.map((a) => ({ emailAddress: { name: a.name ?? a.address, address: a.address } })),
      body: { contentType: 'text', content: seed.body },
    });
    expect(message['@odata.etag']).toBe(`W/"${message.changeKey}"`);
  });

  it('honours $select: only the selected fields plus id and @odata.etag; headers only on request', async () => {
    const page = await (await graph('/me/mailFolders/inbox/messages?$top=3&$select=subject,internetMessageHeaders')).json();
    expect(page['@odata.context']).toMatch(/messages\(subject,internetMessageHeaders\)$/);
    expect(page.value).toHaveLength(3);
    for (const message of page.value) {
      expect(Object.keys(message).sort()).toEqual(['@odata.etag', 'id', 'internetMessageHeaders', 'subject']);
      const seed = seeded('inbox').find((m) => m.providerId === message.id)!;
      expect(message.internetMessageHeaders).toEqual(seed.headers.map(([name, value]) => ({ name, value })));
    }
    const unknown = await graph('/me/mailFolders/inbox/messages?$select=nope');
    expect(unknown.status).toBe(400);
    expectGraphError(await unknown.json(), 'RequestBroker--ParseUri', /Could not find a property named 'nope'/);
  });

  it('filters on receivedDateTime (ge/lt with and) and orders ascending on request', async () => {
    const inbox = seeded('inbox');
    const sorted = [...inbox].sort((a, b) => a.internalDate - b.internalDate);
    const from = new Date(Math.floor(sorted[5]!.internalDate / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const until = new Date(Math.floor(sorted[15]!.internalDate / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const query = `$filter=${encodeURIComponent(`receivedDateTime ge ${from} and receivedDateTime lt ${until}`)}&$orderby=${encodeURIComponent('receivedDateTime asc')}&$top=100&$select=receivedDateTime`;
    const page = await (await graph(`/me/mailFolders/inbox/messages?${query}`)).json();
    const expected = sorted.filter((m) => m.internalDate >= Date.parse(from) && m.internalDate < Date.parse(until)).map((m) => m.providerId);
    expect(page.value.map((m: { id: string }) => m.id)).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(9);
    const bad = await graph(`/me/mailFolders/inbox/messages?$filter=${encodeURIComponent('subject eq \'x\'')}`);
    expectGraphError(await bad.json(), 'BadRequest', /Invalid filter clause/);
  });

  it('counts the whole filtered list with $count=true (@odata.count on every page), not without it; 400 for another value', async () => {
    const inbox = seeded('inbox');
    const newest = Math.max(...inbox.map((m) => m.internalDate));
    const since = new Date(Math.floor(newest / 1000) * 1000 - 60 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const expected = inbox.filter((m) => m.internalDate >= Date.parse(since)).length;
    expect(expected).toBeGreaterThan(3);
    const query = `$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}&$top=2&$select=receivedDateTime`;
    const counted = await (await graph(`/me/mailFolders/inbox/messages?${query}&$count=true`)).json();
    expect(counted['@odata.count']).toBe(expected);
    expect(counted.value).toHaveLength(2);
    expect((await (await fetch(counted['@odata.nextLink'], { headers: { authorization: `Bearer ${token}` } })).json())['@odata.count']).toBe(expected);
    expect(await (await graph(`/me/mailFolders/inbox/messages?${query}`)).json()).not.toHaveProperty('@odata.count');
    expectGraphError(await (await graph(`/me/mailFolders/inbox/messages?${query}&$count=yes`)).json(), 'BadRequest', /\$count/);
  });

  it('answers with default ids, which change on a move, unless Prefer: IdType="ImmutableId"; takes either id in a URL', async () => {
    const { id } = await (await admin('/microsoft/deliver', { to: SUPPORT, from: 'ids@customer.test', subject: 'Ids', body: '.' })).json();
    const read = async (messageId: string, prefer = '') => {
      const response = await graph(`/me/messages/${messageId}?$select=subject`, { headers: { prefer } });
      return { status: response.status, applied: response.headers.get('preference-applied'), id: (await response.json()).id as string | undefined };
    };
    const plain = await read(id);
    expect(plain).toMatchObject({ status: 200, applied: null });
    expect(plain.id).toMatch(/^AAMkAD/);
    expect(plain.id).not.toBe(id);
    expect(await read(plain.id!, IMMUTABLE)).toEqual({ status: 200, applied: IMMUTABLE, id });

    // Delta without the preference names the default ids too, in its @removed items as well.
    const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const deltaOf = async (url: string, prefer: string) => (await fetch(url, { headers: { authorization: `Bearer ${token}`, prefer } })).json();
    const start = `${base}/v1.0/me/mailFolders/inbox/messages/delta?$select=subject&$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}`;
    const [plainRound, immutableRound] = [await deltaOf(start, ''), await deltaOf(start, IMMUTABLE)];
    expect(plainRound.value.map((m: { id: string }) => m.id)).toContain(plain.id);
    expect(immutableRound.value.map((m: { id: string }) => m.id)).toContain(id);

    await admin('/microsoft/move', { id, folder: 'sentitems' });
    const moved = await read(id);
    expect(moved.id).toMatch(/^AAMkAD/);
    expect(moved.id).not.toBe(plain.id);
    expect((await read(plain.id!)).status).toBe(404);
    expect((await deltaOf(plainRound['@odata.deltaLink'], '')).value).toEqual([{ '@odata.type': '#microsoft.graph.message', id: plain.id, '@removed': { reason: 'deleted' } }]);
    expect((await deltaOf(immutableRound['@odata.deltaLink'], IMMUTABLE)).value).toEqual([{ '@odata.type': '#microsoft.graph.message', id, '@removed': { reason: 'deleted' } }]);
  });

  it('answers 404 ErrorItemNotFound for an unknown message', async () => {
    const response = await graph('/me/messages/AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0Anope');
    expect(response.status).toBe(404);
    expectGraphError(await response.json(), 'ErrorItemNotFound', 'The specified object was not found in the store.');
  });
});

describe('graph delta (raw HTTP)', () => {
  async function drain(url: string, pageSize = 40) {
    const items: Record<string, unknown>[] = [];
    let next = url;
    for (;;) {
      const response = await fetch(next, { headers: { authorization: `Bearer ${token}`, prefer: `odata.maxpagesize=${pageSize}, ${IMMUTABLE}` } });
      const page = await response.json();
      if (response.status !== 200) return { status: response.status, page, items, deltaLink: '' };
      items.push(...page.value);
      if (page['@odata.deltaLink']) return { status: 200, page, items, deltaLink: page['@odata.deltaLink'] as string };
      next = page['@odata.nextLink'];
    }
  }

  it('reports moves out of the folder as @removed and 410 SyncStateNotFound after expire("delta")', async () => {
    const initial = await drain(`${base}/v1.0/me/mailFolders/junkemail/messages/delta?$select=subject`);
    expect(initial.items.map((m) => m.id).sort()).toEqual(seeded('junkemail').map((m) => m.providerId).sort());
    expect(Object.keys(initial.items[0]!).sort()).toEqual(['@odata.etag', '@odata.type', 'id', 'subject']);

    const victim = seeded('junkemail')[0]!.providerId;
    await admin('/microsoft/move', { id: victim, folder: 'deleteditems' });
    const changes = await drain(initial.deltaLink);
    expect(changes.items).toEqual([{ '@odata.type': '#microsoft.graph.message', id: victim, '@removed': { reason: 'deleted' } }]);

    await admin('/expire', { what: 'delta', user: SUPPORT });
    const gone = await drain(changes.deltaLink);
    expect(gone.status).toBe(410);
    expectGraphError(gone.page, 'SyncStateNotFound', /sync state generation is not found/);
    const unknown = await drain(`${base}/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=bogus`);
    expect(unknown.status).toBe(410);
  });

  it('bounds the first round with $filter=receivedDateTime ge', async () => {
    const sorted = [...seeded('inbox')].sort((a, b) => a.internalDate - b.internalDate);
    const since = new Date(Math.floor(sorted[sorted.length - 7]!.internalDate / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const round = await drain(`${base}/v1.0/me/mailFolders/inbox/messages/delta?$filter=${encodeURIComponent(`receivedDateTime ge ${since}`)}&$select=receivedDateTime`, 3);
    expect(round.items.map((m) => m.id).sort()).toEqual(sorted.filter((m) => m.internalDate >= Date.parse(since)).map((m) => m.providerId).sort());
  });
});

describe('graph $batch', () => {
  it('runs up to 20 requests with per-request status, headers and body, and refuses 21', async () => {
    const id = seeded('inbox')[0]!.providerId;
    const response = await graph('/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        requests: [
          { id: '1', method: 'GET', url: `/me/messages/${id}?$select=subject`, headers: { prefer: IMMUTABLE } },
          { id: '2', method: 'GET', url: '/me/messages/nope' },
          { id: '3', method: 'GET', url: 'me' },
        ],
      }),
    });
    expect(response.status).toBe(200);
    // Graph does not keep the parts' order: read them by id.
    const responses = ((await response.json()).responses as { id: string; status: number; headers: Record<string, string>; body: { error: { code: string } } }[]).sort((a, b) => a.id.localeCompare(b.id));
    expect(responses.map((r) => [r.id, r.status])).toEqual([['1', 200], ['2', 404], ['3', 200]]);
    expect(responses[0]!.body).toMatchObject({ id, subject: seeded('inbox')[0]!.subject });
    expect(responses[0]!.headers['Content-Type']).toMatch(/^application\/json/);
    expect(responses[1]!.body.error.code).toBe('ErrorItemNotFound');

    const tooMany = await graph('/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' })) }),
    });
    expect(tooMany.status).toBe(400);
    expectGraphError(await tooMany.json(), 'BadRequest', /maximum of 20/);
  });

  it('applies injected faults per request inside a batch, with Retry-After in the part, and logs parts', async () => {
    await admin('/faults', { service: 'microsoft', path: '^/v1\\.0/me$', status: 429, retryAfter: 3 });
    const { responses } = await (await graph('/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ id: 'a', method: 'GET', url: '/me' }, { id: 'b', method: 'GET', url: '/me' }] }),
    })).json();
    const byId = (id: string) => responses.find((r: { id: string }) => r.id === id);
    expect(byId('a')).toMatchObject({ status: 429, headers: { 'Retry-After': '3' }, body: { error: { code: 'TooManyRequests' } } });
    expect(byId('b').status).toBe(200);
    const log = await (await fetch(`${base}/__admin/requests?service=microsoft&path=${encodeURIComponent('^/v1\\.0/me$')}`)).json();
    expect(log.slice(-2).map((e: { batchPart: boolean; status: number }) => [e.batchPart, e.status])).toEqual([[true, 429], [true, 200]]);
  });

  it('sends no Retry-After in a part faulted with retryAfter null, and the given one otherwise', async () => {
    await admin('/faults', [
      { service: 'microsoft', path: '^/v1\\.0/me$', status: 429, retryAfter: null },
      { service: 'microsoft', path: '^/v1\\.0/me$', status: 429, retryAfter: 3 },
    ]);
    const { responses } = await (await graph('/$batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ id: 'none', method: 'GET', url: '/me' }, { id: 'three', method: 'GET', url: '/me' }] }),
    })).json();
    const byId = (id: string) => responses.find((r: { id: string }) => r.id === id);
    expect(byId('none')).toMatchObject({ status: 429, body: { error: { code: 'TooManyRequests' } } });
    expect(Object.keys(byId('none').headers).map((name) => name.toLowerCase())).not.toContain('retry-after');
    expect(byId('three')).toMatchObject({ status: 429, headers: { 'Retry-After': '3' } });
  });
});

describe('graph throttling and injected errors', () => {
  beforeEach(async () => {
    // A reset forgets the rolling windows; tokens stay valid.
    await admin('/reset', {});
    await admin('/config', { graphConcurrency: 4, graphRequestsPer10Min: 10_000 }, 'PUT');
  });
  afterAll(async () => {
    await admin('/config', { graphConcurrency: 4, graphRequestsPer10Min: 10_000 }, 'PUT');
    await admin('/microsoft/latency', { ms: 0 });
  });

  it('answers 429 TooManyRequests with Retry-After past the 10-minute budget; refused requests do not count', async () => {
    await admin('/config', { graphRequestsPer10Min: 3 }, 'PUT');
    for (let i = 0; i < 3; i++) expect((await graph('/me')).status).toBe(200);
    const throttled = await graph('/me');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(590);
    expectGraphError(await throttled.json(), 'TooManyRequests');
    // Raising the budget by one admits exactly one more: the refusal took nothing.
    await admin('/config', { graphRequestsPer10Min: 4 }, 'PUT');
    expect((await graph('/me')).status).toBe(200);
    expect((await graph('/me')).status).toBe(429);
    // Inside a batch each request meets the same budget; the batch itself is not counted.
    const batch = await graph('/$batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: '/me' }] }) });
    expect(batch.status).toBe(200);
    const [part] = (await batch.json()).responses;
    expect(part).toMatchObject({ status: 429, headers: { 'Retry-After': expect.stringMatching(/^\d+$/) }, body: { error: { code: 'TooManyRequests' } } });
  });

  it('answers 429 with Retry-After 1 beyond the concurrent-request limit', async () => {
    await admin('/config', { graphConcurrency: 2 }, 'PUT');
    await admin('/microsoft/latency', { ms: 150 });
    const statuses = await Promise.all(Array.from({ length: 4 }, () => graph('/me').then(async (r) => [r.status, r.headers.get('retry-after'), (await r.json()).error?.message])));
    expect(statuses.filter(([status]) => status === 200)).toHaveLength(2);
    expect(statuses.filter(([status]) => status === 429)).toEqual([
      [429, '1', 'Application is over its MailboxConcurrency limit.'],
      [429, '1', 'Application is over its MailboxConcurrency limit.'],
    ]);
  });

  const batchOf = (requests: { id: string; method: string; url: string; dependsOn?: string[] }[]) =>
    graph('/$batch', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests }) });
  const meParts = (count: number) => Array.from({ length: count }, (_, i) => ({ id: String(i + 1), method: 'GET', url: '/me' }));

  it("runs a batch's parts in parallel: parts over the concurrency limit get their own 429 inside the 200", async () => {
    await admin('/microsoft/latency', { ms: 50 });
    const response = await batchOf(meParts(20));
    expect(response.status).toBe(200);
    const { responses } = (await response.json()) as { responses: { id: string; status: number; headers: Record<string, string>; body: { error?: { code: string; message: string } } }[] };
    expect(responses.map((r) => r.id).sort()).toEqual(meParts(20).map((p) => p.id).sort());
    expect(responses.filter((r) => r.status === 200)).toHaveLength(4);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(16);
    for (const part of refused) {
      expect(part.headers['Retry-After']).toBe('1');
      expect(part.body.error).toMatchObject({ code: 'ApplicationThrottled', message: 'Application is over its MailboxConcurrency limit.' });
    }
    // Each part is a request of its own in the log; the batch is one more.
    const log = await (await fetch(`${base}/__admin/requests?service=microsoft`)).json();
    expect(log.filter((e: { batchPart: boolean }) => e.batchPart).map((e: { status: number }) => e.status).sort()).toEqual([...Array(4).fill(200), ...Array(16).fill(429)]);
  });

  it('runs parts chained with dependsOn one after another, and fails the rest of the chain after a failed part', async () => {
    await admin('/microsoft/latency', { ms: 5 });
    const chained = meParts(8).map((part, i) => (i === 0 ? part : { ...part, dependsOn: [String(i)] }));
    const { responses } = await (await batchOf(chained)).json();
    expect(responses.map((r: { status: number }) => r.status)).toEqual(Array(8).fill(200));

    chained[3] = { ...chained[3]!, url: '/me/messages/nope' };
    const broken = (await (await batchOf(chained)).json()).responses as { id: string; status: number }[];
    expect(broken.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.status)).toEqual([200, 200, 200, 404, 424, 424, 424, 424]);
  });

  it('counts every part against the 10-minute budget: parts past it get 429 with the wait', async () => {
    await admin('/config', { graphRequestsPer10Min: 3 }, 'PUT');
    const { responses } = await (await batchOf(meParts(4))).json();
    const statuses = (responses as { status: number; headers: Record<string, string> }[]).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 429]);
    const refused = responses.find((r: { status: number }) => r.status === 429);
    expect(Number(refused.headers['Retry-After'])).toBeGreaterThan(590);
  });

  it('renders injected faults in Graph error shape for every status', async () => {
    const expected: [number, string][] = [[400, 'BadRequest'], [401, 'InvalidAuthenticationToken'], [403, 'ErrorAccessDenied'], [404, 'ErrorItemNotFound'], [410, 'SyncStateNotFound'], [429, 'TooManyRequests'], [500, 'generalException'], [503, 'ServiceUnavailable'], [504, 'GatewayTimeout']];
    for (const [status, code] of expected) {
      await admin('/faults', { service: 'microsoft', path: '^/v1\\.0/me$', status });
      const response = await graph('/me');
      expect(response.status).toBe(status);
      expectGraphError(await response.json(), code);
      if (status === 401) expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      if (status === 429 || status === 503) expect(response.headers.get('retry-after')).toBe('1');
    }
    await admin('/faults', { service: 'microsoft', path: '^/v1\\.0/me$', status: 429, reason: 'ApplicationThrottled' });
    expectGraphError(await (await graph('/me')).json(), 'ApplicationThrottled', /over its request rate limit/);
  });
});
