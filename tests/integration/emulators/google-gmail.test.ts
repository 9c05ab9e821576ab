import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningEmulators, startEmulators } from '@/emulators';
import { googleSignIn } from '@/emulators/google/sign-in';
import type { SeedMessage } from '@/emulators/seed/types';

/**
 * The Gmail API emulator over plain HTTP, against the seeded world: list filters (labelIds, q,
 * spam and trash), threads, history with new mail and label changes, history expiry, uploads,
 * batch limits, the metadata scope and the error shapes of injected faults.
 */
let emulators: RunningEmulators;
let base: string;
let bearer: string;
const RILEY = 'riley@acme-sales.test';
const DAY = 86_400_000;

const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
async function api(path: string, init: RequestInit & { token?: string } = {}) {
  const response = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${init.token ?? bearer}`, ...init.headers } });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}
const list = (query: string) => api(`/gmail/v1/users/me/messages?${query}`);
const riley = () => emulators.context.world.messages.filter((m) => m.mailboxId === 'riley');
const newestFirst = (a: SeedMessage, b: SeedMessage) => b.internalDate - a.internalDate || (a.providerId < b.providerId ? 1 : -1);
const ids = (messages: SeedMessage[]) => [...messages].sort(newestFirst).map((m) => m.providerId);

/** Every id of a listing, page by page. */
async function listAll(query: string, path = 'messages'): Promise<string[]> {
  const out: string[] = [];
  let token = '';
  do {
    const { status, body } = await api(`/gmail/v1/users/me/${path}?${query}&maxResults=50${token ? `&pageToken=${token}` : ''}`);
    expect(status).toBe(200);
    out.push(...(body[path] ?? []).map((m: { id: string }) => m.id));
    token = body.nextPageToken ?? '';
  } while (token);
  return out;
}

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 5 });
  base = emulators.urls.google;
  bearer = String((await googleSignIn(base, { login_hint: RILEY })).tokens!.access_token);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  // The quota is real (250 units/s by default) and these tests are faster than that; the quota
  // has its own tests in google-fidelity.test.ts.
  await admin('/config', { gmailUnitsPerSecond: 1_000_000 }, 'PUT');
});

describe('user labels and OR groups', () => {
  it('lists a user label made through the admin API in labels.list, and finds its messages by id, by name (any case, hyphens for spaces) and in a {…} OR group', async () => {
    const made = await (await admin('/google/labels/create', { mailbox: RILEY, name: 'Key Accounts' })).json();
    expect(made.id).toMatch(/^Label_\d+$/);
    expect((await admin('/google/labels/create', { mailbox: RILEY, name: 'key accounts' })).status).toBe(409);
    const { body } = await api('/gmail/v1/users/me/labels');
    expect(body.labels).toContainEqual({ id: made.id, name: 'Key Accounts', messageListVisibility: 'show', labelListVisibility: 'labelShow', type: 'user' });

    const inbox = riley().filter((m) => m.box === 'inbox');
    const labelled = [inbox[0]!, riley().find((m) => m.box === 'sent')!];
    for (const m of labelled) expect((await admin('/google/labels', { id: m.providerId, add: [made.id] })).status).toBe(200);
    const starred = inbox[1]!;
    await admin('/google/labels', { id: starred.providerId, add: ['STARRED'] });

    expect(await listAll(`labelIds=${made.id}`)).toEqual(ids(labelled));
    expect(await listAll(`q=${encodeURIComponent('label:key-accounts')}`)).toEqual(ids(labelled));
    expect(await listAll(`q=${encodeURIComponent('label:"KEY ACCOUNTS"')}`)).toEqual(ids(labelled));
    expect(await listAll(`q=${encodeURIComponent('{label:"Key Accounts" is:starred}')}`)).toEqual(ids([...labelled, starred]));
    expect(await listAll(`q=${encodeURIComponent('-{label:"Key Accounts" is:starred} in:inbox')}`)).toEqual(ids(inbox.filter((m) => m !== inbox[0] && m !== starred)));
    // A label another mailbox has, or no mailbox, matches nothing.
    expect(await listAll(`q=${encodeURIComponent('{label:nowhere}')}`)).toEqual([]);
    expect((await admin('/google/labels', { id: inbox[2]!.providerId, add: ['Label_16'] })).status).toBe(400);
  });
});

describe('messages.list', () => {
  it('leaves out spam and trash by default and includes them with includeSpamTrash', async () => {
    expect(await listAll('')).toEqual(ids(riley().filter((m) => m.box !== 'spam' && m.box !== 'trash')));
    expect(await listAll('includeSpamTrash=true')).toEqual(ids(riley()));
    // Asking for SPAM by label includes it without the flag.
    expect(await listAll('labelIds=SPAM')).toEqual(ids(riley().filter((m) => m.box === 'spam')));
  });

  it('filters by repeated labelIds, category, in:, is:, after: and before:', async () => {
    expect(await listAll('labelIds=INBOX&labelIds=UNREAD')).toEqual(ids(riley().filter((m) => m.box === 'inbox' && m.unread)));
    expect(await listAll(`q=${encodeURIComponent('category:promotions')}`)).toEqual(ids(riley().filter((m) => m.category === 'promotions')));
    expect(await listAll(`q=${encodeURIComponent('in:sent')}`)).toEqual(ids(riley().filter((m) => m.box === 'sent')));
    const from = Math.floor((Date.now() - 60 * DAY) / 1000);
    const to = Math.floor((Date.now() - 10 * DAY) / 1000);
    expect(await listAll(`q=${encodeURIComponent(`after:${from} before:${to} -in:chats`)}`)).toEqual(
      ids(riley().filter((m) => m.internalDate >= from * 1000 && m.internalDate < to * 1000 && m.box !== 'chat' && m.box !== 'spam' && m.box !== 'trash')),
    );
  });

  it('caps maxResults at 500, estimates the size, and refuses bad parameters with 400', async () => {
    const { body } = await list('maxResults=900&includeSpamTrash=true');
    expect(body.messages).toHaveLength(Math.min(500, riley().length));
    expect(body.resultSizeEstimate).toBe(riley().length);
    expect((await list('maxResults=abc')).body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT', errors: [{ reason: 'invalidArgument' }] });
    expect((await list('pageToken=bogus')).status).toBe(400);
    expect(await list(`q=${encodeURIComponent('label:NO_SUCH_LABEL')}`)).toMatchObject({ status: 200, body: { resultSizeEstimate: 0 } });
    expect((await list(`q=${encodeURIComponent('label:NO_SUCH_LABEL')}`)).body).not.toHaveProperty('messages');
  });
});

describe('threads', () => {
  it('lists each thread once, at its newest message, and gets a thread in full', async () => {
    const threadIds = await listAll('includeSpamTrash=true', 'threads');
    const latest = new Map<string, number>();
    for (const m of riley()) latest.set(m.threadId, Math.max(latest.get(m.threadId) ?? 0, m.internalDate));
    expect(threadIds).toEqual([...latest].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).map(([id]) => id));
    const { body } = await api(`/gmail/v1/users/me/threads/${threadIds[0]}`);
    expect(body.messages.map((m: { payload: { body: { data: string } } }) => m.payload.body.data.length > 0)).not.toContain(false);
    expect((await api('/gmail/v1/users/me/threads/0000000000000000')).status).toBe(404);
    expect((await api(`/gmail/v1/users/me/threads/${threadIds[0]}?format=raw`)).status).toBe(400);
  });
});

describe('history', () => {
  it('records admin deliveries and label changes; filters by historyTypes and labelId; pages', async () => {
    const start = (await api('/gmail/v1/users/me/profile')).body.historyId as string;
    const delivered = await (await admin('/google/deliver', { from: { name: 'Zoë Ärger', address: 'zoe@orchid-energy.test' }, to: RILEY, subject: 'New ticket', body: 'Hello Riley' })).json();
    await admin('/google/labels', { id: delivered.id, add: ['STARRED'], remove: ['UNREAD'] });

    const all = (await api(`/gmail/v1/users/me/history?startHistoryId=${start}`)).body;
    expect(all.history.map((h: Record<string, unknown>) => Object.keys(h).filter((k) => k !== 'id' && k !== 'messages'))).toEqual([['messagesAdded'], ['labelsAdded'], ['labelsRemoved']]);
    expect(all.history[1].labelsAdded[0]).toEqual({ message: { id: delivered.id, threadId: delivered.id, labelIds: ['STARRED', 'CATEGORY_PERSONAL', 'INBOX'] }, labelIds: ['STARRED'] });
    expect(all.history[2].labelsRemoved[0].labelIds).toEqual(['UNREAD']);
    expect(all.historyId).toBe(all.history[2].id);

    const onlyLabels = (await api(`/gmail/v1/users/me/history?startHistoryId=${start}&historyTypes=labelAdded&historyTypes=labelRemoved`)).body;
    expect(onlyLabels.history).toHaveLength(2);
    expect((await api(`/gmail/v1/users/me/history?startHistoryId=${start}&labelId=SENT`)).body).toEqual({ historyId: all.historyId });

    const first = (await api(`/gmail/v1/users/me/history?startHistoryId=${start}&maxResults=2`)).body;
    expect(first.history).toHaveLength(2);
    const second = (await api(`/gmail/v1/users/me/history?startHistoryId=${start}&maxResults=2&pageToken=${first.nextPageToken}`)).body;
    expect(second.history.map((h: { id: string }) => h.id)).toEqual([all.history[2].id]);
    expect(second).not.toHaveProperty('nextPageToken');

    const message = (await api(`/gmail/v1/users/me/messages/${delivered.id}?format=metadata&metadataHeaders=From`)).body;
    expect(message.historyId).toBe(all.historyId);
    expect(message.payload.headers).toEqual([{ name: 'From', value: `=?UTF-8?B?${Buffer.from('Zoë Ärger').toString('base64')}?= <zoe@orchid-energy.test>` }]);
  });

  it('files a delivered reply in the recipient thread that holds the message it answers (In-Reply-To)', async () => {
    const first = riley().find((m) => m.messageId !== null && m.box === 'inbox')!;
    const reply = await (await admin('/google/deliver', { from: 'dana@customer.test', to: RILEY, subject: `Re: ${first.subject}`, body: 'Thanks', inReplyTo: first.messageId })).json();
    const message = (await api(`/gmail/v1/users/me/messages/${reply.id}?format=metadata&metadataHeaders=In-Reply-To`)).body;
    expect(message.threadId).toBe(first.threadId);
    expect(message.payload.headers).toEqual([{ name: 'In-Reply-To', value: first.messageId }]);
    const unrelated = await (await admin('/google/deliver', { from: 'dana@customer.test', to: RILEY, subject: 'Fresh', body: '.', inReplyTo: '<nobody@nowhere.test>' })).json();
    expect((await api(`/gmail/v1/users/me/messages/${unrelated.id}?format=minimal`)).body.threadId).toBe(unrelated.id);
  });

  it('records trash and archive as label changes and a deletion as messagesDeleted, as users.history.list documents', async () => {
    const start = (await api('/gmail/v1/users/me/profile')).body.historyId as string;
    const deliver = async (subject: string) =>
      (await (await admin('/google/deliver', { from: 'dana@customer.test', to: RILEY, subject, body: 'Hello' })).json()).id as string;
    const [trashed, archived, deleted] = [await deliver('Trash'), await deliver('Archive'), await deliver('Delete')];
    await admin('/google/labels', { id: trashed, add: ['TRASH'], remove: ['INBOX'] });
    await admin('/google/labels', { id: archived, remove: ['INBOX'] });
    const gone = await (await admin('/google/delete', { id: deleted })).json();

    const all = (await api(`/gmail/v1/users/me/history?startHistoryId=${start}`)).body;
    const kinds = all.history.map((h: Record<string, unknown>) => Object.keys(h).filter((k) => k !== 'id' && k !== 'messages'));
    expect(kinds).toEqual([['messagesAdded'], ['messagesAdded'], ['messagesAdded'], ['labelsAdded'], ['labelsRemoved'], ['labelsRemoved'], ['messagesDeleted']]);
    expect(all.history[3].labelsAdded[0]).toEqual({ message: { id: trashed, threadId: trashed, labelIds: ['UNREAD', 'CATEGORY_PERSONAL', 'TRASH'] }, labelIds: ['TRASH'] });
    expect(all.history[5].labelsRemoved[0]).toEqual({ message: { id: archived, threadId: archived, labelIds: ['UNREAD', 'CATEGORY_PERSONAL'] }, labelIds: ['INBOX'] });
    expect(all.history[6]).toEqual({ id: gone.historyId, messages: [{ id: deleted, threadId: deleted }], messagesDeleted: [{ message: { id: deleted, threadId: deleted } }] });
    expect(all.historyId).toBe(gone.historyId);

    const onlyDeleted = (await api(`/gmail/v1/users/me/history?startHistoryId=${start}&historyTypes=messageDeleted`)).body;
    expect(onlyDeleted.history.map((h: { id: string }) => h.id)).toEqual([gone.historyId]);
    // Deleted for good: no get, no thread, in no list, even with spam and trash.
    expect((await api(`/gmail/v1/users/me/messages/${deleted}`)).status).toBe(404);
    expect((await api(`/gmail/v1/users/me/threads/${deleted}`)).status).toBe(404);
    expect(await listAll('includeSpamTrash=true&q=after:' + Math.floor((Date.now() - DAY) / 1000))).not.toContain(deleted);
    expect((await admin('/google/delete', { id: deleted })).status).toBe(404);
  });

  it('answers 404 for every older start id after expire history, and requires startHistoryId', async () => {
    const current = (await api('/gmail/v1/users/me/profile')).body.historyId as string;
    await admin('/expire', { what: 'history', user: RILEY });
    const old = await api(`/gmail/v1/users/me/history?startHistoryId=${Number(current) - 1}`);
    expect(old.status).toBe(404);
    expect(old.body.error.errors[0].reason).toBe('notFound');
    expect((await api(`/gmail/v1/users/me/history?startHistoryId=${current}`)).body).toEqual({ historyId: current });
    expect((await api('/gmail/v1/users/me/history')).status).toBe(400);
  });
});

describe('send', () => {
  it('sends through the media upload path; a reply joins the thread of the message it answers', async () => {
    const sam = String((await googleSignIn(base, { login_hint: 'sam@acme-sales.test' })).tokens!.access_token);
    const mime = `From: ${RILEY}\r\nTo: sam@acme-sales.test\r\nSubject: Upload\r\nMessage-ID: <upload-1@acme-sales.test>\r\n\r\nBody via upload\r\n`;
    const sent = await api('/upload/gmail/v1/users/me/messages/send?uploadType=media', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: mime });
    expect(sent.status).toBe(200);
    expect(sent.body.labelIds).toEqual(['SENT']);
    const inbox = (await api('/gmail/v1/users/me/messages?labelIds=INBOX&maxResults=1', { token: sam })).body.messages[0];
    const copy = (await api(`/gmail/v1/users/me/messages/${inbox.id}?format=raw`, { token: sam })).body;
    expect(Buffer.from(copy.raw, 'base64url').toString()).toContain('Body via upload');

    const reply = `From: sam@acme-sales.test\r\nTo: ${RILEY}\r\nSubject: Re: Upload\r\nIn-Reply-To: <upload-1@acme-sales.test>\r\n\r\nThanks\r\n`;
    const answered = await api('/gmail/v1/users/me/messages/send', { token: sam, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ raw: Buffer.from(reply).toString('base64url'), threadId: inbox.threadId }) });
    expect(answered.body.threadId).toBe(inbox.threadId);
    const rileyInbox = (await api('/gmail/v1/users/me/messages?labelIds=INBOX&maxResults=1')).body.messages[0];
    expect(rileyInbox.threadId).toBe(sent.body.threadId);

    const noRecipient = await api('/gmail/v1/users/me/messages/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ raw: Buffer.from('Subject: x\r\n\r\nhi').toString('base64url') }) });
    expect(noRecipient.status).toBe(400);
    expect((await api('/gmail/v1/users/me/messages/send', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).body.error.message).toMatch(/^'raw' RFC822 payload/);
  });
});

describe('metadata scope', () => {
  it('allows format=metadata but refuses full, raw and q', async () => {
    const token = String((await googleSignIn(base, { scope: 'https://www.googleapis.com/auth/gmail.metadata' })).tokens!.access_token);
    const id = riley()[0]!.providerId;
    expect((await api(`/gmail/v1/users/me/messages/${id}?format=metadata`, { token })).status).toBe(200);
    expect((await api(`/gmail/v1/users/me/messages/${id}?format=full`, { token })).body.error.message).toBe("Metadata scope doesn't allow format FULL");
    expect((await api(`/gmail/v1/users/me/messages?q=in:inbox`, { token })).status).toBe(403);
  });
});

describe('batch limits and injected faults', () => {
  it('refuses more than 100 parts with 400', async () => {
    const part = 'Content-Type: application/http\r\n\r\nGET /gmail/v1/users/me/labels\r\n\r\n';
    const body = `${'--b\r\n'.concat(part).repeat(101)}--b--\r\n`;
    const response = await fetch(`${base}/batch/gmail/v1`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'multipart/mixed; boundary=b' }, body });
    expect(response.status).toBe(400);
    expect((await response.json()).error.errors[0].reason).toBe('badRequest');
  });

  it('applies an injected fault to one batch part only, in Google shape', async () => {
    const [a, b] = riley().map((m) => m.providerId);
    await admin('/faults', { service: 'google', path: `/messages/${b}$`, status: 503 });
    const part = (id: string) => `--b\r\nContent-Type: application/http\r\n\r\nGET /gmail/v1/users/me/messages/${id}?format=minimal HTTP/1.1\r\n\r\n`;
    const response = await fetch(`${base}/batch`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'multipart/mixed; boundary=b' }, body: `${part(a!)}${part(b!)}--b--` });
    const text = await response.text();
    expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 503']);
    expect(text).toContain('"status":"UNAVAILABLE"');
    expect(text).toContain('Content-ID: <response-2>');
  });

  it('renders injected faults per status and reason', async () => {
    const cases: [number, string | undefined, string, string][] = [
      [400, 'failedPrecondition', 'FAILED_PRECONDITION', 'failedPrecondition'],
      [401, undefined, 'UNAUTHENTICATED', 'authError'],
      [403, 'dailyLimitExceeded', 'PERMISSION_DENIED', 'dailyLimitExceeded'],
      [429, undefined, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded'],
      [500, undefined, 'INTERNAL', 'backendError'],
    ];
    for (const [status, reason, canonical, expectedReason] of cases) {
      await admin('/faults', { service: 'google', path: '/labels$', status, ...(reason ? { reason } : {}) });
      const response = await api('/gmail/v1/users/me/labels');
      expect([response.status, response.body.error.status, response.body.error.errors[0].reason]).toEqual([status, canonical, expectedReason]);
      if (status === 401) expect(response.headers.get('www-authenticate')).toContain('invalid_token');
    }
  });

  it('charges quota per call and logs user and cost', async () => {
    await fetch(`${base}/__admin/requests`, { method: 'DELETE' });
    await api('/gmail/v1/users/me/messages?maxResults=1');
    await api('/gmail/v1/users/me/history?startHistoryId=1');
    await api('/gmail/v1/users/me/labels');
    const log = await (await fetch(`${base}/__admin/requests?service=google`)).json();
    expect(log.map((e: { cost: number; user: string }) => [e.cost, e.user])).toEqual([
      [5, RILEY],
      [2, RILEY],
      [1, RILEY],
    ]);
  });
});

describe('per-user quota', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** One batch of 49 messages.get and 5 getProfile: 250 units; the status of each part. */
  async function quarterThousand(): Promise<number[]> {
    const get = (id: string) => `--b\r\nContent-Type: application/http\r\n\r\nGET /gmail/v1/users/me/messages/${id}?format=minimal HTTP/1.1\r\n\r\n`;
    const profile = '--b\r\nContent-Type: application/http\r\n\r\nGET /gmail/v1/users/me/profile HTTP/1.1\r\n\r\n';
    const body = `${riley().slice(0, 49).map((m) => get(m.providerId)).join('')}${profile.repeat(5)}--b--`;
    const response = await fetch(`${base}/batch/gmail/v1`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'multipart/mixed; boundary=b' }, body });
    return [...(await response.text()).matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
  }

  it('admits 250 units within one second, refuses the next unit, and charges nothing for a refused call', async () => {
    await admin('/config', { gmailUnitsPerSecond: 250 }, 'PUT');
    // The earlier tests' calls leave riley's one-second window first.
    await sleep(1000);
    await fetch(`${base}/__admin/requests`, { method: 'DELETE' });
    const started = performance.now();
    expect(await quarterThousand()).toEqual(Array(54).fill(200));
    const refused = await api('/gmail/v1/users/me/profile');
    expect([refused.status, refused.body.error.status, refused.body.error.errors[0].reason]).toEqual([429, 'RESOURCE_EXHAUSTED', 'rateLimitExceeded']);
    await sleep(400);
    expect((await api('/gmail/v1/users/me/profile')).status).toBe(429);
    // A second after the batch its units have left the window. Had the two refused calls been
    // charged, the later one would still hold a unit of it and the batch's last part would fail.
    await sleep(1100 - (performance.now() - started));
    expect(await quarterThousand()).toEqual(Array(54).fill(200));
    const log = await (await fetch(`${base}/__admin/requests?service=google`)).json();
    expect(log.filter((e: { status: number }) => e.status === 429).map((e: { cost: number }) => e.cost)).toEqual([0, 0]);
    expect(log.filter((e: { batchPart: boolean }) => e.batchPart).reduce((sum: number, e: { cost: number }) => sum + e.cost, 0)).toBe(500);
  });
});
