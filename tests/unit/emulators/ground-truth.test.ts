import { describe, expect, it } from 'vitest';
import { maskOf } from '@/emulators/google/labels';
import { categoryOfMask, folderOfMask } from '@/emulators/google/truth';
import { generateWorld } from '@/emulators/seed/generate';
import { allowedFields, createJudge, expectedCrmEmails, groundTruth, participantsOf, type TruthInput, type Verdict } from '@/emulators/seed/ground-truth';
import { type LiveMessage, type Policy, ThreadMarks } from '@/emulators/seed/policy';
import type { SeedContact, SeedMailbox, SeedMessage } from '@/emulators/seed/types';
import { worldTruthInput } from '../../support/world-truth';

// Hand-built cases: each names the rule of R15, R19–R22, R21a or R27 it checks.
const rep: SeedMailbox = {
  id: 'riley', provider: 'gmail', address: 'riley@acme-sales.test', displayName: 'Riley Rep',
  replyTo: 'sales@acme-sales.test', aliases: ['riley.sales@acme-sales.test'], scope: 'sales', kind: 'personal', timeZone: 'UTC',
};
const sam: SeedMailbox = { ...rep, id: 'sam', address: 'sam@acme-sales.test', aliases: [], replyTo: null, scope: 'personal' };
const support: SeedMailbox = { ...rep, id: 'support', provider: 'outlook', address: 'support@acme-sales.test', aliases: ['help@acme-sales.test'], replyTo: null, scope: 'support', kind: 'shared' };
const contacts: SeedContact[] = [
  { id: 'ct-1', name: 'Dana Buyer', companyId: 'co-1', primaryEmail: 'Dana.Buyer@Customer.TEST', additionalEmails: ['dana.home@example.test'], createdAt: 0, updatedAt: 0 },
  { id: 'ct-2', name: 'Jane Doe', companyId: null, primaryEmail: 'jane.doe@gmail.com', additionalEmails: [], createdAt: 0, updatedAt: 0 },
  { id: 'ct-4', name: 'Ola Colleague', companyId: null, primaryEmail: 'ola@acme-sales.test', additionalEmails: [], createdAt: 0, updatedAt: 0 },
  { id: 'ct-5', name: 'Sal Es', companyId: null, primaryEmail: 'sales@acme-sales.test', additionalEmails: ['Riley.Sales@acme-sales.test'], createdAt: 0, updatedAt: 0 },
];
const basePolicy: Policy = {
  workspaceDomains: ['acme-sales.test'],
  blockedAddresses: ['pat.private@gmail.com'],
  blockedDomains: ['brightline-legal.test'],
  excludedCategories: ['promotions', 'social', 'updates', 'forums'],
  mailboxes: { riley: { scope: 'sales', visibility: 'snippet' }, sam: { scope: 'personal', visibility: 'metadata' }, support: { scope: 'support', visibility: 'full' } },
};
const dana = { name: 'Dana Buyer', address: 'dana.buyer@customer.test' };

let seq = 0;
function content(overrides: Partial<SeedMessage>): SeedMessage {
  seq++;
  return {
    mailboxId: 'riley', providerId: `id${seq}`, threadId: `t${seq}`, internalDate: 0, messageId: `<m${seq}@customer.test>`,
    subject: 'Quote', from: dana, to: [{ name: 'Riley Rep', address: 'riley@acme-sales.test' }], cc: [], bcc: [], replyTo: [],
    headers: [['Subject', 'Quote']], body: 'Hello', box: 'inbox', category: 'primary', unread: false, kind: 'customer',
    ...overrides,
  };
}
const live = (overrides: Partial<SeedMessage> = {}, place: Partial<Omit<LiveMessage, 'content'>> = {}): LiveMessage => ({
  content: content(overrides), folder: 'inbox', category: 'primary', ...place,
});
function setup(options: { policy?: Policy; marks?: ThreadMarks } = {}): Omit<TruthInput, 'messages'> {
  return { mailboxes: [rep, sam, support], contacts, policy: options.policy ?? basePolicy, marks: options.marks ?? new ThreadMarks() };
}
const verdict = (message: LiveMessage, options: Parameters<typeof setup>[0] = {}): Verdict => createJudge(setup(options))(message);

describe('ground truth: one message (R19–R21, R21a)', () => {
  it('pushes a received customer email to the matched contact, under its normalised Message-ID', () => {
    expect(verdict(live({ messageId: ' <AbC@customer.test> ' }))).toMatchObject({ push: true, contactIds: ['ct-1'], reason: null, key: '<AbC@customer.test>' });
  });

  it('pushes sent mail to every matched recipient, Bcc and additional emails included', () => {
    const v = verdict(live(
      { from: { name: null, address: 'riley@acme-sales.test' }, to: [{ name: null, address: 'DANA.HOME@example.test' }], bcc: [{ name: null, address: 'j.a.n.e.doe+deal@googlemail.com' }] },
      { folder: 'sent', category: null },
    ));
    expect(v).toMatchObject({ push: true, contactIds: ['ct-1', 'ct-2'] });
  });

  it('does not take Reply-To as a participant: neither to match nor to block', () => {
    const stranger = { name: null, address: 'stranger@customer.test' };
    expect(verdict(live({ from: stranger, replyTo: [dana] })).reason).toBe('no_contact');
    expect(verdict(live({ replyTo: [{ name: null, address: 'lex@brightline-legal.test' }] })).reason).toBe(null);
    expect(participantsOf(content({ replyTo: [dana], cc: [dana] }))).toEqual(['dana.buyer@customer.test', 'riley@acme-sales.test']);
  });

  it("never matches the mailbox's own address, aliases or reply-to, even when they are CRM contacts", () => {
    const own = ['riley@acme-sales.test', 'riley.sales@acme-sales.test', 'sales@acme-sales.test'].map((address) => ({ name: null, address }));
    expect(verdict(live({ from: { name: null, address: 'x@customer.test' }, to: own }))).toMatchObject({ reason: 'no_contact', contactIds: [] });
  });

  it('treats archived Gmail mail (no box label) as allowed', () => {
    expect(verdict(live({}, { folder: null, category: null }))).toMatchObject({ push: true, reason: null });
  });

  it.each([['spam'], ['trash'], ['draft'], ['chat'], ['junkemail'], ['deleteditems'], ['drafts']])('never pushes from %s', (folder) => {
    expect(verdict(live({}, { folder, category: null })).reason).toBe('excluded_folder');
  });

  it("excludes the policy's categories, and only those", () => {
    expect(verdict(live({}, { category: 'promotions' })).reason).toBe('excluded_category');
    expect(verdict(live({}, { category: 'promotions' }), { policy: { ...basePolicy, excludedCategories: ['social'] } }).reason).toBe(null);
  });

  it('reads the bulk markers from the headers: Auto-Submitted: no and an empty List-Id are not bulk', () => {
    expect(verdict(live({ headers: [['Auto-Submitted', 'auto-replied']] })).reason).toBe('bulk');
    expect(verdict(live({ headers: [['auto-submitted', 'No (a person wrote this)'], ['List-Id', ''], ['Precedence', ' ']] })).reason).toBe(null);
  });

  it('skips the whole message when any participant is blocked, subdomains included', () => {
    expect(verdict(live({ cc: [{ name: null, address: 'Pat.Private+x@googlemail.com' }] })).reason).toBe('blocked');
    expect(verdict(live({ cc: [{ name: null, address: 'lex@eu.brightline-legal.test' }] })).reason).toBe('blocked');
  });

  it('counts workspace subdomains as internal', () => {
    const v = verdict(live({ from: { name: null, address: 'ola@eu.acme-sales.test' } }));
    expect(v.reason).toBe('internal_only');
  });

  it("uses each mailbox's scope from the policy: personal only after everything else", () => {
    expect(verdict(live({ mailboxId: 'sam' }))).toMatchObject({ reason: 'personal_scope', contactIds: ['ct-1'] });
    expect(verdict(live({ mailboxId: 'sam', from: { name: null, address: 'stranger@customer.test' } })).reason).toBe('no_contact');
    const widened = { ...basePolicy, mailboxes: { ...basePolicy.mailboxes, sam: { scope: 'sales' as const, visibility: 'metadata' as const } } };
    expect(verdict(live({ mailboxId: 'sam' }), { policy: widened }).reason).toBe(null);
    expect(verdict(live({ mailboxId: 'riley' }), { policy: { ...basePolicy, mailboxes: { ...basePolicy.mailboxes, riley: { scope: 'personal', visibility: 'snippet' } } } }).reason).toBe('personal_scope');
  });
});

describe('ground truth: thread marks (R27)', () => {
  it('"don\'t sync" skips every message of that thread of that mailbox, first of all reasons', () => {
    const marks = new ThreadMarks();
    marks.set({ mailboxId: 'riley', threadId: 'deal', dontSync: true, contactIds: [] });
    expect(verdict(live({ threadId: 'deal' }, { folder: 'spam' }), { marks }).reason).toBe('dont_sync');
    expect(verdict(live({ threadId: 'other' }), { marks }).reason).toBe(null);
    expect(verdict(live({ threadId: 'deal', mailboxId: 'support' }), { marks }).reason).toBe(null);
    marks.clear('riley', 'deal');
    expect(verdict(live({ threadId: 'deal' }), { marks }).reason).toBe(null);
  });

  it('manual links replace matching, push from a personal mailbox, and drop contacts the CRM lacks', () => {
    const marks = new ThreadMarks();
    marks.set({ mailboxId: 'sam', threadId: 'linked', dontSync: false, contactIds: ['ct-2', 'ct-gone'] });
    expect(verdict(live({ mailboxId: 'sam', threadId: 'linked' }), { marks })).toMatchObject({ push: true, contactIds: ['ct-2'] });
    marks.set({ mailboxId: 'sam', threadId: 'gone', dontSync: false, contactIds: ['ct-gone'] });
    expect(verdict(live({ mailboxId: 'sam', threadId: 'gone' }), { marks })).toMatchObject({ reason: 'personal_scope', contactIds: ['ct-1'] });
  });

  it('a mark that neither blocks nor links is no mark', () => {
    const marks = new ThreadMarks();
    marks.set({ mailboxId: 'riley', threadId: 'x', dontSync: true, contactIds: [] });
    marks.set({ mailboxId: 'riley', threadId: 'x', dontSync: false, contactIds: [] });
    expect(marks.list()).toEqual([]);
  });
});

describe('expected CRM emails (R15, R21a, R22)', () => {
  const all = (messages: LiveMessage[], options: Parameters<typeof setup>[0] = {}) => groundTruth({ ...setup(options), messages });

  it('dedupes by the normalised Message-ID, with the union of contacts; case is kept', () => {
    const truth = all([
      live({ messageId: '<Shared@customer.test>' }),
      live({ mailboxId: 'support', messageId: ' Shared@customer.test', cc: [{ name: null, address: 'jane.doe@gmail.com' }] }),
      live({ messageId: '<shared@customer.test>' }),
    ]);
    expect(truth.crmEmails.map((e) => [e.key, e.contactIds, e.sources.map((s) => s.mailboxId)])).toEqual([
      ['<Shared@customer.test>', ['ct-1', 'ct-2'], ['riley', 'support']],
      ['<shared@customer.test>', ['ct-1'], ['riley']],
    ]);
  });

  it('pushes a message excluded in one mailbox (Trash) once, from the mailbox that allows it', () => {
    const truth = all([live({ messageId: '<t@x.test>' }, { folder: 'trash', category: null }), live({ mailboxId: 'support', messageId: '<t@x.test>' }, { folder: 'inbox', category: null })]);
    expect(truth.verdicts.map((v) => v.reason)).toEqual(['excluded_folder', null]);
    expect(truth.crmEmails).toHaveLength(1);
    expect(truth.crmEmails[0]!.sources).toEqual([{ mailboxId: 'support', providerId: truth.verdicts[1]!.providerId, visibility: 'full' }]);
  });

  it('never dedupes messages without a Message-ID across mailboxes, even with the same provider id', () => {
    const truth = all([live({ messageId: null, providerId: 'same' }), live({ mailboxId: 'support', messageId: null, providerId: 'same' })]);
    expect(truth.crmEmails.map((e) => e.key)).toEqual([
      '<same.gmail.riley%40acme-sales.test@no-message-id.invalid>',
      '<same.outlook.support%40acme-sales.test@no-message-id.invalid>',
    ]);
  });

  it("says which fields each email may carry, by the pushing mailbox's visibility", () => {
    const marks = new ThreadMarks();
    marks.set({ mailboxId: 'sam', threadId: 'linked', dontSync: false, contactIds: ['ct-1'] });
    const truth = all([live({ mailboxId: 'sam', threadId: 'linked', messageId: '<a@x.test>' }), live({ messageId: '<b@x.test>' }), live({ mailboxId: 'support', messageId: '<c@x.test>' })], { marks });
    expect(truth.crmEmails.map((e) => [e.key, e.visibility, e.fields.filter((f) => ['subject', 'snippet', 'body'].includes(f))])).toEqual([
      ['<a@x.test>', 'metadata', []],
      ['<b@x.test>', 'snippet', ['subject', 'snippet']],
      ['<c@x.test>', 'full', ['subject', 'snippet', 'body']],
    ]);
    expect(allowedFields('metadata')).toEqual(['message_id', 'mailbox', 'direction', 'from', 'to', 'cc', 'date', 'thread_key', 'contact_ids']);
  });

  it('takes the widest visibility when several mailboxes allow the same message', () => {
    const emails = expectedCrmEmails(
      [
        { mailboxId: 'riley', providerId: 'a', threadId: 't', date: 1000, key: '<x@y>', folder: 'inbox', category: null, push: true, reason: null, contactIds: ['ct-1'] },
        { mailboxId: 'support', providerId: 'b', threadId: 't', date: 1000, key: '<x@y>', folder: 'inbox', category: null, push: true, reason: null, contactIds: ['ct-1'] },
      ],
      basePolicy,
    );
    expect(emails[0]).toMatchObject({ visibility: 'full', sources: [{ visibility: 'snippet' }, { visibility: 'full' }] });
  });

  it('answers for the selected mailboxes and window only, and builds the CRM emails from those copies alone', () => {
    const messages = [
      live({ providerId: 'r-old', messageId: '<old@x.test>', internalDate: 999 }),
      live({ providerId: 'r-edge', messageId: '<shared@x.test>', internalDate: 1000 }),
      live({ mailboxId: 'support', providerId: 's-new', messageId: '<shared@x.test>', internalDate: 5000, cc: [{ name: null, address: 'jane.doe@gmail.com' }] }),
      live({ mailboxId: 'sam', providerId: 'm-new', internalDate: 5000 }),
    ];
    const pick = (select: TruthInput['select']) => groundTruth({ ...setup(), messages, select });

    expect(pick(undefined).verdicts.map((v) => v.providerId)).toEqual(['r-old', 'r-edge', 's-new', 'm-new']);
    // `since` is inclusive, by the date the provider holds.
    const window = pick({ since: 1000 });
    expect(window.verdicts.map((v) => [v.providerId, v.date])).toEqual([
      ['r-edge', 1000],
      ['s-new', 5000],
      ['m-new', 5000],
    ]);
    const riley = pick({ mailboxIds: ['riley'] });
    expect(riley.verdicts.map((v) => v.providerId)).toEqual(['r-old', 'r-edge']);
    // Support's copy is not asked about: the shared email has riley's contacts and visibility only.
    expect(riley.crmEmails.find((e) => e.key === '<shared@x.test>')).toMatchObject({ contactIds: ['ct-1'], visibility: 'snippet', sources: [{ mailboxId: 'riley', providerId: 'r-edge' }] });
    const both = pick({ mailboxIds: ['riley', 'support'], since: 1000 });
    expect(both.verdicts.map((v) => v.providerId)).toEqual(['r-edge', 's-new']);
    expect(both.crmEmails).toEqual([expect.objectContaining({ key: '<shared@x.test>', contactIds: ['ct-1', 'ct-2'], visibility: 'full' })]);
    expect(both.counts).toEqual({ messages: 2, pushed: 2, skipped: {}, crmEmails: 1 });
    expect(pick({ mailboxIds: [] }).verdicts).toEqual([]);
  });

  it('counts pushes and skips by reason', () => {
    const truth = all([live(), live({}, { folder: 'spam' }), live({ mailboxId: 'sam' })]);
    expect(truth.counts).toEqual({ messages: 3, pushed: 1, skipped: { excluded_folder: 1, personal_scope: 1 }, crmEmails: 1 });
  });
});

describe('Gmail labels as the ground truth reads them', () => {
  it.each([
    [['INBOX', 'CATEGORY_PERSONAL', 'UNREAD'], 'inbox', 'primary'],
    [['CATEGORY_PROMOTIONS'], null, 'promotions'],
    [['INBOX', 'SPAM'], 'spam', null],
    [['INBOX', 'TRASH'], 'trash', null],
    [['SENT', 'INBOX'], 'sent', null],
    [['DRAFT'], 'draft', null],
  ])('%j: folder %s, category %s', (labels, folder, category) => {
    expect(folderOfMask(maskOf(labels))).toBe(folder);
    expect(categoryOfMask(maskOf(labels))).toBe(category);
  });
});

describe('ground truth of the seeded world', () => {
  it('gives every message one verdict, and pushes each key once', () => {
    const world = generateWorld({ seed: 7, size: 'demo', now: Date.UTC(2026, 10, 24) });
    const truth = groundTruth(worldTruthInput(world));
    expect(truth.verdicts).toHaveLength(world.messages.length);
    expect(new Set(truth.crmEmails.map((e) => e.key)).size).toBe(truth.crmEmails.length);
    expect(truth.counts.pushed).toBe(truth.verdicts.filter((v) => v.push).length);
  });
});
