import { beforeEach, describe, expect, it } from 'vitest';
import { policySets } from '@/lib/matching/skip-rules';
import { toCrmEmail } from '@/lib/crm';
import { type MailboxCrmDatabase, putContacts, putThreadLink } from '@/lib/db';
import type { Mailbox, Message, PrivacyRules, SkipReason } from '@/lib/domain';
import { countDecisions, decide, type DecideContext, loadDecideContext } from '@/lib/sync/decide';
import { aContact, aMailbox, aMessage, aThreadLink } from '../../fixtures/domain';
import { useFreshDatabase } from '../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(async () => {
  db = database();
  await putContacts(db, [aContact(), aContact({ id: 'c-2', name: 'Jane Doe', primaryEmail: 'jane@other.test', emails: ['jane@other.test'] })]);
});

const NOW = Date.parse('2026-11-21T08:00:00Z');
const RULES: PrivacyRules = { workspaceDomains: ['acme-sales.test'], blockedAddresses: ['blocked@acme-sales.test'], blockedDomains: [], excludedCategories: ['promotions'] };
const sales = aMailbox();
const personal = aMailbox({ scope: 'personal' });
const stranger = { name: null, address: 'stranger@customer.test' };

/** Decides one message of `mailbox` with the mirror and thread links stored in the database. */
async function decideOne(message: Message, mailbox: Mailbox = sales, options?: { contentRead: boolean }) {
  const ctx: DecideContext = await loadDecideContext(db, mailbox, policySets(RULES), [message]);
  return decide(message, ctx, 'run-1', NOW, options);
}

/** R21a's order, written out from the product brief rather than read from the code under test. */
const R21A_ORDER: readonly SkipReason[] = ['dont_sync', 'excluded_folder', 'excluded_category', 'bulk', 'blocked', 'internal_only', 'no_contact', 'personal_scope'];

/** A message every rule from `R21A_ORDER[from]` on applies to, and no earlier one. */
function failingFrom(from: number): { message: Message; mailbox: Mailbox; dontSync: boolean } {
  const applies = (reason: SkipReason) => R21A_ORDER.indexOf(reason) >= from;
  const colleague = { name: null, address: 'ola@acme-sales.test' };
  const blocked = { name: null, address: 'blocked@acme-sales.test' };
  // Internal only: every participant at the workspace domain, no contact; else Dana, a contact
  // unless `no_contact` applies, when it is a stranger.
  const from_ = applies('internal_only') ? colleague : applies('no_contact') ? stranger : { name: 'Dana Buyer', address: 'dana@customer.test' };
  const cc = applies('blocked') ? [blocked] : [];
  return {
    dontSync: applies('dont_sync'),
    mailbox: applies('personal_scope') ? personal : sales,
    message: aMessage({
      from: from_,
      cc,
      participants: [from_.address, 'rep@acme-sales.test', ...cc.map((a) => a.address)],
      folder: applies('excluded_folder') ? 'trash' : null,
      category: applies('excluded_category') ? 'promotions' : 'primary',
      bulk: { listUnsubscribe: applies('bulk') ? '<mailto:leave@list.test>' : null, listId: null, precedence: null, autoSubmitted: null },
    }),
  };
}

describe('decide: pushed with its contacts, or skipped with exactly one reason (R19, R21, R21a)', () => {
  it('pushes a matched message under its CRM key, with a write carrying what the visibility allows', async () => {
    const message = aMessage({ body: 'SECRET-BODY' });
    const { verdict, offer } = await decideOne(message);
    expect(verdict).toEqual({
      mailboxId: sales.id,
      providerId: message.providerId,
      threadKey: message.threadKey,
      key: '<CAF=abc123@mail.gmail.com>',
      reason: null,
      contactIds: ['c-1'],
      runId: 'run-1',
      decidedAt: NOW,
    });
    expect(offer).toEqual({
      idempotencyKey: '<CAF=abc123@mail.gmail.com>',
      mailboxId: sales.id,
      providerId: message.providerId,
      messageId: message.messageId,
      contactIds: ['c-1'],
      runId: 'run-1',
      visibility: 'snippet',
      payload: toCrmEmail(message, ['c-1'], 'snippet', sales.address),
    });
  });

  it.each(R21A_ORDER.map((reason, index) => [reason, index] as const))('gives the first reason that applies, in R21a’s order: %s', async (reason, index) => {
    const { message, mailbox, dontSync } = failingFrom(index);
    if (dontSync) await putThreadLink(db, aThreadLink({ mailboxId: mailbox.id, threadKey: message.threadKey, dontSync: true, contactIds: [] }));
    const decision = await decideOne(message, mailbox);
    expect(decision.verdict.reason).toBe(reason);
    expect(decision.offer).toBeNull();
    expect(countDecisions([decision], 1)).toMatchObject({ fetched: 1, matched: 0, pushed: 0, skipped: { [reason]: 1 }, contacts: {} });
  });

  it('pushes once no rule applies', async () => {
    const { message, mailbox } = failingFrom(R21A_ORDER.length);
    expect((await decideOne(message, mailbox)).verdict).toMatchObject({ reason: null, contactIds: ['c-1'] });
  });

  it('never matches the mailbox’s own address, aliases or reply-to, even when the CRM has them as contacts', async () => {
    const mailbox = aMailbox({ identity: { displayName: 'Rep', replyTo: 'sales@acme-sales.test', aliases: ['rep.alias@acme-sales.test'] } });
    await putContacts(db, [aContact({ id: 'c-own', primaryEmail: 'rep@acme-sales.test', emails: ['Rep@acme-sales.test', 'rep.alias@acme-sales.test', 'sales@acme-sales.test'] })]);
    const own = ['rep@acme-sales.test', 'rep.alias@acme-sales.test', 'sales@acme-sales.test'];
    const message = aMessage({ from: stranger, to: own.map((address) => ({ name: null, address })), participants: ['stranger@customer.test', ...own] });
    expect((await decideOne(message, mailbox)).verdict).toMatchObject({ reason: 'no_contact', contactIds: [] });
    // The same contact is matched through an address that is not the mailbox's.
    await putContacts(db, [aContact({ id: 'c-own', primaryEmail: 'rep@acme-sales.test', emails: ['stranger@customer.test', 'rep@acme-sales.test'] })]);
    expect((await decideOne(message, mailbox)).verdict).toMatchObject({ reason: null, contactIds: ['c-own'] });
  });
});

describe('decide: the user’s thread marks override matching (R27)', () => {
  const link = (contactIds: string[], dontSync = false, mailbox: Mailbox = sales) => putThreadLink(db, aThreadLink({ mailboxId: mailbox.id, threadKey: aMessage().threadKey, contactIds, dontSync }));

  it('a manual link replaces the matched contacts', async () => {
    await link(['c-2']);
    const { verdict, offer } = await decideOne(aMessage());
    expect(verdict).toMatchObject({ reason: null, contactIds: ['c-2'] });
    expect(offer).toMatchObject({ contactIds: ['c-2'], payload: { contact_ids: ['c-2'] } });
  });

  it('a manual link lifts no_contact and personal_scope', async () => {
    await link(['c-2'], false, personal);
    expect((await decideOne(aMessage({ from: stranger, participants: ['stranger@customer.test', 'rep@acme-sales.test'] }), personal)).verdict).toMatchObject({ reason: null, contactIds: ['c-2'] });
  });

  it.each([
    ['excluded_folder', { folder: 'spam' }],
    ['excluded_category', { category: 'promotions' }],
    ['bulk', { bulk: { listUnsubscribe: null, listId: '<news.list.test>', precedence: null, autoSubmitted: null } }],
    ['blocked', { cc: [{ name: null, address: 'blocked@acme-sales.test' }], participants: ['dana@customer.test', 'rep@acme-sales.test', 'blocked@acme-sales.test'] }],
    ['internal_only', { from: { name: null, address: 'ola@acme-sales.test' }, participants: ['ola@acme-sales.test', 'rep@acme-sales.test'] }],
  ] as const)('a manual link does not lift %s', async (reason, overrides) => {
    await link(['c-2']);
    expect((await decideOne(aMessage(overrides as Partial<Message>))).verdict).toMatchObject({ reason, contactIds: ['c-2'] });
  });

  it('leaves out a linked contact the mirror does not have: the CRM would refuse it', async () => {
    await link(['c-gone', 'c-2']);
    expect((await decideOne(aMessage())).verdict).toMatchObject({ reason: null, contactIds: ['c-2'] });
    // With none of its contacts left, the link is no link: matching decides, and a personal mailbox skips.
    await link(['c-gone']);
    expect((await decideOne(aMessage())).verdict).toMatchObject({ reason: null, contactIds: ['c-1'] });
    await link(['c-gone'], false, personal);
    expect((await decideOne(aMessage(), personal)).verdict).toMatchObject({ reason: 'personal_scope', contactIds: ['c-1'] });
  });

  it('"don’t sync" skips the thread before every other rule, link or not', async () => {
    await link(['c-2'], true);
    const decision = await decideOne(aMessage());
    expect(decision.verdict.reason).toBe('dont_sync');
    expect(decision.offer).toBeNull();
  });
});

describe('decide: what the CRM may receive (R22)', () => {
  const message = aMessage({ subject: 'Renewal quote', snippet: 'SECRET-SNIPPET', body: 'SECRET-BODY' });

  it.each([
    ['metadata', []],
    ['snippet', ['snippet', 'subject']],
    ['full', ['body', 'snippet', 'subject']],
  ] as const)('%s visibility: the payload carries %j of the content', async (visibility, content) => {
    const { offer } = await decideOne(message, aMailbox({ visibility }));
    expect(offer?.visibility).toBe(visibility);
    expect(Object.keys(offer!.payload!).filter((field) => ['subject', 'snippet', 'body'].includes(field)).sort()).toEqual(content);
    expect(offer!.payload).toEqual(toCrmEmail(message, ['c-1'], visibility, sales.address));
  });

  it('a message read from the local store (content not read) has no payload until its content is read again, unless metadata is all it needs', async () => {
    expect((await decideOne(message, aMailbox({ visibility: 'snippet' }), { contentRead: false })).offer).toMatchObject({ payload: null, visibility: 'snippet' });
    expect((await decideOne(message, aMailbox({ visibility: 'full' }), { contentRead: false })).offer).toMatchObject({ payload: null, visibility: 'full' });
    const metadata = (await decideOne(aMessage({ snippet: null, body: null }), aMailbox({ visibility: 'metadata' }), { contentRead: false })).offer;
    expect(metadata?.payload).toEqual(toCrmEmail(aMessage(), ['c-1'], 'metadata', sales.address));
  });
});

describe('countDecisions (R17)', () => {
  it('counts fetched, matched, each skip reason and each contact pushed to', async () => {
    await putContacts(db, [aContact({ id: 'c-3', primaryEmail: 'sam@customer.test', emails: ['sam@customer.test'] })]);
    const decisions = await Promise.all([
      decideOne(aMessage({ providerId: 'a' })),
      decideOne(aMessage({ providerId: 'b', cc: [{ name: null, address: 'sam@customer.test' }], participants: ['dana@customer.test', 'rep@acme-sales.test', 'sam@customer.test'] })),
      decideOne(aMessage({ providerId: 'c', folder: 'trash' })),
      decideOne(aMessage({ providerId: 'd', folder: 'spam' })),
      decideOne(aMessage({ providerId: 'e', from: stranger, participants: ['stranger@customer.test', 'rep@acme-sales.test'] })),
    ]);
    expect(countDecisions(decisions, 7)).toEqual({
      fetched: 7,
      matched: 2,
      pushed: 0,
      duplicates: 0,
      errors: 0,
      skipped: { excluded_folder: 2, no_contact: 1 },
      contacts: { 'c-1': 2, 'c-3': 1 },
    });
    expect(countDecisions([], 0)).toEqual({ fetched: 0, matched: 0, pushed: 0, duplicates: 0, errors: 0, skipped: {}, contacts: {} });
  });
});
