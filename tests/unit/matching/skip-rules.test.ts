import { describe, expect, it } from 'vitest';
import type { BulkHeaders } from '@/lib/domain';
import {
  addressRole,
  classify,
  DEFAULT_EXCLUDED_CATEGORIES,
  domainCovered,
  headerToken,
  indexContacts,
  isBlocked,
  isBulk,
  isExcludedCategory,
  isExcludedFolder,
  isInternalOnly,
  type MailboxFacts,
  matchContacts,
  type MessageFacts,
  normaliseDomain,
  ownAddresses,
  policySets,
  SKIP_ORDER,
} from '@/lib/matching/skip-rules';

const NO_BULK: BulkHeaders = { listUnsubscribe: null, listId: null, precedence: null, autoSubmitted: null };
const policy = policySets({
  workspaceDomains: ['Acme.test'],
  blockedAddresses: ['Pat.Private@gmail.com'],
  blockedDomains: ['brightline-legal.test'],
  excludedCategories: DEFAULT_EXCLUDED_CATEGORIES,
});

describe('SKIP_ORDER (R21a)', () => {
  it('is the order R21a gives', () => {
    expect(SKIP_ORDER).toEqual(['dont_sync', 'excluded_folder', 'excluded_category', 'bulk', 'blocked', 'internal_only', 'no_contact', 'personal_scope']);
  });
});

describe('normaliseDomain', () => {
  it.each([
    [' Acme.TEST ', 'acme.test'],
    ['@acme.test', 'acme.test'],
    ['.acme.test.', 'acme.test'],
    ['GoogleMail.com', 'gmail.com'],
  ])('%s -> %s', (input, output) => expect(normaliseDomain(input)).toBe(output));
});

describe('domainCovered (R21a: domains cover their subdomains)', () => {
  const domains = new Set(['acme.test']);
  it.each([
    ['acme.test', true],
    ['eu.acme.test', true],
    ['a.b.eu.acme.test', true],
    ['notacme.test', false],
    ['acme.test.evil.test', false],
    ['test', false],
  ])('%s: %s', (domain, covered) => expect(domainCovered(domain, domains)).toBe(covered));
});

describe('isExcludedFolder (R21)', () => {
  it.each(['spam', 'trash', 'draft', 'chat', 'junkemail', 'deleteditems', 'drafts', 'conversationhistory'])('excludes %s', (folder) => {
    expect(isExcludedFolder(folder)).toBe(true);
  });
  it.each(['JunkEmail', 'DeletedItems', 'SPAM'])('excludes %s in any case (Graph names are case-insensitive)', (folder) => {
    expect(isExcludedFolder(folder)).toBe(true);
  });
  it.each([['inbox'], ['sent'], ['sentitems'], [null]])('allows %s (null: archived Gmail mail)', (folder) => {
    expect(isExcludedFolder(folder)).toBe(false);
  });
});

describe('isExcludedCategory (R21)', () => {
  it.each(['promotions', 'social', 'updates', 'forums'])('excludes the %s tab by default', (category) => {
    expect(isExcludedCategory(category, policy)).toBe(true);
  });
  it('allows the primary tab, no tab, and what the policy no longer excludes', () => {
    expect(isExcludedCategory('primary', policy)).toBe(false);
    expect(isExcludedCategory(null, policy)).toBe(false);
    expect(isExcludedCategory('promotions', policySets({ workspaceDomains: [], blockedAddresses: [], blockedDomains: [], excludedCategories: ['social'] }))).toBe(false);
  });
});

describe('headerToken', () => {
  it.each([
    ['No', 'no'],
    [' no (sent by a person) ', 'no'],
    ['(comment) no', 'no'],
    ['no (nested (comment) here)', 'no'],
    ['no (a \\) quoted paren)', 'no'],
    ['auto-replied; owner-email="x@y.test"', 'auto-replied'],
    ['', ''],
  ])('%j -> %j', (value, token) => expect(headerToken(value)).toBe(token));
});

describe('isBulk (R21, R21a)', () => {
  it.each<[string, Partial<BulkHeaders>]>([
    ['List-Unsubscribe', { listUnsubscribe: '<mailto:u@x.test>' }],
    ['List-Id', { listId: 'News <news.x.test>' }],
    ['Precedence: bulk', { precedence: 'bulk' }],
    ['Precedence: List', { precedence: 'List' }],
    ['Precedence: junk (comment)', { precedence: 'junk (comment)' }],
    ['Auto-Submitted: auto-replied', { autoSubmitted: 'auto-replied' }],
    ['Auto-Submitted: auto-generated with a comment', { autoSubmitted: 'Auto-Generated (by a robot)' }],
    ['Auto-Submitted: an extension value', { autoSubmitted: 'auto-notified' }],
  ])('%s is bulk', (_, headers) => {
    expect(isBulk({ ...NO_BULK, ...headers })).toBe(true);
  });

  it.each<[string, Partial<BulkHeaders>]>([
    ['no markers', {}],
    ['Auto-Submitted: no', { autoSubmitted: 'no' }],
    ['Auto-Submitted: No (with a comment)', { autoSubmitted: 'No (typed by a person)' }],
    ['Auto-Submitted: no with a parameter', { autoSubmitted: 'no; x=y' }],
    ['an empty Auto-Submitted', { autoSubmitted: ' ' }],
    ['an empty List-Id', { listId: '' }],
    ['a blank List-Id', { listId: '   ' }],
    ['an empty Precedence', { precedence: '' }],
    ['an empty List-Unsubscribe', { listUnsubscribe: '' }],
    ['Precedence: first-class', { precedence: 'first-class' }],
  ])('%s is not bulk', (_, headers) => {
    expect(isBulk({ ...NO_BULK, ...headers })).toBe(false);
  });
});

describe('isBlocked (R21a: any blocked participant)', () => {
  it.each([
    ['a blocked address, Gmail dots and +tag folded', ['dana@customer.test', 'patprivate@gmail.com']],
    ['a blocked domain', ['lex@brightline-legal.test']],
    ['a subdomain of a blocked domain', ['lex@eu.brightline-legal.test']],
  ])('%s', (_, participants) => expect(isBlocked(participants, policy)).toBe(true));
  it('not a lookalike domain or another address', () => {
    expect(isBlocked(['lex@notbrightline-legal.test', 'pat.private@customer.test'], policy)).toBe(false);
  });
});

describe('isInternalOnly (R21, R21a)', () => {
  it('every participant at a workspace domain or its subdomain', () => {
    expect(isInternalOnly(['riley@acme.test', 'ola@eu.acme.test'], policy)).toBe(true);
  });
  it('not with one external participant, and not with none', () => {
    expect(isInternalOnly(['riley@acme.test', 'dana@customer.test'], policy)).toBe(false);
    expect(isInternalOnly([], policy)).toBe(false);
  });
});

describe('matching (R19, R21a)', () => {
  const contacts = indexContacts([
    { id: 'ct-1', emails: ['Dana.Buyer@Customer.TEST', 'dana.home@example.test'] },
    { id: 'ct-2', emails: ['jane.doe@gmail.com'] },
    { id: 'ct-3', emails: ['sales@acme.test'] },
    { id: 'ct-4', emails: ['dana.buyer@customer.test'] },
  ]);
  const own = ownAddresses({ address: 'riley@acme.test', aliases: ['riley.sales@acme.test'], replyTo: 'Sales@Acme.test' });

  it('indexes primary and additional emails, several contacts per address', () => {
    expect(contacts.get('dana.buyer@customer.test')).toEqual(['ct-1', 'ct-4']);
    expect(contacts.get('dana.home@example.test')).toEqual(['ct-1']);
  });

  it('folds dots and +tags only for gmail.com and googlemail.com, case everywhere', () => {
    expect(matchContacts(['janedoe@gmail.com'], own, contacts)).toEqual(['ct-2']);
    expect(matchContacts(['dana.buyer@customer.test'], own, contacts)).toEqual(['ct-1', 'ct-4']);
    expect(matchContacts(['dana.buyer+deal@customer.test', 'danabuyer@customer.test'], own, contacts)).toEqual([]);
  });

  it("never matches the mailbox's own address, aliases or reply-to", () => {
    expect([...own].sort()).toEqual(['riley.sales@acme.test', 'riley@acme.test', 'sales@acme.test']);
    expect(matchContacts(['sales@acme.test', 'dana.home@example.test'], own, contacts)).toEqual(['ct-1']);
  });
});

describe('classify (R21a: exactly one reason, the first that applies)', () => {
  const contacts = indexContacts([{ id: 'ct-1', emails: ['dana@customer.test'] }]);
  const strict = policySets({ workspaceDomains: ['acme.test'], blockedAddresses: ['blocked@acme.test'], blockedDomains: [], excludedCategories: ['promotions'] });
  const everything: MessageFacts = {
    participants: ['blocked@acme.test', 'riley@acme.test'],
    folder: 'spam',
    category: 'promotions',
    bulk: { ...NO_BULK, listId: 'x' },
  };
  const mailbox: MailboxFacts = { scope: 'personal', own: new Set(['riley@acme.test']), dontSync: true, linkedContactIds: [] };

  it('walks the reasons in order as each stops applying', () => {
    const steps: [string, MessageFacts, MailboxFacts, typeof strict][] = [];
    let message = everything;
    let box = mailbox;
    let rules = strict;
    steps.push(['dont_sync', message, box, rules]);
    box = { ...box, dontSync: false };
    steps.push(['excluded_folder', message, box, rules]);
    message = { ...message, folder: 'inbox' };
    steps.push(['excluded_category', message, box, rules]);
    message = { ...message, category: 'primary' };
    steps.push(['bulk', message, box, rules]);
    message = { ...message, bulk: NO_BULK };
    steps.push(['blocked', message, box, rules]);
    rules = { ...rules, blockedAddresses: new Set() };
    steps.push(['internal_only', message, box, rules]);
    message = { ...message, participants: [...message.participants, 'stranger@customer.test'] };
    steps.push(['no_contact', message, box, rules]);
    message = { ...message, participants: [...message.participants, 'dana@customer.test'] };
    steps.push(['personal_scope', message, box, rules]);
    box = { ...box, scope: 'sales' };
    expect(steps.map(([, m, b, r]) => classify(m, b, r, contacts).reason)).toEqual(steps.map(([reason]) => reason));
    expect(classify(message, box, rules, contacts)).toEqual({ reason: null, contactIds: ['ct-1'] });
  });

  it('manual links replace matching: they lift no_contact and personal_scope, nothing earlier', () => {
    const linked = { ...mailbox, dontSync: false, linkedContactIds: ['ct-9', 'ct-2', 'ct-9'] };
    const external: MessageFacts = { participants: ['stranger@customer.test', 'dana@customer.test'], folder: 'inbox', category: null, bulk: NO_BULK };
    expect(classify(external, linked, strict, contacts)).toEqual({ reason: null, contactIds: ['ct-2', 'ct-9'] });
    expect(classify({ ...external, participants: ['riley@acme.test', 'ola@acme.test'] }, linked, strict, contacts).reason).toBe('internal_only');
    expect(classify({ ...external, folder: 'trash' }, linked, strict, contacts).reason).toBe('excluded_folder');
  });

  it('keeps what matching found on a skipped message', () => {
    const personal = { ...mailbox, dontSync: false };
    const external: MessageFacts = { participants: ['dana@customer.test'], folder: null, category: null, bulk: NO_BULK };
    expect(classify(external, personal, strict, contacts)).toEqual({ reason: 'personal_scope', contactIds: ['ct-1'] });
  });
});

describe('addressRole (the sidebar\'s participant roles, R21, R21a)', () => {
  const own = ownAddresses({ address: 'rep@acme.test', aliases: ['rep.alias@other.test'], replyTo: 'desk@acme.test' });
  it.each([
    ['rep@acme.test', 'self'],
    ['rep.alias@other.test', 'self'],
    ['desk@acme.test', 'self'],
    ['dev@acme.test', 'internal'],
    ['dev@eu.acme.test', 'internal'],
    ['dev@acme.test.evil.test', null],
    ['dev@notacme.test', null],
    ['patprivate@gmail.com', 'blocked'],
    ['counsel@eu.brightline-legal.test', 'blocked'],
    ['dana@buyer.test', null],
  ] as const)('%s is %s', (address, role) => {
    expect(addressRole(address, own, policy)).toBe(role);
  });

  it('a blocked address at a workspace domain is blocked; our own address stays self even when blocked', () => {
    const strict = policySets({ workspaceDomains: ['acme.test'], blockedAddresses: ['legal@acme.test', 'rep@acme.test'], blockedDomains: [], excludedCategories: [] });
    expect(addressRole('legal@acme.test', own, strict)).toBe('blocked');
    expect(addressRole('rep@acme.test', own, strict)).toBe('self');
  });
});
