import { randomBytes } from 'node:crypto';
import { Auth, Common, type gmail_v1, google } from 'googleapis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type RunningEmulators, startEmulators } from '@/emulators';

// googleapis re-exports gaxios' error class and the auth library: no undeclared imports.
const { GaxiosError } = Common;
type GaxiosError = InstanceType<typeof Common.GaxiosError>;

/**
 * Fidelity: Google's own Node client (`googleapis` 188, `google-auth-library`'s OAuth2Client)
 * against the Google emulator. The sign-in is the client library's own code + PKCE flow
 * (generateAuthUrl, getToken with a code verifier) with its endpoints pointed at the emulator;
 * the Gmail calls go through `google.gmail({ rootUrl })`. Response shapes are checked with strict
 * zod schemas written from the Gmail API reference (users.messages, users.history, users.threads,
 * users.labels, users.settings.sendAs): a missing, extra or mistyped field fails.
 */
let emulators: RunningEmulators;
let base: string;
let gmail: gmail_v1.Gmail;
let auth: InstanceType<typeof google.auth.OAuth2>;
const RILEY = 'riley@acme-sales.test';
const SAM = 'sam@acme-sales.test';
const CLIENT_ID = '123456789012-fidelity.apps.googleusercontent.com';
const REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'];

const admin = (path: string, body: unknown, method = 'POST') =>
  fetch(`${base}/__admin${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// --- Shapes, from the Gmail API reference ---------------------------------------------------
const int64 = z.string().regex(/^\d+$/);
const gmailId = z.string().regex(/^[0-9a-f]{16}$/);
const header = z.object({ name: z.string().min(1), value: z.string() }).strict();
const minimal = z
  .object({ id: gmailId, threadId: gmailId, labelIds: z.array(z.string().min(1)), snippet: z.string(), sizeEstimate: z.number().int().positive(), historyId: int64, internalDate: int64 })
  .strict();
const metadata = minimal.extend({ payload: z.object({ mimeType: z.string(), headers: z.array(header) }).strict() }).strict();
const full = minimal
  .extend({
    payload: z
      .object({ partId: z.string(), mimeType: z.literal('text/plain'), filename: z.string(), headers: z.array(header).min(1), body: z.object({ size: z.number().int(), data: z.string().regex(/^[A-Za-z0-9_-]*$/) }).strict() })
      .strict(),
  })
  .strict();
const raw = minimal.extend({ raw: z.string().regex(/^[A-Za-z0-9_-]+$/) }).strict();
const messageList = z
  .object({ messages: z.array(z.object({ id: gmailId, threadId: gmailId }).strict()).optional(), nextPageToken: z.string().min(1).optional(), resultSizeEstimate: z.number().int().nonnegative() })
  .strict();
const historyMessage = z.object({ id: gmailId, threadId: gmailId, labelIds: z.array(z.string()) }).strict();
const historyRecord = z
  .object({
    id: int64,
    messages: z.array(z.object({ id: gmailId, threadId: gmailId }).strict()).min(1),
    messagesAdded: z.array(z.object({ message: historyMessage }).strict()).optional(),
    labelsAdded: z.array(z.object({ message: historyMessage, labelIds: z.array(z.string()).min(1) }).strict()).optional(),
    labelsRemoved: z.array(z.object({ message: historyMessage, labelIds: z.array(z.string()).min(1) }).strict()).optional(),
  })
  .strict();
const historyList = z.object({ history: z.array(historyRecord).optional(), nextPageToken: int64.optional(), historyId: int64 }).strict();
const label = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.literal('system'),
    messageListVisibility: z.enum(['show', 'hide']).optional(),
    labelListVisibility: z.enum(['labelShow', 'labelHide', 'labelShowIfUnread']).optional(),
  })
  .strict();
const sendAs = z
  .object({
    sendAsEmail: z.email(),
    displayName: z.string(),
    replyToAddress: z.email().optional(),
    signature: z.string(),
    isPrimary: z.boolean().optional(),
    isDefault: z.boolean(),
    treatAsAlias: z.boolean().optional(),
    verificationStatus: z.enum(['accepted', 'pending']).optional(),
  })
  .strict();
const googleErrorBody = z
  .object({
    error: z
      .object({
        code: z.number().int(),
        message: z.string().min(1),
        errors: z.array(z.object({ message: z.string(), domain: z.string(), reason: z.string(), location: z.string().optional(), locationType: z.string().optional() }).strict()).length(1),
        status: z.string().regex(/^[A-Z_]+$/),
        details: z.array(z.unknown()).optional(),
      })
      .strict(),
  })
  .strict();

/** The OAuth2Client with Google's endpoints replaced by the emulator's. */
function oauthClient(options: { forceRefreshOnFailure?: boolean } = {}): InstanceType<typeof google.auth.OAuth2> {
  return new google.auth.OAuth2({
    ...options,
    clientId: CLIENT_ID,
    redirectUri: REDIRECT_URI,
    endpoints: { oauth2AuthBaseUrl: `${base}/o/oauth2/v2/auth`, oauth2TokenUrl: `${base}/token`, oauth2RevokeUrl: `${base}/revoke` },
  });
}

/** The client library's own code + PKCE sign-in; the redirect is read without following it. */
async function libSignIn(client: InstanceType<typeof google.auth.OAuth2>, loginHint: string): Promise<void> {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: 'offline',
    scope: SCOPES,
    state: 'fidelity',
    login_hint: loginHint,
    code_challenge: codeChallenge,
    code_challenge_method: Auth.CodeChallengeMethod.S256,
  });
  const location = (await fetch(url, { redirect: 'manual' })).headers.get('location')!;
  const code = new URL(location).searchParams.get('code')!;
  const { tokens } = await client.getToken({ code, codeVerifier });
  client.setCredentials(tokens);
}

/** googleapis retries 429 and 5xx by default; the quota tests want the first answer. */
const gmailFor = (client: InstanceType<typeof google.auth.OAuth2>, retry = true) => google.gmail({ version: 'v1', auth: client, rootUrl: `${base}/`, retry });

beforeAll(async () => {
  emulators = await startEmulators({ size: 'demo', seed: 11 });
  base = emulators.urls.google;
  auth = oauthClient();
  await libSignIn(auth, RILEY);
  gmail = gmailFor(auth);
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  await admin('/config', { gmailUnitsPerSecond: 250 }, 'PUT');
});

const seeded = (mailboxId: string) => emulators.context.world.messages.filter((m) => m.mailboxId === mailboxId);

describe('gmail fidelity with googleapis', () => {
  it('signs in through OAuth2Client (code + PKCE) and reads the profile', async () => {
    expect(auth.credentials.access_token).toMatch(/^ya29\./);
    expect(auth.credentials.refresh_token).toMatch(/^1\/\//);
    expect(auth.credentials.scope).toBe(SCOPES.join(' '));
    const { data } = await gmail.users.getProfile({ userId: 'me' });
    expect(data).toEqual({ emailAddress: RILEY, messagesTotal: seeded('riley').length, threadsTotal: new Set(seeded('riley').map((m) => m.threadId)).size, historyId: expect.stringMatching(/^\d+$/) });
  });

  it('lists messages newest first with q, pages with nextPageToken and matches the seed', async () => {
    const now = Date.now();
    const q = 'newer_than:120d -category:promotions -category:social';
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const { data } = await gmail.users.messages.list({ userId: 'me', q, maxResults: 20, pageToken });
      messageList.parse(data);
      ids.push(...(data.messages ?? []).map((m) => m.id!));
      pageToken = data.nextPageToken ?? undefined;
      pages++;
    } while (pageToken);
    const expected = seeded('riley')
      .filter((m) => m.internalDate >= now - 120 * 86_400_000 && m.box !== 'spam' && m.box !== 'trash' && m.category !== 'promotions' && m.category !== 'social')
      .sort((a, b) => b.internalDate - a.internalDate || (a.providerId < b.providerId ? 1 : -1))
      .map((m) => m.providerId);
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 20));
    const first = await gmail.users.messages.list({ userId: 'me', q, maxResults: 20 });
    expect(first.data.resultSizeEstimate).toBe(expected.length);
  });

  it('gets a message in all four formats with the documented shapes', async () => {
    const message = seeded('riley').find((m) => m.box === 'inbox' && m.unread)!;
    const id = message.providerId;
    const asMinimal = minimal.parse((await gmail.users.messages.get({ userId: 'me', id, format: 'minimal' })).data);
    expect(asMinimal.labelIds).toEqual(expect.arrayContaining(['INBOX', 'UNREAD']));
    expect(Number(asMinimal.internalDate)).toBe(message.internalDate);

    const asMetadata = metadata.parse((await gmail.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['subject', 'FROM'] })).data);
    expect(asMetadata.payload.headers.map((h) => h.name.toLowerCase()).sort()).toEqual(['from', 'subject']);

    const asFull = full.parse((await gmail.users.messages.get({ userId: 'me', id, format: 'full' })).data);
    expect(Buffer.from(asFull.payload.body.data, 'base64url').toString('utf8')).toBe(message.body);
    expect(asFull.payload.headers.map((h) => [h.name, h.value])).toEqual(message.headers);

    const asRaw = raw.parse((await gmail.users.messages.get({ userId: 'me', id, format: 'raw' })).data);
    const rfc822 = Buffer.from(asRaw.raw, 'base64url').toString('utf8');
    expect(rfc822).toContain(`\r\n\r\n${message.body.replace(/\n/g, '\r\n')}`);
    expect(asRaw.sizeEstimate).toBe(Buffer.byteLength(rfc822));
  });

  it('gets a thread with its messages in thread order', async () => {
    const threadId = [...Map.groupBy(seeded('riley'), (m) => m.threadId)].find(([, list]) => list.length >= 3)![0];
    const { data } = await gmail.users.threads.get({ userId: 'me', id: threadId, format: 'metadata', metadataHeaders: ['Subject'] });
    z.object({ id: gmailId, historyId: int64, messages: z.array(metadata).min(3) }).strict().parse(data);
    const dates = data.messages!.map((m) => Number(m.internalDate));
    expect(dates).toEqual([...dates].sort((a, b) => a - b));
    expect(data.id).toBe(threadId);
  });

  it('lists labels and sendAs addresses', async () => {
    const labels = z.object({ labels: z.array(label) }).strict().parse((await gmail.users.labels.list({ userId: 'me' })).data).labels;
    expect(labels.map((l) => l.id)).toEqual(expect.arrayContaining(['INBOX', 'SENT', 'SPAM', 'TRASH', 'UNREAD', 'CATEGORY_PERSONAL', 'CATEGORY_PROMOTIONS']));
    const { data } = await gmail.users.settings.sendAs.list({ userId: 'me' });
    const list = z.object({ sendAs: z.array(sendAs) }).strict().parse(data).sendAs;
    expect(list[0]).toEqual({ sendAsEmail: RILEY, displayName: 'Riley Rep', replyToAddress: 'sales@acme-sales.test', signature: '', isPrimary: true, isDefault: true });
    expect(list.slice(1)).toEqual([expect.objectContaining({ sendAsEmail: 'riley.sales@acme-sales.test', verificationStatus: 'accepted', isDefault: false })]);
  });

  it('answers history.list with 404 for a start id older than the retained history', async () => {
    const error = await gmail.users.history.list({ userId: 'me', startHistoryId: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GaxiosError);
    const gaxios = error as GaxiosError;
    expect(gaxios.status).toBe(404);
    expect(googleErrorBody.parse(gaxios.response!.data).error).toMatchObject({ code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND', errors: [{ reason: 'notFound' }] });
  });

  it('sends with messages.send; the copy reaches the recipient INBOX and both histories', async () => {
    const riley = (await gmail.users.getProfile({ userId: 'me' })).data.historyId!;
    const sam = oauthClient();
    await libSignIn(sam, SAM);
    const samGmail = gmailFor(sam);
    const samStart = (await samGmail.users.getProfile({ userId: 'me' })).data.historyId!;

    const mime = [`From: Riley Rep <${RILEY}>`, `To: Sam <${SAM}>`, 'Subject: =?UTF-8?B?R3LDvMOfZSBhdXMgZGVtIFRlc3Q=?=', 'Content-Type: text/plain; charset=UTF-8', '', 'Hallo Sam, über den Client gesendet.'].join('\r\n');
    const { data: sent } = await gmail.users.messages.send({ userId: 'me', requestBody: { raw: Buffer.from(mime).toString('base64url') } });
    z.object({ id: gmailId, threadId: gmailId, labelIds: z.array(z.string()) }).strict().parse(sent);
    expect(sent.labelIds).toEqual(['SENT']);

    const rileyHistory = historyList.parse((await gmail.users.history.list({ userId: 'me', startHistoryId: riley })).data);
    expect(rileyHistory.history?.flatMap((h) => h.messagesAdded ?? []).map((a) => a.message.id)).toEqual([sent.id]);

    const samHistory = historyList.parse((await samGmail.users.history.list({ userId: 'me', startHistoryId: samStart, historyTypes: ['messageAdded'] })).data);
    const added = samHistory.history!.flatMap((h) => h.messagesAdded ?? []).map((a) => a.message);
    expect(added).toHaveLength(1);
    expect(added[0]!.labelIds).toEqual(expect.arrayContaining(['INBOX', 'UNREAD']));
    const inbox = (await samGmail.users.messages.list({ userId: 'me', labelIds: ['INBOX'], maxResults: 1 })).data.messages![0]!;
    expect(inbox.id).toBe(added[0]!.id);
    const copy = full.parse((await samGmail.users.messages.get({ userId: 'me', id: inbox.id! })).data);
    const subject = copy.payload.headers.find((h) => h.name === 'Subject')!.value;
    expect(subject).toBe('=?UTF-8?B?R3LDvMOfZSBhdXMgZGVtIFRlc3Q=?=');
    expect(copy.payload.headers[0]).toEqual({ name: 'Delivered-To', value: SAM });
    expect(Buffer.from(copy.payload.body.data, 'base64url').toString()).toContain('über den Client');

    const log = await (await fetch(`${base}/__admin/requests?service=google&path=messages/send`)).json();
    expect(log.at(-1)).toMatchObject({ status: 200, cost: 100, user: RILEY });
  });

  it('runs a multipart batch: one answer per part, each part logged with its cost', async () => {
    const ids = seeded('riley').slice(0, 3).map((m) => m.providerId);
    const boundary = `batch_${randomBytes(6).toString('hex')}`;
    const parts = [...ids.map((id) => `GET /gmail/v1/users/me/messages/${id}?format=minimal HTTP/1.1`), 'GET /gmail/v1/users/me/messages/0000000000000000 HTTP/1.1'];
    const body = `${parts.map((line, i) => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${i + 1}>\r\n\r\n${line}\r\n\r\n`).join('')}--${boundary}--\r\n`;
    const since = (await (await fetch(`${base}/__admin/requests?service=google`)).json()).at(-1)?.seq ?? 0;
    const response = await fetch(`${base}/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auth.credentials.access_token}`, 'content-type': `multipart/mixed; boundary=${boundary}` },
      body,
    });
    expect(response.status).toBe(200);
    const answers = parseBatchResponse(response.headers.get('content-type')!, await response.text());
    expect(answers.map((a) => [a.contentId, a.status])).toEqual([
      ['response-item1', 200],
      ['response-item2', 200],
      ['response-item3', 200],
      ['response-item4', 404],
    ]);
    expect(answers.slice(0, 3).map((a) => minimal.parse(a.json).id)).toEqual(ids);
    expect(googleErrorBody.parse(answers[3]!.json).error.errors[0]!.reason).toBe('notFound');
    const log = await (await fetch(`${base}/__admin/requests?service=google&since=${since}`)).json();
    expect(log.map((e: { batchPart: boolean; cost: number; path: string }) => [e.batchPart, e.cost, e.path.startsWith('/batch')])).toEqual([
      [true, 5, false],
      [true, 5, false],
      [true, 5, false],
      [true, 5, false],
      [false, 0, true],
    ]);
  });

  describe('quota errors', () => {
    it('throws a GaxiosError 429 rateLimitExceeded in Google shape once the per-user quota is spent', async () => {
      await admin('/config', { gmailUnitsPerSecond: 5 }, 'PUT');
      // The quota is a one-second window: the earlier tests' calls leave it first.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const strict = gmailFor(auth, false);
      await strict.users.messages.list({ userId: 'me', maxResults: 1 });
      const error = (await strict.users.messages.list({ userId: 'me', maxResults: 1 }).catch((e: unknown) => e)) as GaxiosError;
      expect(error).toBeInstanceOf(GaxiosError);
      expect(error.status).toBe(429);
      expect(error.code).toBe(429);
      // gaxios 8 puts Google's `errors` on the error's cause (its AIP-193 extraction).
      expect((error.cause as { errors: { reason: string }[] }).errors[0]!.reason).toBe('rateLimitExceeded');
      const body = googleErrorBody.parse(error.response!.data).error;
      expect(body).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', errors: [{ reason: 'rateLimitExceeded', domain: 'usageLimits' }] });
      expect(error.message).toMatch(/^Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'/);
    });

    it('renders an injected 403 userRateLimitExceeded exactly like Google', async () => {
      await admin('/faults', { service: 'google', method: 'GET', path: '/gmail/v1/users/me/labels$', status: 403, reason: 'userRateLimitExceeded' });
      const error = (await gmailFor(auth, false).users.labels.list({ userId: 'me' }).catch((e: unknown) => e)) as GaxiosError;
      expect(error).toBeInstanceOf(GaxiosError);
      expect(error.status).toBe(403);
      expect(googleErrorBody.parse(error.response!.data)).toEqual({
        error: { code: 403, message: 'User Rate Limit Exceeded', errors: [{ message: 'User Rate Limit Exceeded', domain: 'usageLimits', reason: 'userRateLimitExceeded' }], status: 'PERMISSION_DENIED' },
      });
    });

    it('lets the default retrying client through a transient 503 (backendError)', async () => {
      await admin('/faults', { service: 'google', method: 'GET', path: '/gmail/v1/users/me/profile$', status: 503 });
      const { data } = await gmail.users.getProfile({ userId: 'me' });
      expect(data.emailAddress).toBe(RILEY);
      // The fault was served and the client went through it.
      const log = (await (await fetch(`${base}/__admin/requests?service=google&path=profile$`)).json()) as { status: number }[];
      expect(log.map((entry) => entry.status).slice(-2)).toEqual([503, 200]);
    });
  });

  it('refreshes through the token endpoint after a 401 when the client is told to (forceRefreshOnFailure)', async () => {
    // Its token carries an expiry date, so OAuth2Client only retries a 401 with this flag set.
    const client = oauthClient({ forceRefreshOnFailure: true });
    await libSignIn(client, RILEY);
    const before = client.credentials.access_token;
    await admin('/expire', { what: 'access_tokens' });
    const { data } = await gmailFor(client).users.getProfile({ userId: 'me' });
    expect(data.emailAddress).toBe(RILEY);
    expect(client.credentials.access_token).toMatch(/^ya29\./);
    expect(client.credentials.access_token).not.toBe(before);
    // Google's refresh tokens do not rotate: the client keeps the one it had.
    expect(client.credentials.refresh_token).toMatch(/^1\/\//);
  });
});

/** A multipart/mixed batch answer, parsed independently of the emulator's own code. */
function parseBatchResponse(contentType: string, text: string): { contentId: string; status: number; json: unknown }[] {
  const boundary = contentType.match(/boundary=([^;]+)/)![1]!;
  return text
    .split(`--${boundary}`)
    .slice(1)
    .filter((chunk) => !chunk.startsWith('--'))
    .map((chunk) => {
      const [outerHead, ...rest] = chunk.trim().split('\r\n\r\n');
      const [httpHead, ...body] = rest;
      return {
        contentId: outerHead!.match(/Content-ID: <([^>]+)>/)![1]!,
        status: Number(httpHead!.match(/^HTTP\/1\.1 (\d{3})/)![1]),
        json: JSON.parse(body.join('\r\n\r\n')) as unknown,
      };
    });
}

