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
