import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { ProviderError, providerError } from '@/lib/domain';
import { classifyGraphError, graphFailure, identityFromGraph } from '@/lib/providers/outlook';
import { graphMessageSchema } from '@/lib/providers/outlook/graph-json';
import { normaliseGraphMessage } from '@/lib/providers/outlook/message';
import { decodeCursor, encodeCursor } from '@/lib/providers/outlook/opaque-cursor';
import { decodeDeltaCursor, encodeDeltaCursor } from '@/lib/providers/outlook/delta';
import { isExcludedFolder, productFolderName } from '@/lib/providers/outlook/folder-names';
import { z } from 'zod';

/*
 * Fixtures are written from Microsoft Graph v1.0 documentation:
 * - ME_WORK: the "user: get" example for /me, with `$select=displayName,mail,userPrincipalName,
 *   proxyAddresses` (Exchange lists the primary address as "SMTP:", others as "smtp:").
 * - ME_PERSONAL: /me of a personal Microsoft account: `mail` is null, the address is the
 *   userPrincipalName, and there is no proxyAddresses.
 * - SETTINGS: the "Get mailboxSettings" example (userPurpose is a plain string in v1.0).
 * - MESSAGE: the "message: get" example, with `internetMessageHeaders` as returned when selected.
 * - Errors: the error JSON of "Microsoft Graph error responses" and "throttling" pages.
 */
const ME_WORK = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users(displayName,mail,userPrincipalName,proxyAddresses)/$entity',
  displayName: 'Megan Bowen',
  mail: 'MeganB@M365x214355.onmicrosoft.com',
  userPrincipalName: 'MeganB@M365x214355.onmicrosoft.com',
  proxyAddresses: ['SMTP:MeganB@M365x214355.onmicrosoft.com', 'smtp:megan.bowen@contoso.com', 'SIP:meganb@contoso.com', 'x500:/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=megan', 'smtp:meganb@m365x214355.onmicrosoft.com'],
};
const ME_PERSONAL = {
  '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity',
  displayName: 'Pat Example',
  givenName: 'Pat',
  surname: 'Example',
  businessPhones: [],
  jobTitle: null,
  mail: null,
  mobilePhone: null,
  officeLocation: null,
  preferredLanguage: null,
  userPrincipalName: 'pat.example@outlook.com',
  id: '0a1b2c3d4e5f6a7b',
};
const SETTINGS = {
  '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#Me/mailboxSettings",
  archiveFolder: 'AAMkADA1ZjE0M2Q1LWE3ZmYtNDNkMS1hNzA2LTNkMTc4NWM2OGVkNwAuAAAAAACM9-sTOXc_SqMmF5OP9n4EAQAs1uyEzpqMRIcXXh9_6uPcAAAD2t4SAAA=',
  timeZone: 'Pacific Standard Time',
  automaticRepliesSetting: {
    status: 'alwaysEnabled',
    externalAudience: 'none',
    scheduledStartDateTime: { dateTime: '2016-03-14T07:00:00.0000000', timeZone: 'UTC' },
    scheduledEndDateTime: { dateTime: '2016-03-28T07:00:00.0000000', timeZone: 'UTC' },
    internalReplyMessage: '<html>\n<body>\n<p>I am at our worldwide reunion.</p></body>\n</html>\n',
    externalReplyMessage: '<html>\n<body>\n<p>I am at the Deven conference.</p></body>\n</html>\n',
  },
  language: { locale: 'en-US', displayName: 'English (United States)' },
  workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:00:00.0000000', endTime: '17:00:00.0000000', timeZone: { name: 'Pacific Standard Time' } },
  dateFormat: 'MM/dd/yyyy',
  timeFormat: 'hh:mm tt',
  delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
  userPurpose: 'user',
};
const MESSAGE = {
  '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#users('bb8775a4-4d8c-42cf-a1d4-4d58c2bb668f')/messages/$entity",
  '@odata.etag': 'W/"CQAAABYAAAC4ofQHEIqCSbQPot83AFcbAAAW/0tB"',
  id: 'AAMkAGI1AAAoZCfHAAA=',
  createdDateTime: '2017-08-30T06:06:43Z',
  lastModifiedDateTime: '2017-08-30T06:06:43Z',
  changeKey: 'CQAAABYAAAC4ofQHEIqCSbQPot83AFcbAAAW/0tB',
  categories: ['Blue category'],
  receivedDateTime: '2017-08-30T06:06:43Z',
  sentDateTime: '2017-08-30T06:05:13Z',
  hasAttachments: false,
  internetMessageId: '<MWHPR1301MB20962ABE0E60D8E24D7C0A6CC19C0@MWHPR1301MB2096.namprd13.prod.outlook.com>',
  subject: 'Orders for Contoso',
  bodyPreview: 'Here are the orders for this week.',
  importance: 'normal',
  parentFolderId: 'AAMkAGI1AAAAAAEMAAA=',
  conversationId: 'AAQkAGI1AAAQxVqUHwgCE0dRH9r0qsoR1w=',
  isRead: true,
  isDraft: false,
  inferenceClassification: 'focused',
  body: { contentType: 'text', content: 'Here are the orders for this week.\r\n' },
  sender: { emailAddress: { name: 'Adele Vance', address: 'AdeleV@contoso.onmicrosoft.com' } },
  from: { emailAddress: { name: 'Adele Vance', address: 'AdeleV@contoso.onmicrosoft.com' } },
  toRecipients: [
    { emailAddress: { name: 'Megan Bowen', address: 'MeganB@contoso.onmicrosoft.com' } },
    // Exchange repeats the address as the name when the header had none.
    { emailAddress: { name: 'orders@fabrikam.com', address: 'orders@fabrikam.com' } },
  ],
  ccRecipients: [{ emailAddress: { name: 'Müller, Jürgen', address: 'j.mueller@example.de' } }],
  bccRecipients: [],
  replyTo: [{ emailAddress: { name: 'Orders desk', address: 'orders@contoso.onmicrosoft.com' } }],
  internetMessageHeaders: [
    { name: 'Received', value: 'from MWHPR1301MB2096.namprd13.prod.outlook.com by MWHPR1301MB2096.namprd13.prod.outlook.com; Wed, 30 Aug 2017 06:05:13 +0000' },
    { name: 'List-Unsubscribe', value: '<mailto:unsubscribe@contoso.onmicrosoft.com>' },
    { name: 'Precedence', value: 'bulk' },
  ],
};

const graphError = (code: string, message: string, innerCode?: string) => ({
  error: { code, message, innerError: { ...(innerCode ? { code: innerCode } : {}), date: '2024-05-02T10:11:12', 'request-id': 'b1f2…', 'client-request-id': 'b1f2…' } },
});
const headers = (values: Record<string, string> = {}) => new Headers(values);

describe('identityFromGraph (R7)', () => {
  it('takes the address, display name and smtp: proxy addresses of a work account; no reply-to', () => {
    expect(identityFromGraph(ME_WORK, SETTINGS)).toEqual({
      address: 'MeganB@M365x214355.onmicrosoft.com',
      displayName: 'Megan Bowen',
      replyTo: null,
      // The primary (in another case) and non-SMTP entries are not aliases.
      aliases: ['megan.bowen@contoso.com'],
      purpose: 'user',
    });
  });

  it('falls back to the userPrincipalName of a personal account, without aliases', () => {
    expect(identityFromGraph(ME_PERSONAL, { userPurpose: { value: 'shared' } })).toEqual({
      address: 'pat.example@outlook.com',
      displayName: 'Pat Example',
      replyTo: null,
      aliases: [],
      purpose: 'shared',
    });
  });

  it('refuses an account without any address', () => {
    expect(() => identityFromGraph({ displayName: 'Nobody', mail: null, userPrincipalName: null }, {})).toThrow(ProviderError);
  });
});

describe('classifyGraphError (R12, R14)', () => {
  const cases: [string, number, unknown, Record<string, string>, string, number | null][] = [
    ['expired token', 401, graphError('InvalidAuthenticationToken', 'Access token has expired or is not yet valid.'), {}, 'auth_expired', 0],
    ['missing scope', 403, graphError('ErrorAccessDenied', 'Access is denied. Check credentials and try again.'), {}, 'insufficient_permissions', null],
    ['directory refusal', 403, graphError('Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'), {}, 'insufficient_permissions', null],
    ['throttled with Retry-After', 429, graphError('TooManyRequests', 'Please retry again later.', '429'), { 'Retry-After': '7' }, 'rate_limited', 7000],
    ['throttled without Retry-After', 429, graphError('TooManyRequests', 'Please retry again later.'), {}, 'rate_limited', null],
    ['mailbox concurrency', 429, graphError('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'), { 'Retry-After': '1' }, 'rate_limited', 1000],
    ['throttled under another status', 400, graphError('ApplicationThrottled', 'Application is over its request rate limit.'), {}, 'rate_limited', null],
    ['503 with Retry-After', 503, graphError('ServiceUnavailable', 'The service is currently unavailable.'), { 'Retry-After': '2' }, 'rate_limited', 2000],
    ['503 without Retry-After', 503, graphError('ServiceUnavailable', 'The service is currently unavailable.'), {}, 'server', null],
    ['item gone', 404, graphError('ErrorItemNotFound', 'The specified object was not found in the store.'), {}, 'not_found', null],
    ['delta token expired', 410, graphError('SyncStateNotFound', 'The sync state generation is not found.'), {}, 'cursor_expired', null],
    // 410 Gone alone says the token is gone, whatever the body: none, not JSON, or without a code.
    ['410 without a body', 410, undefined, {}, 'cursor_expired', null],
    ['410 with a text body', 410, 'Gone', {}, 'cursor_expired', null],
    ['410 with an error but no code', 410, { error: { message: 'Gone' } }, {}, 'cursor_expired', null],
    ['resync required', 410, graphError('resyncRequired', 'Resync required. Replace any local items with the server items to avoid duplicates.'), {}, 'cursor_expired', null],
    ['sync state invalid', 400, graphError('syncStateInvalid', 'Invalid sync state.'), {}, 'cursor_expired', null],
    ['server error', 500, graphError('generalException', 'General exception while processing.'), {}, 'server', null],
    ['gateway timeout', 504, 'upstream timed out', {}, 'server', null],
    ['bad request', 400, graphError('BadRequest', "Invalid filter clause"), {}, 'bad_response', null],
  ];
  it.each(cases)('%s', (_, status, body, head, code, wait) => {
    const error = classifyGraphError(status, body, headers(head));
    expect(error.code).toBe(code);
    expect(error.data.retryAfterMs).toBe(wait);
    expect(error.data.source).toBe('outlook');
  });

  it("quotes an error code only when it is a short token: the server's own sentences are not shown", () => {
    expect(classifyGraphError(400, graphError('BadRequest', 'Invalid filter clause'), headers({})).message).toMatch(/Graph answered 400 badrequest\.$/);
    const hostile = classifyGraphError(400, graphError('Your mailbox is locked: sign in at https://evil.test', 'x'), headers({}));
    expect(hostile.message).toMatch(/Graph answered 400\.$/);
    expect(hostile.message).not.toMatch(/evil|locked/);
  });
});

describe('graphFailure: errors thrown by the Graph client library', () => {
  it('classifies a GraphError built from an error answer by its status, code and headers', () => {
    const error = new GraphError(429, 'Application is over its MailboxConcurrency limit.');
    error.code = 'ApplicationThrottled';
    // GraphErrorHandler keeps the `error` object as JSON text.
    error.body = JSON.stringify(graphError('ApplicationThrottled', 'Application is over its MailboxConcurrency limit.').error);
    error.headers = headers({ 'Retry-After': '3' });
    expect(graphFailure(error).toJSON()).toMatchObject({ code: 'rate_limited', retryAfterMs: 3000 });
    const gone = new GraphError(410, 'gone');
    gone.code = 'SyncStateNotFound';
    expect(graphFailure(gone).code).toBe('cursor_expired');
  });

  it('turns failures before any answer into network, unreadable bodies into bad_response', () => {
    const wrapped = new GraphError(-1, 'fetch failed', new TypeError('fetch failed'));
    wrapped.code = 'TypeError';
    expect(graphFailure(wrapped).code).toBe('network');
    expect(graphFailure(new TypeError('fetch failed')).code).toBe('network');
    expect(graphFailure(new SyntaxError('Unexpected end of JSON input')).code).toBe('bad_response');
    const own = providerError('reauth_required', 'outlook');
    expect(graphFailure(own)).toBe(own);
  });
});

describe('normaliseGraphMessage', () => {
  const identity = { address: 'MeganB@contoso.onmicrosoft.com', aliases: [] };
  const message = graphMessageSchema.parse(MESSAGE);

  it('maps a documented Graph message into the shared model', () => {
    const normal = normaliseGraphMessage(message, { mailboxId: 'm1', identity, folder: 'inbox', visibility: 'full' });
    expect(normal).toEqual({
      mailboxId: 'm1',
      provider: 'outlook',
      providerId: 'AAMkAGI1AAAoZCfHAAA=',
      messageId: '<MWHPR1301MB20962ABE0E60D8E24D7C0A6CC19C0@MWHPR1301MB2096.namprd13.prod.outlook.com>',
      threadKey: 'AAQkAGI1AAAQxVqUHwgCE0dRH9r0qsoR1w=',
      subject: 'Orders for Contoso',
      from: { name: 'Adele Vance', address: 'AdeleV@contoso.onmicrosoft.com' },
      to: [
        { name: 'Megan Bowen', address: 'MeganB@contoso.onmicrosoft.com' },
        { name: null, address: 'orders@fabrikam.com' },
      ],
      cc: [{ name: 'Müller, Jürgen', address: 'j.mueller@example.de' }],
      bcc: [],
      replyTo: [{ name: 'Orders desk', address: 'orders@contoso.onmicrosoft.com' }],
      participants: ['adelev@contoso.onmicrosoft.com', 'meganb@contoso.onmicrosoft.com', 'orders@fabrikam.com', 'j.mueller@example.de'],
      date: Date.parse('2017-08-30T06:06:43Z'),
      direction: 'received',
      labels: ['Blue category'],
      folder: 'inbox',
      category: null,
      bulk: { listUnsubscribe: '<mailto:unsubscribe@contoso.onmicrosoft.com>', listId: null, precedence: 'bulk', autoSubmitted: null },
      snippet: 'Here are the orders for this week.',
      body: 'Here are the orders for this week.\r\n',
    });
  });

  it('dates Sent Items by when they were sent, and keeps only what the visibility allows', () => {
    const sent = normaliseGraphMessage(message, { mailboxId: 'm1', identity, folder: 'sentitems', visibility: 'metadata' });
    expect(sent).toMatchObject({ date: Date.parse('2017-08-30T06:05:13Z'), direction: 'sent', snippet: null, body: null });
    const fromAlias = normaliseGraphMessage(message, { mailboxId: 'm1', identity: { address: 'x@y.test', aliases: ['adelev@contoso.onmicrosoft.com'] }, folder: 'inbox', visibility: 'snippet' });
    expect(fromAlias).toMatchObject({ direction: 'sent', snippet: 'Here are the orders for this week.', body: null });
  });

  it('leaves bulk markers unknown when headers were not given', () => {
    const bare = normaliseGraphMessage({ ...message, internetMessageHeaders: undefined }, { mailboxId: 'm1', identity, folder: null, visibility: 'metadata' });
    expect(bare.bulk).toEqual({ listUnsubscribe: null, listId: null, precedence: null, autoSubmitted: null });
  });
});

describe('opaque cursors', () => {
  const schema = z.object({ v: z.literal(1), links: z.array(z.string()) });
  it('round-trip, and read anything unreadable as cursor_expired', () => {
    const value = { v: 1 as const, links: ['https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=ü+/='] };
    expect(decodeCursor(encodeCursor(value), schema)).toEqual(value);
    expect(encodeCursor(value)).toMatch(/^[A-Za-z0-9_-]+$/);
    for (const bad of ['%%%', encodeCursor({ v: 2 }), '']) {
      expect(() => decodeCursor(bad, schema)).toThrow(expect.objectContaining({ code: 'cursor_expired' }));
    }
  });
});


describe('productFolderName: the folder a message carries', () => {
  const user = (id: string) => ({ id, wellKnown: null });
  const known = (name: string) => ({ id: `id-${name}`, wellKnown: name });

  it('is the well-known name for Inbox, Sent Items and Archive, and the Graph id for a user folder at any level', () => {
    expect(productFolderName([known('inbox')])).toBe('inbox');
    expect(productFolderName([known('archive')])).toBe('archive');
    expect(productFolderName([user('AQMkADcustomers')])).toBe('AQMkADcustomers');
    expect(productFolderName([known('inbox'), user('AQMkADacme')])).toBe('AQMkADacme');
    // Named by id, a user folder called "Spam" or "Drafts" is never taken for an excluded one.
    expect(isExcludedFolder(productFolderName([user('AQMkADspam')]))).toBe(false);
  });

  it('is the excluded folder\'s name for a folder inside one, so its mail is excluded too', () => {
    expect(productFolderName([known('deleteditems'), user('AQMkADold'), user('AQMkADolder')])).toBe('deleteditems');
    expect(productFolderName([known('junkemail'), user('AQMkADx')])).toBe('junkemail');
    expect(isExcludedFolder(productFolderName([known('deleteditems'), user('AQMkADold')]))).toBe(true);
  });
});

describe('the delta cursor', () => {
  it('reads a v2 cursor as v3 with its Inbox and Sent Items links and no round in progress; refuses what fits neither', () => {
    const v2 = encodeCursor({ v: 2, since: 1_700_000_000_000, links: { inbox: 'https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=a', sentitems: null } });
    expect(decodeDeltaCursor(v2)).toEqual({
      v: 3,
      since: 1_700_000_000_000,
      folders: { inbox: { link: 'https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=a', paging: false }, sentitems: { link: null, paging: false } },
    });
    const v3 = encodeDeltaCursor({ since: 5, folders: { AQMkADx: { link: null, paging: true } } });
    expect(decodeDeltaCursor(v3)).toEqual({ v: 3, since: 5, folders: { AQMkADx: { link: null, paging: true } } });
    for (const bad of [encodeCursor({ v: 1, since: 5 }), encodeCursor({ v: 3, since: 5, folders: { inbox: { link: '' } } })]) {
      expect(() => decodeDeltaCursor(bad)).toThrow(expect.objectContaining({ code: 'cursor_expired' }));
    }
  });
});
