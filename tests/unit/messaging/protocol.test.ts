import { describe, expect, it } from 'vitest';
import { providerError } from '@/lib/domain';
import { crmBaseUrlSchema, isMessageOf, MessagingError, protocol, UNEXPECTED_FAILURE } from '@/lib/messaging';

describe('crmBaseUrlSchema (R8)', () => {
  it.each(['https://crm.example.test', 'https://crm.example.test:8443/base/', 'http://127.0.0.1:47192', 'http://localhost:3000/'])('accepts %s', (url) => {
    expect(crmBaseUrlSchema.safeParse(url).success).toBe(true);
  });

  it.each([
    ['crm.example.test', 'Enter the CRM address as a full URL, for example https://crm.example.com.'],
    ['ftp://crm.example.test', 'Enter the CRM address as a full URL, for example https://crm.example.com.'],
    ['http://crm.example.test', 'The CRM address must start with https:// (plain http only for 127.0.0.1 or localhost).'],
    ['https://rep:secret@crm.example.test', 'The CRM address must not contain a user name or password.'],
    ['https://rep@crm.example.test', 'The CRM address must not contain a user name or password.'],
    ['https://@crm.example.test', 'The CRM address must not contain a user name or password.'],
    ['https://crm.example.test/?tenant=1', 'The CRM address must not contain a query (?…) or a fragment (#…).'],
    ['https://crm.example.test/?', 'The CRM address must not contain a query (?…) or a fragment (#…).'],
    ['https://crm.example.test/#settings', 'The CRM address must not contain a query (?…) or a fragment (#…).'],
    ['https://crm.example.test#', 'The CRM address must not contain a query (?…) or a fragment (#…).'],
  ])('refuses %s, saying why', (url, message) => {
    const parsed = crmBaseUrlSchema.safeParse(url);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([message]);
  });

  it('is the address the connectCrm message takes', () => {
    expect(protocol.connectCrm.input.safeParse({ baseUrl: 'https://u:p@crm.example.test', authMethod: 'oauth' }).success).toBe(false);
  });
});

describe('isMessageOf', () => {
  it('knows only the protocol’s own messages, not what every object inherits', () => {
    expect(isMessageOf(protocol, 'getOverview')).toBe(true);
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '', 42, null]) expect(isMessageOf(protocol, name)).toBe(false);
  });
});

describe('MessagingError.from', () => {
  it("keeps a ProviderError's code, message, action and retryability", () => {
    expect(MessagingError.from(providerError('rate_limited', 'gmail')).toWire()).toEqual({
      code: 'rate_limited',
      message: 'Gmail is limiting requests for a moment.',
      action: 'wait',
      retryable: true,
    });
  });

  it('makes any other error handler_failed with fixed words: an untyped message never reaches the page', () => {
    const leaky = new TypeError('Failed to fetch https://crm.test/oauth/token?code=4/secret-code');
    expect(MessagingError.from(leaky).toWire()).toEqual({ code: 'handler_failed', message: UNEXPECTED_FAILURE, action: 'none', retryable: false });
  });
});

describe("the engine's answers, checked by the caller", () => {
  const state = { providerId: 'p1', date: 1, direction: 'received', state: 'pushed', reason: null, contacts: [{ id: 'ct-1', name: 'Dana', company: null, url: null }], at: 2, error: null };
  const job = { id: 'm/backfill', lane: 'm', kind: 'backfill', status: 'queued', runId: null, params: { days: 14 }, notBefore: 0, failures: 0, lastError: null, createdAt: 0, updatedAt: 0 };

  const crm = { connected: true, origin: 'https://crm.test' };
  const mailbox = { mailboxId: 'm', address: 'rep@acme.test', scope: 'sales', status: 'connected', link: null };
  const view = (messages: unknown[]) => ({ crm, participants: [], mailboxes: [{ ...mailbox, messages }] });

  it('the thread view carries no subject or content, even if an answer held them', () => {
    const answer = protocol.getThreadView.output.parse({ ...view([{ ...state, subject: 'Renewal quote', snippet: 'Hi', body: 'Dear…' }]), subject: 'Renewal quote' });
    expect(Object.keys(answer)).not.toContain('subject');
    expect(Object.keys(answer.mailboxes[0]!.messages[0]!).sort()).toEqual(['at', 'contacts', 'date', 'direction', 'error', 'providerId', 'reason', 'state']);
  });

  it.each([
    ['getThreadView', view([{ ...state, state: 'logged' }])],
    ['getThreadView', view([{ ...state, reason: 'spam' }])],
    ['getThreadView', { ...view([]), participants: [{ name: 'Dana', address: 'dana@buyer.test', role: 'colleague', contact: null }] }],
    ['searchContacts', { contacts: [{ id: 'ct-1', name: 'Dana', company: null, url: null }] }],
    ['searchContacts', { contacts: [{ id: 'ct-1', name: 'Dana', company: null, url: null, emails: [] }] }],
    ['getContactTimeline', { emails: [{ id: 'em_1', subject: null, date: '2026-01-01', direction: 'sent' }] }],
    ['setThreadDecision', { messages: [{ ...state, date: 'yesterday' }] }],
    ['syncNow', { jobs: [{ ...job, kind: 'reindex' }] }],
    ['backfill', { confirm: { days: 90 } }],
    ['getJobs', { jobs: [job] }],
    ['getRuns', { runs: [{ id: 'r', mailboxId: 'm', kind: 'backfill', status: 'succeeded', startedAt: 0, finishedAt: 0, counts: { fetched: -1, matched: 0, pushed: 0, duplicates: 0, errors: 0, skipped: {} }, error: null }] }],
    ['getRunSample', { contacts: [{ contact: { id: 'ct-1', name: null, company: null, url: null }, total: 1, messages: [state] }] }],
    ['lookupMessages', { messages: [{ ...state, subject: 'x' }] }],
    ['getReviewPrompts', { prompts: [{ id: 'p', mailboxId: 'm', kind: 'weather', message: 'x', action: 'sync_now', runId: null }] }],
  ] as const)('%s refuses a malformed answer: %j', (name, answer) => {
    expect(protocol[name].output.safeParse(answer).success).toBe(false);
  });

  it('accepts well-formed answers', () => {
    expect(protocol.getThreadView.output.safeParse(view([state])).success).toBe(true);
    expect(protocol.searchContacts.output.safeParse({ contacts: [{ id: 'ct-1', name: 'Dana', company: null, url: null, emails: ['dana@buyer.test'] }], truncated: true }).success).toBe(true);
    expect(protocol.getContactTimeline.output.safeParse({ emails: [{ id: 'em_1', subject: null, date: 1, direction: 'sent' }] }).success).toBe(true);
    expect(protocol.backfill.output.safeParse({ confirm: { days: 90, estimate: null } }).success).toBe(true);
    expect(protocol.getRunSample.output.safeParse({ contacts: [{ contact: { id: 'ct-1', name: null, company: null, url: null }, total: 1, messages: [{ ...state, subject: null, from: 'a@b.test', crmEmailId: 'em_1' }] }] }).success).toBe(true);
    expect(protocol.lookupMessages.output.safeParse({ messages: [{ ...state, subject: 'x', threadKey: 't' }] }).success).toBe(true);
    expect(protocol.getReviewPrompts.output.safeParse({ prompts: [{ id: 'p', mailboxId: 'm', kind: 'duplicates', message: 'x', action: 'review_run', runId: 'r' }] }).success).toBe(true);
  });
});
