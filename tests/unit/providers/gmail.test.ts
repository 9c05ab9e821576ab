import type { gmail_v1 } from 'googleapis';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '@/emulators/google/operations';
import { ProviderError } from '@/lib/domain';
import { batchRequest, parseBatchResponse } from '@/lib/providers/gmail/multipart';
import { planBatches } from '@/lib/providers/gmail/batch';
import { composePlainEmail, encodeWords, formatMailbox } from '@/lib/providers/gmail/compose';
import { classifyGmailError } from '@/lib/providers/gmail/errors';
import { msUntilPacificMidnight } from '@/lib/providers/gmail/quota';
import { formatQuery, planFetch } from '@/lib/providers/gmail/fetch';
import { messageSchema, sendAsListSchema } from '@/lib/providers/gmail/gmail-json';
import { foldHistory, readCursor } from '@/lib/providers/gmail/history';
import { identityFromSendAs } from '@/lib/providers/gmail/identity';
import { scopeQuery } from '@/lib/providers/gmail/labels';
import { categoryOf, folderOf, normaliseGmailMessage, unescapeSnippet } from '@/lib/providers/gmail/message';
import { GMAIL_COSTS } from '@/lib/providers/gmail/quota';
import { WANTED_HEADERS } from '@/lib/providers/normalise';

/**
 * Unit tests of the Gmail provider's pure parts, on JSON shaped like Google's documented
 * resources: the Gmail API reference (`users.messages` Message and MessagePart, `users.history`,
 * `users.settings.sendAs` SendAs), the "Resolve errors" guide (error JSON), and the "Batching
 * requests" guide (multipart/mixed batch answers). Values are made up; field names and shapes
 * are Google's.
 */

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const IDENTITY = { address: 'riley@acme-sales.test', aliases: ['riley.sales@acme-sales.test'] };

/** "Resolve errors": Google's error JSON, `errors[]` with a reason, `status`, optional ErrorInfo. */
function googleError(code: number, reason: string, status: string, details?: unknown[]) {
  return { error: { code, message: reason, errors: [{ message: reason, domain: code === 403 || code === 429 ? 'usageLimits' : 'global', reason }], status, ...(details ? { details } : {}) } };
}

describe('classifyGmailError (R12)', () => {
  const none = new Headers();
  it.each([
    [401, googleError(401, 'authError', 'UNAUTHENTICATED'), 'auth_expired'],
    [403, googleError(403, 'insufficientPermissions', 'PERMISSION_DENIED'), 'insufficient_permissions'],
    [403, { error: { code: 403, message: 'Request had insufficient authentication scopes.', status: 'PERMISSION_DENIED', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' }] } }, 'insufficient_permissions'],
    [403, googleError(403, 'userRateLimitExceeded', 'PERMISSION_DENIED'), 'rate_limited'],
    [403, googleError(403, 'rateLimitExceeded', 'PERMISSION_DENIED'), 'rate_limited'],
    [429, googleError(429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED'), 'rate_limited'],
    [403, googleError(403, 'dailyLimitExceeded', 'PERMISSION_DENIED'), 'quota_exhausted'],
    [403, googleError(403, 'quotaExceeded', 'PERMISSION_DENIED'), 'quota_exhausted'],
    [404, googleError(404, 'notFound', 'NOT_FOUND'), 'not_found'],
    [500, googleError(500, 'backendError', 'INTERNAL'), 'server'],
    [503, googleError(503, 'backendError', 'UNAVAILABLE'), 'server'],
    [400, googleError(400, 'invalidArgument', 'INVALID_ARGUMENT'), 'bad_response'],
    // A proxy's HTML page instead of Google's JSON.
    [502, '<html>Bad Gateway</html>', 'server'],
  ])('%i %j is %s', (status, body, code) => {
    expect(classifyGmailError(status, body, none).code).toBe(code);
  });

  it('carries Retry-After (seconds or an HTTP date) on rate limits and 5xx; auth retries at once', () => {
    expect(classifyGmailError(429, googleError(429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED'), new Headers({ 'Retry-After': '7' })).data.retryAfterMs).toBe(7000);
    expect(classifyGmailError(429, {}, new Headers()).data.retryAfterMs).toBeNull();
    const date = new Date(Date.now() + 60_000).toUTCString();
    expect(classifyGmailError(503, {}, new Headers({ 'Retry-After': date })).data.retryAfterMs).toBeGreaterThan(55_000);
    expect(classifyGmailError(401, {}, new Headers()).data.retryAfterMs).toBe(0);
  });

  it('rate limits and server errors retry; permissions and the daily quota do not', () => {
    expect(classifyGmailError(403, googleError(403, 'userRateLimitExceeded', 'PERMISSION_DENIED'), new Headers()).retryable).toBe(true);
    expect(classifyGmailError(403, googleError(403, 'insufficientPermissions', 'PERMISSION_DENIED'), new Headers()).retryable).toBe(false);
    expect(classifyGmailError(403, googleError(403, 'dailyLimitExceeded', 'PERMISSION_DENIED'), new Headers()).retryable).toBe(false);
  });

  it("quotes a reason only when it is a short token: the server's own sentences are not shown", () => {
    expect(classifyGmailError(400, googleError(400, 'invalidArgument', 'INVALID_ARGUMENT'), new Headers()).message).toMatch(/Gmail answered 400 invalidargument\.$/);
    const hostile = classifyGmailError(400, googleError(400, 'Your account is locked: sign in at https://evil.test', 'INVALID_ARGUMENT'), new Headers());
    expect(hostile.message).toMatch(/Gmail answered 400\.$/);
    expect(hostile.message).not.toMatch(/evil|locked/);
  });
});

describe('identity from users.settings.sendAs (R7)', () => {
  /** Shaped like the SendAs resource: the primary has isPrimary; aliases carry verificationStatus. */
  const list: gmail_v1.Schema$ListSendAsResponse = {
    sendAs: [
      { sendAsEmail: 'riley@acme-sales.test', displayName: 'Riley Rep', replyToAddress: 'sales@acme-sales.test', signature: '', isPrimary: true, isDefault: true },
      { sendAsEmail: 'riley.sales@acme-sales.test', displayName: 'Riley (Sales)', replyToAddress: '', signature: '', isDefault: false, treatAsAlias: true, verificationStatus: 'accepted' },
      { sendAsEmail: 'pending@elsewhere.test', displayName: '', signature: '', isDefault: false, treatAsAlias: false, verificationStatus: 'pending' },
    ],
  };

  it('takes the primary entry’s name and reply-to, and verified aliases only', () => {
    expect(identityFromSendAs('riley@acme-sales.test', sendAsListSchema.parse(list))).toEqual({
      address: 'riley@acme-sales.test',
      displayName: 'Riley Rep',
      replyTo: 'sales@acme-sales.test',
      aliases: ['riley.sales@acme-sales.test'],
    });
  });

  it('reads an empty or missing replyToAddress as no reply-to', () => {
    const bare = { sendAs: [{ sendAsEmail: 'sam@acme-sales.test', displayName: 'Sam Founder', replyToAddress: '', isPrimary: true, isDefault: true }] };
    expect(identityFromSendAs('sam@acme-sales.test', sendAsListSchema.parse(bare))).toEqual({ address: 'sam@acme-sales.test', displayName: 'Sam Founder', replyTo: null, aliases: [] });
  });
});

/** `format=metadata` with `metadataHeaders`: payload holds only the asked-for headers. */
const METADATA: gmail_v1.Schema$Message = {
  id: '18c2f1a9b3d4e5f6',
  threadId: '18c2f0000000aaaa',
  labelIds: ['UNREAD', 'CATEGORY_PERSONAL', 'INBOX'],
  snippet: 'Thanks for the quote &#39;Pro&#39; plan &amp; setup',
  sizeEstimate: 2450,
  historyId: '4200123',
  internalDate: '1718000000000',
  payload: {
    mimeType: 'multipart/alternative',
    headers: [
      { name: 'From', value: '=?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <jose@customer.test>' },
      { name: 'To', value: 'Riley Rep <riley@acme-sales.test>, "Ops, Team" <ops@customer.test>' },
      { name: 'Subject', value: 'Re: Quote' },
      { name: 'Date', value: 'Mon, 10 Jun 2024 06:13:20 +0000' },
      { name: 'Message-ID', value: '<CAJx1@mail.customer.test>' },
      { name: 'List-Unsubscribe', value: '<mailto:unsub@customer.test>' },
    ],
  },
};

/** `format=full`: multipart/alternative with text/plain (ISO-8859-1) and text/html, plus a PDF. */
const FULL: gmail_v1.Schema$Message = {
  ...METADATA,
  labelIds: ['SENT'],
  payload: {
    partId: '',
    mimeType: 'multipart/mixed',
    filename: '',
    headers: [
      { name: 'From', value: 'Riley Rep <riley.sales@acme-sales.test>' },
      { name: 'To', value: 'jose@customer.test' },
      { name: 'Message-ID', value: '<sent-1@acme-sales.test>' },
    ],
    body: { size: 0 },
    parts: [
      {
        partId: '0',
        mimeType: 'multipart/alternative',
        filename: '',
        headers: [],
        body: { size: 0 },
        parts: [
          {
            partId: '0.0',
            mimeType: 'text/plain',
            filename: '',
            headers: [{ name: 'Content-Type', value: 'text/plain; charset="ISO-8859-1"' }],
            body: { size: 12, data: Buffer.from('Caf\xe9 at 10?', 'latin1').toString('base64url') },
          },
          { partId: '0.1', mimeType: 'text/html', filename: '', headers: [], body: { size: 30, data: b64url('<p>Café at 10?</p>') } },
        ],
      },
      { partId: '1', mimeType: 'text/plain', filename: 'notes.txt', headers: [], body: { size: 10, attachmentId: 'ANGjdJ8' } },
    ],
  },
};

describe('normalising a Gmail message (R15, R21, R22)', () => {
  it('reads ids, Message-ID, internalDate, labels and the parsed (RFC 2047) addresses', () => {
    const message = normaliseGmailMessage(messageSchema.parse(METADATA), { mailboxId: 'riley', identity: IDENTITY, visibility: 'snippet' });
    expect(message).toMatchObject({
      provider: 'gmail',
      providerId: '18c2f1a9b3d4e5f6',
      threadKey: '18c2f0000000aaaa',
      messageId: '<CAJx1@mail.customer.test>',
      date: 1718000000000,
      direction: 'received',
      folder: 'inbox',
      category: 'primary',
      from: { name: 'José Pérez', address: 'jose@customer.test' },
      snippet: "Thanks for the quote 'Pro' plan & setup",
      body: null,
    });
    expect(message.to).toEqual([
      { name: 'Riley Rep', address: 'riley@acme-sales.test' },
      { name: 'Ops, Team', address: 'ops@customer.test' },
    ]);
    expect(message.bulk.listUnsubscribe).toBe('<mailto:unsub@customer.test>');
  });

  it('keeps no snippet at metadata visibility and no body below full', () => {
    const metadata = normaliseGmailMessage(messageSchema.parse(METADATA), { mailboxId: 'riley', identity: IDENTITY, visibility: 'metadata' });
    expect([metadata.snippet, metadata.body]).toEqual([null, null]);
    const snippet = normaliseGmailMessage(messageSchema.parse(FULL), { mailboxId: 'riley', identity: IDENTITY, visibility: 'snippet' });
    expect(snippet.body).toBeNull();
  });

  it('decodes the text/plain part in its charset at full visibility; SENT means sent', () => {
    const full = normaliseGmailMessage(messageSchema.parse(FULL), { mailboxId: 'riley', identity: IDENTITY, visibility: 'full' });
    expect(full.body).toBe('Café at 10?');
    expect(full.direction).toBe('sent');
    expect(full.folder).toBe('sent');
  });

  it('maps system labels to folders (spam and trash first) and CATEGORY_* to tabs', () => {
    expect(folderOf(['INBOX', 'SPAM'])).toBe('spam');
    expect(folderOf(['TRASH', 'SENT'])).toBe('trash');
    expect(folderOf(['DRAFT'])).toBe('draft');
    expect(folderOf(['CHAT'])).toBe('chat');
    expect(folderOf(['SENT', 'INBOX'])).toBe('sent');
    expect(folderOf(['UNREAD', 'IMPORTANT'])).toBeNull();
    expect(categoryOf(['CATEGORY_PROMOTIONS', 'INBOX'])).toBe('promotions');
    expect(categoryOf(['CATEGORY_SOCIAL'])).toBe('social');
    expect(categoryOf(['CATEGORY_UPDATES'])).toBe('updates');
    expect(categoryOf(['CATEGORY_FORUMS'])).toBe('forums');
    expect(categoryOf(['INBOX'])).toBeNull();
  });

  it('unescapes the HTML entities of snippets, leaving unknown ones', () => {
    expect(unescapeSnippet('a &lt;b&gt; &quot;c&quot; &#x27;d&#x27; &nbsp;')).toBe('a <b> "c" \'d\' &nbsp;');
  });

  it('asks for headers only unless the body may be read', () => {
    expect(formatQuery('metadata')).toEqual({ format: 'metadata', metadataHeaders: WANTED_HEADERS });
    expect(formatQuery('full')).toEqual({ format: 'full' });
  });
});

describe('batch wire format', () => {
  it('writes application/http parts with a Content-ID and only the path', () => {
    const { body, contentType } = batchRequest([{ id: 'item-0', method: 'GET', path: '/gmail/v1/users/me/messages/abc?format=metadata' }], 'b0');
    expect(contentType).toBe('multipart/mixed; boundary=b0');
    expect(body).toBe('--b0\r\nContent-Type: application/http\r\nContent-ID: <item-0>\r\n\r\nGET /gmail/v1/users/me/messages/abc?format=metadata HTTP/1.1\r\n\r\n--b0--\r\n');
  });

  it('reads a Google batch answer by Content-ID, with each part’s status, headers and JSON', () => {
    // As in "Batching requests": response parts in any order, `response-` before the call's id.
    const answer = [
      '--batch_x',
      'Content-Type: application/http',
      'Content-ID: <response-item-1>',
      '',
      'HTTP/1.1 429 Too Many Requests',
      'Content-Type: application/json; charset=UTF-8',
      'Retry-After: 3',
      '',
      JSON.stringify(googleError(429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED')),
      '--batch_x',
      'Content-Type: application/http',
      'Content-ID: <response-item-0>',
      '',
      'HTTP/1.1 200 OK',
      'ETag: "A-DdBGA6g"',
      'Content-Type: application/json; charset=UTF-8',
      '',
      JSON.stringify({ id: '152d10540c21bd07', threadId: '152d1050d666d7ad', labelIds: ['SENT'] }),
      '--batch_x--',
      '',
    ].join('\r\n');
    const calls = [
      { id: 'item-0', method: 'GET' as const, path: '/a' },
      { id: 'item-1', method: 'GET' as const, path: '/b' },
    ];
    const parts = parseBatchResponse(answer, 'multipart/mixed; boundary=batch_x', calls);
    expect(parts.get('item-0')).toMatchObject({ status: 200, body: { id: '152d10540c21bd07' } });
    expect(parts.get('item-1')!.status).toBe(429);
    expect(parts.get('item-1')!.headers.get('retry-after')).toBe('3');
    expect(classifyGmailError(429, parts.get('item-1')!.body, parts.get('item-1')!.headers).data.retryAfterMs).toBe(3000);
  });

  it('refuses an answer that is not multipart', () => {
    expect(() => parseBatchResponse('{}', 'application/json', [])).toThrow(ProviderError);
  });

  it('plans batches of at most 50 calls whose cost fits the bucket', () => {
    const calls = Array.from({ length: 120 }, () => ({ cost: 5 }));
    expect(planBatches(calls, 250).map((b) => b.length)).toEqual([50, 50, 20]);
    expect(planBatches(calls, 50).map((b) => b.length)).toEqual(Array(12).fill(10));
    const mixed = [{ cost: 10 }, { cost: 10 }, { cost: 5 }];
    expect(planBatches(mixed, 20).map((b) => b.length)).toEqual([2, 1]);
  });
});

describe('threads.get or messages.get', () => {
  it('reads a thread whole once 3 of its messages are wanted', () => {
    const refs = [
      { id: 'a1', threadId: 'a' },
      { id: 'a2', threadId: 'a' },
      { id: 'a3', threadId: 'a' },
      { id: 'b1', threadId: 'b' },
      { id: 'b2', threadId: 'b' },
    ];
    expect(planFetch(refs, 3)).toEqual({ threads: ['a'], messages: ['b1', 'b2'] });
    expect(planFetch(refs, Number.POSITIVE_INFINITY)).toEqual({ threads: [], messages: ['a1', 'a2', 'a3', 'b1', 'b2'] });
  });
});

describe('quota units', () => {
  it('the client charges each method what the emulator charges, Gmail’s documented units: threads.get 10, messages.get 5, send 100', () => {
    const emulator = Object.fromEntries(Object.keys(GMAIL_COSTS).map((name) => [name, (OPERATIONS as Record<string, { cost: number } | undefined>)[name]?.cost]));
    expect(GMAIL_COSTS).toEqual(emulator);
    expect([GMAIL_COSTS.threadsGet, GMAIL_COSTS.messagesGet, GMAIL_COSTS.messagesSend]).toEqual([10, 5, 100]);
  });
});

describe('history (R9, R14)', () => {
  const record = (id: string, change: Partial<Record<'messagesAdded' | 'messagesDeleted' | 'labelsAdded' | 'labelsRemoved', unknown[]>>) => ({
    id,
    messagesAdded: [],
    messagesDeleted: [],
    labelsAdded: [],
    labelsRemoved: [],
    ...change,
  }) as never;

  it('folds records to the last word per message: added, deleted, trashed, restored', () => {
    const m = (id: string, labelIds?: string[]) => ({ id, threadId: `t${id}`, ...(labelIds ? { labelIds } : {}) });
    const folded = foldHistory([
      record('11', { messagesAdded: [{ message: m('1', ['INBOX']) }, { message: m('2', ['INBOX']) }, { message: m('3', ['SPAM']) }] }),
      record('12', { labelsAdded: [{ message: m('2', ['TRASH']), labelIds: ['TRASH'] }] }),
      record('13', { messagesDeleted: [{ message: m('1') }] }),
      record('14', { labelsRemoved: [{ message: m('4', ['INBOX']), labelIds: ['SPAM'] }, { message: m('5', ['INBOX']), labelIds: ['UNREAD'] }] }),
    ]);
    expect(folded.added).toEqual([{ id: '4', threadId: 't4' }]);
    expect(folded.removed.sort()).toEqual(['1', '2', '3']);
  });

  it('restricted to chosen labels: entering them is a change, leaving them a removal, mail that never was in them is neither', () => {
    const m = (id: string, labelIds?: string[]) => ({ id, threadId: `t${id}`, ...(labelIds ? { labelIds } : {}) });
    const folded = foldHistory(
      [
        record('11', { messagesAdded: [{ message: m('1', ['INBOX']) }, { message: m('2', ['INBOX', 'Label_1']) }, { message: m('3', ['INBOX', 'Label_1']) }] }),
        // 1 gains the label; 3 loses it; 4 (older mail) loses INBOX without ever carrying it.
        record('12', { labelsAdded: [{ message: m('1', ['INBOX', 'Label_1']), labelIds: ['Label_1'] }] }),
        record('13', { labelsRemoved: [{ message: m('3', ['INBOX']), labelIds: ['Label_1'] }, { message: m('4', ['STARRED']), labelIds: ['INBOX'] }] }),
        // 5 had the label and is trashed: removed, as without a restriction.
        record('14', { labelsAdded: [{ message: m('5', ['Label_1', 'TRASH']), labelIds: ['TRASH'] }] }),
      ],
      ['Label_1'],
    );
    expect(folded.added.map((r) => r.id).sort()).toEqual(['1', '2']);
    expect(folded.removed.sort()).toEqual(['3', '5']);
  });

  it('writes chosen labels as one {…} OR group of search terms, user labels by name; none left is nothing in scope', () => {
    const choices = [
      { id: 'INBOX', name: 'Inbox', kind: 'system' as const },
      { id: 'CATEGORY_PERSONAL', name: 'Primary', kind: 'system' as const },
      { id: 'Label_7', name: 'Customers/"Acme"', kind: 'user' as const },
    ];
    expect(scopeQuery(['INBOX', 'Label_7', 'CATEGORY_PERSONAL'], choices)).toBe('{in:inbox category:primary label:"Customers/Acme"}');
    expect(scopeQuery(['Label_8', 'SPAM'], choices)).toBeNull();
  });

  it('a cursor that is not a history id is expired, not a crash', () => {
    expect(readCursor('4200123')).toBe('4200123');
    expect(() => readCursor('eyJ2IjoxfQ')).toThrow(expect.objectContaining({ code: 'cursor_expired' }));
  });
});

describe('the test email (R31)', () => {
  it('encodes a non-ASCII subject as RFC 2047 words of at most 75 characters', async () => {
    const subject = 'Prüfung der Zustellung — 测试邮件 '.repeat(3).trim();
    const encoded = encodeWords(subject);
    for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
    expect(encodeWords('Plain test')).toBe('Plain test');
    const raw = composePlainEmail({
      from: { name: 'Riley Rep', address: 'riley@acme-sales.test' },
      to: { name: null, address: 'sam@acme-sales.test' },
      subject: `${subject}\r\nBcc: evil@x.test`,
      body: 'Hello Sam,\nthis is a test — ✓.',
      date: Date.UTC(2025, 0, 2, 3, 4, 5),
      messageId: '<abc@acme-sales.test>',
    });
    // A real MIME parser reads it back as we meant it.
    const parsed = await PostalMime.parse(raw);
    expect(parsed.subject).toBe(`${subject} Bcc: evil@x.test`);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.from).toMatchObject({ name: 'Riley Rep', address: 'riley@acme-sales.test' });
    expect(parsed.messageId).toBe('<abc@acme-sales.test>');
    expect(parsed.date).toBe('2025-01-02T03:04:05.000Z');
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe('Hello Sam,\nthis is a test — ✓.');
    expect(new TextDecoder().decode(raw)).toMatch(/\r\nContent-Type: text\/plain; charset="UTF-8"\r\n/);
  });

  it('quotes or encodes display names that are not plain atoms', () => {
    expect(formatMailbox({ name: 'Rep, Riley', address: 'r@x.test' })).toBe('"Rep, Riley" <r@x.test>');
    expect(formatMailbox({ name: 'Zoë', address: 'z@x.test' })).toBe('=?UTF-8?B?Wm/Dqw==?= <z@x.test>');
    expect(formatMailbox({ name: null, address: 'n@x.test' })).toBe('n@x.test');
  });
});

describe("Gmail's daily limit: a wait until midnight Pacific (R12)", () => {
  it.each([
    ['noon UTC in winter (04:00 PST)', '2026-11-29T12:00:00.000Z', 20 * 3600_000],
    ['a second before midnight PDT', '2026-07-02T06:59:59.000Z', 1000],
    ['midnight PDT itself: a whole day', '2026-07-02T07:00:00.000Z', 24 * 3600_000],
    ['half past five PST, with milliseconds', '2026-01-15T13:30:00.250Z', 18.5 * 3600_000 - 250],
  ])('%s', (_, at, expected) => {
    expect(msUntilPacificMidnight(Date.parse(at))).toBe(expected);
  });

  it('a 403 dailyLimitExceeded is quota_exhausted with the wait until the reset, or the Retry-After when Gmail gives one', () => {
    const body = { error: { code: 403, message: 'Daily Limit Exceeded', errors: [{ reason: 'dailyLimitExceeded', domain: 'usageLimits' }] } };
    const error = classifyGmailError(403, body, new Headers());
    expect(error.code).toBe('quota_exhausted');
    expect(error.data.retryAfterMs).toBeGreaterThan(0);
    expect(error.data.retryAfterMs).toBeLessThanOrEqual(24 * 3600_000);
    expect(classifyGmailError(403, body, new Headers({ 'retry-after': '120' })).data.retryAfterMs).toBe(120_000);
  });
});
