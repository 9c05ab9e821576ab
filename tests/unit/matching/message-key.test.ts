import { describe, expect, it } from 'vitest';
import { crmMessageKey, normaliseMessageId } from '@/lib/matching/message-key';

describe('normaliseMessageId (R15)', () => {
  it.each([
    ['<abc@x.test>', 'abc@x.test'],
    ['  <abc@x.test> ', 'abc@x.test'],
    ['abc@x.test', 'abc@x.test'],
    ['<abc@\r\n x.test>', 'abc@x.test'],
    ['<AbC@X.test>', 'AbC@X.test'],
    // RFC 5322 allows a comment beside the id; the id is the first <…>.
    ['<abc@x.test> (sent by a list)', 'abc@x.test'],
    ['<abc@x.test> <other@y.test>', 'abc@x.test'],
    ['<>', null],
    ['  ', null],
    [null, null],
  ])('%j -> %j', (raw, id) => expect(normaliseMessageId(raw)).toBe(id));
});

describe('crmMessageKey (R15, R21a)', () => {
  const copy = { messageId: ' <abc@x.test>', providerId: '18c0ffee', provider: 'gmail' as const };

  it('is the normalised Message-ID in angle brackets, the same from every mailbox', () => {
    expect(crmMessageKey(copy, 'riley@acme.test')).toBe('<abc@x.test>');
    expect(crmMessageKey({ ...copy, messageId: 'abc@x.test', provider: 'outlook' }, 'support@acme.test')).toBe('<abc@x.test>');
  });

  it('without a Message-ID, a stable key of mailbox and provider id, never shared across mailboxes', () => {
    const none = { ...copy, messageId: null };
    expect(crmMessageKey(none, 'riley@acme.test')).toBe(crmMessageKey({ ...none }, 'riley@acme.test'));
    expect(crmMessageKey(none, 'riley@acme.test')).not.toBe(crmMessageKey(none, 'sam@acme.test'));
    expect(crmMessageKey(none, 'riley@acme.test')).not.toBe(crmMessageKey({ ...none, providerId: 'other' }, 'riley@acme.test'));
    expect(crmMessageKey(none, 'riley@acme.test')).toMatch(/^<[^<>\s]+>$/);
    // The mailbox's address in any spelling gives the same key.
    expect(crmMessageKey(none, ' Riley@ACME.test')).toBe(crmMessageKey(none, 'riley@acme.test'));
  });
});
