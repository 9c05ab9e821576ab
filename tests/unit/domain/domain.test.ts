import { describe, expect, it } from 'vitest';
import { defaultVisibility, echoableToken, mailboxSchema, providerError, providerErrorSchema } from '@/lib/domain';
import { aMailbox } from '../../fixtures/domain';

describe('mailboxSchema', () => {
  it('requires an owner and a recovery note for a shared mailbox (R6)', () => {
    const result = mailboxSchema.safeParse(aMailbox({ kind: 'shared', owner: 'Lee', recoveryNote: null }));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/owner and a note on recovery access/);
    expect(mailboxSchema.safeParse(aMailbox({ kind: 'shared', owner: 'Lee', recoveryNote: 'Vault' })).success).toBe(true);
  });

  it.each([[0, false], [1, true], [365, true], [366, false], [14.5, false]])(
    'accepts %d backfill days: %s (R4)',
    (days, ok) => {
      expect(mailboxSchema.safeParse(aMailbox({ backfillDays: days })).success).toBe(ok);
    },
  );

  it('stores every time as epoch milliseconds, not ISO strings', () => {
    const iso = '2026-11-01T09:00:00.000Z';
    expect(mailboxSchema.safeParse(aMailbox({ createdAt: iso as never })).success).toBe(false);
    expect(mailboxSchema.safeParse(aMailbox({ checklist: { test_send: iso as never } })).success).toBe(false);
    expect(mailboxSchema.safeParse(aMailbox({ checklist: { test_send: Date.parse(iso) } })).success).toBe(true);
    const error = providerError('network', 'gmail').toJSON();
    expect(Number.isSafeInteger(error.at)).toBe(true);
    expect(providerErrorSchema.safeParse({ ...error, at: iso }).success).toBe(false);
  });

  it('starts personal scope at metadata only (R5)', () => {
    expect(defaultVisibility('personal')).toBe('metadata');
    expect(defaultVisibility('sales')).toBe('snippet');
  });
});

describe('echoableToken', () => {
  it.each(['invalid_grant', 'emails:write', 'additional_emails.0', 'ErrorAccessDenied', 'a-b', 'x'.repeat(64)])('quotes %j', (value) => {
    expect(echoableToken(value)).toBe(value);
  });

  it.each([
    ['a sentence', 'Your account is locked'],
    ['a link', 'https://evil.test/x'],
    ['a quote that would end the quoting', 'emails:write"'],
    ['a line break', 'invalid_grant\nSee evil.test'],
    ['angle brackets', '<b>x</b>'],
    ['non-ASCII look-alikes', 'іnvalid_grant'],
    ['the empty string', ''],
    ['more than 64 characters', 'x'.repeat(65)],
    ['a non-string', 42],
    ['nothing', undefined],
  ])('refuses %s', (_, value) => {
    expect(echoableToken(value)).toBeNull();
  });
});
