import { describe, expect, it } from 'vitest';
import { expectedCrmEmails, indexContacts, isBulk, judge, normaliseAddress, type Verdict } from '@/emulators/seed/ground-truth';
import type { SeedContact, SeedMailbox, SeedMessage, SeedPolicy } from '@/emulators/seed/types';

// Hand-built cases: each names the rule of R21 (or R5/R19) it checks and says what must happen.
const policy: SeedPolicy = {
  workspaceDomains: ['acme-sales.test'],
  blockedAddresses: ['pat.private@gmail.com'],
  blockedDomains: ['brightline-legal.test'],
};
const rep: SeedMailbox = {
  id: 'riley', provider: 'gmail', address: 'riley@acme-sales.test', displayName: 'Riley Rep',
  replyTo: 'sales@acme-sales.test', aliases: ['riley.sales@acme-sales.test'], scope: 'sales', kind: 'personal', timeZone: 'UTC',
};
const personal: SeedMailbox = { ...rep, id: 'sam', address: 'sam@acme-sales.test', aliases: [], replyTo: null, scope: 'personal' };
const contacts: SeedContact[] = [
  { id: 'ct-1', name: 'Dana Buyer', companyId: 'co-1', primaryEmail: 'Dana.Buyer@Customer.TEST', additionalEmails: ['dana.home@example.test'], createdAt: 0, updatedAt: 0 },
  { id: 'ct-2', name: 'Jane Doe', companyId: null, primaryEmail: 'jane.doe@gmail.com', additionalEmails: [], createdAt: 0, updatedAt: 0 },
  { id: 'ct-3', name: 'Lex Counsel', companyId: 'co-9', primaryEmail: 'lex@brightline-legal.test', additionalEmails: [], createdAt: 0, updatedAt: 0 },
  { id: 'ct-4', name: 'Ola Colleague', companyId: null, primaryEmail: 'ola@acme-sales.test', additionalEmails: [], createdAt: 0, updatedAt: 0 },
];
const index = indexContacts(contacts);

let seq = 0;
function message(overrides: Partial<SeedMessage>): SeedMessage {
  seq++;
  return {
    mailboxId: 'riley', providerId: `id${seq}`, threadId: `t${seq}`, internalDate: 0, messageId: `<m${seq}@customer.test>`,
    subject: 'Quote', from: { name: 'Dana Buyer', address: 'dana.buyer@customer.test' },
    to: [{ name: 'Riley Rep', address: 'riley@acme-sales.test' }], cc: [], bcc: [], replyTo: [],
    headers: [['Subject', 'Quote']], body: 'Hello', box: 'inbox', category: 'primary', unread: false, kind: 'customer',
    ...overrides,
  };
}
const verdict = (overrides: Partial<SeedMessage>, mailbox = rep): Verdict => judge(message(overrides), mailbox, policy, index);

describe('ground truth (R21)', () => {
  it('pushes a received customer email to the matched contact', () => {
    expect(verdict({})).toMatchObject({ push: true, contactIds: ['ct-1'], reason: null });
  });

  it('pushes sent mail too, to every matched recipient', () => {
    const v = verdict({
      box: 'sent', category: null, from: { name: 'Riley Rep', address: 'riley@acme-sales.test' },
      to: [{ name: null, address: 'DANA.BUYER@customer.test' }], cc: [{ name: null, address: 'j.a.n.e.doe+deal@googlemail.com' }],
    });
    expect(v).toMatchObject({ push: true, contactIds: ['ct-1', 'ct-2'] });
  });

  it('matches Bcc on the sender copy, and additional emails', () => {
    const v = verdict({ box: 'sent', category: null, from: { name: null, address: 'riley@acme-sales.test' }, to: [], bcc: [{ name: null, address: 'dana.home@example.test' }] });
    expect(v.contactIds).toEqual(['ct-1']);
  });

  it.each([
    ['spam', 'spam'], ['trash', 'trash'], ['drafts', 'draft'], ['chats', 'chat'],
  ] as const)('never pushes %s, even from a contact', (_, box) => {
    expect(verdict({ box, category: null })).toMatchObject({ push: false, reason: 'excluded_folder' });
  });

  it.each(['promotions', 'social', 'updates', 'forums'] as const)('never pushes the Gmail %s tab, even from a contact', (category) => {
    expect(verdict({ category })).toMatchObject({ push: false, reason: 'excluded_category' });
  });

  it.each([
    ['List-Unsubscribe', '<mailto:u@customer.test>'],
    ['List-Id', 'News <news.customer.test>'],
    ['Precedence', 'bulk'],
    ['Precedence', 'List'],
    ['Precedence', 'junk'],
    ['Auto-Submitted', 'auto-replied'],
    ['auto-submitted', 'auto-generated'],
  ])('never pushes bulk mail marked %s: %s', (name, value) => {
    expect(verdict({ headers: [[name, value]] })).toMatchObject({ push: false, reason: 'bulk' });
  });

  it('does not count Auto-Submitted: no or Precedence: first-class as bulk', () => {
    expect(isBulk([['Auto-Submitted', 'no']])).toBe(false);
    expect(isBulk([['Precedence', 'first-class']])).toBe(false);
  });

  it('never pushes mail involving a blocked domain or address, even with another contact on it', () => {
    expect(verdict({ from: { name: null, address: 'lex@brightline-legal.test' } })).toMatchObject({ push: false, reason: 'blocked' });
    expect(verdict({ cc: [{ name: null, address: 'Pat.Private+x@googlemail.com' }] })).toMatchObject({ push: false, reason: 'blocked' });
  });

  it('never pushes internal-only mail, even when a colleague is a CRM contact', () => {
    const v = verdict({ from: { name: null, address: 'ola@acme-sales.test' }, to: [{ name: null, address: 'riley@acme-sales.test' }] });
    expect(v).toMatchObject({ push: false, reason: 'internal_only' });
  });

  it('skips mail with no matched contact', () => {
    expect(verdict({ from: { name: null, address: 'stranger@customer.test' } })).toMatchObject({ push: false, reason: 'no_contact', contactIds: [] });
  });

  it('does not strip +tags outside Gmail (R19 names gmail.com only)', () => {
    expect(verdict({ from: { name: null, address: 'dana.buyer+support@customer.test' } }).reason).toBe('no_contact');
  });

  it('never pushes from a personal-scope mailbox without a manual link (R5), but records the match', () => {
    expect(verdict({ mailboxId: 'sam' }, personal)).toMatchObject({ push: false, reason: 'personal_scope', contactIds: ['ct-1'] });
  });

  it('checks the rules in order: the folder wins over bulk and blocked', () => {
    expect(verdict({ box: 'spam', category: null, headers: [['Precedence', 'bulk']], from: { name: null, address: 'lex@brightline-legal.test' } }).reason).toBe(
      'excluded_folder',
    );
  });

  it("never matches the mailbox's own addresses, aliases or reply-to", () => {
    const selfContacts = indexContacts([{ ...contacts[0]!, id: 'ct-self', primaryEmail: 'sales@acme-sales.test' }]);
    const v = judge(message({ to: [{ name: null, address: 'sales@acme-sales.test' }, { name: null, address: 'x@customer.test' }] }), rep, policy, selfContacts);
    expect(v).toMatchObject({ push: false, reason: 'no_contact' });
  });
});

describe('normaliseAddress (R19)', () => {
  it.each([
    [' Dana.Buyer@CUSTOMER.test ', 'dana.buyer@customer.test'],
    ['J.A.N.E.Doe+crm@GoogleMail.com', 'janedoe@gmail.com'],
    ['jane.doe@gmail.com', 'janedoe@gmail.com'],
    ['dana+tag@customer.test', 'dana+tag@customer.test'],
  ])('%s -> %s', (input, output) => {
    expect(normaliseAddress(input)).toBe(output);
  });
});

describe('expectedCrmEmails (R15)', () => {
  it('counts a message seen in two mailboxes once, with the union of its contacts', () => {
    const base = { push: true, reason: null } as const;
    const emails = expectedCrmEmails([
      { ...base, mailboxId: 'riley', providerId: 'a', messageId: '<x@y>', contactIds: ['ct-1'] },
      { ...base, mailboxId: 'support', providerId: 'b', messageId: '<x@y>', contactIds: ['ct-2'] },
      { ...base, mailboxId: 'riley', providerId: 'c', messageId: null, contactIds: ['ct-1'] },
      { ...base, push: false, reason: 'bulk', mailboxId: 'riley', providerId: 'd', messageId: '<z@y>', contactIds: [] },
    ]);
    expect([...emails]).toEqual([
      ['<x@y>', ['ct-1', 'ct-2']],
      ['riley:c', ['ct-1']],
    ]);
  });
});
