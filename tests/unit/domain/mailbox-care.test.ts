import { describe, expect, it } from 'vitest';
import { checklistItemNeeded, confirmRefusal, openChecklistItems, isTestEmailCopy, senderIdentityChanged, sharedMailboxIssues, TEST_EMAIL_SUBJECT_PREFIX, testEmailSubject, testEmailUnreachable, withDetails, withSenderIdentity } from '@/lib/domain';
import { aMailbox } from '../../fixtures/domain';

const AT = Date.parse('2026-11-20T10:00:00Z');
const ticked = { purpose_owner_confirmed: AT, recovery_documented: AT, sender_verified: AT, test_send: AT };
const shared = aMailbox({ kind: 'shared', owner: 'dana@acme-sales.test', recoveryNote: 'Dana and Lee hold the recovery codes.', checklist: ticked });
const identity = { displayName: 'Riley Rep', replyTo: 'sales@acme-sales.test', aliases: [] };

describe('withDetails: the checklist follows the details (R32)', () => {
  it('a new owner or scope re-opens "purpose and owner confirmed" only', () => {
    for (const details of [{ owner: 'lee@acme-sales.test' }, { scope: 'support' as const }]) {
      const next = withDetails(shared, details);
      expect(next.checklist).toEqual({ recovery_documented: AT, sender_verified: AT, test_send: AT });
    }
  });

  it('a new recovery note re-opens "recovery documented" only', () => {
    expect(withDetails(shared, { recoveryNote: 'Lee holds them now.' }).checklist).toEqual({ purpose_owner_confirmed: AT, sender_verified: AT, test_send: AT });
  });

  it('the same values, or fields left out, re-open nothing', () => {
    expect(withDetails(shared, { owner: shared.owner, scope: shared.scope, visibility: 'full' })).toEqual({ ...shared, visibility: 'full' });
    expect(withDetails(shared, {})).toEqual(shared);
  });

  it('null clears a field; undefined keeps it', () => {
    expect(withDetails(shared, { kind: 'personal', owner: null })).toMatchObject({ kind: 'personal', owner: null, recoveryNote: shared.recoveryNote });
  });
});

describe('sharedMailboxIssues (R6)', () => {
  it('names the field each missing detail belongs to', () => {
    expect(sharedMailboxIssues({ kind: 'shared', owner: null, recoveryNote: ' ' }).map((i) => i.field)).toEqual(['owner', 'recoveryNote']);
    expect(sharedMailboxIssues({ kind: 'shared', owner: 'dana@acme.test', recoveryNote: null })).toEqual([{ field: 'recoveryNote', message: expect.stringMatching(/^A shared mailbox needs a recovery note/) }]);
    expect(sharedMailboxIssues({ kind: 'personal', owner: null, recoveryNote: null })).toEqual([]);
  });

  it("wants the owner of a shared mailbox as an email address, the CRM's form of it; a personal one may name anyone", () => {
    expect(sharedMailboxIssues({ kind: 'shared', owner: 'Dana Owner', recoveryNote: 'IT' })).toEqual([{ field: 'owner', message: expect.stringMatching(/^Enter the owner's email address, for example dana@example.com/) }]);
    expect(sharedMailboxIssues({ kind: 'shared', owner: ' dana@acme.test ', recoveryNote: 'IT' })).toEqual([]);
    expect(sharedMailboxIssues({ kind: 'personal', owner: 'Dana Owner', recoveryNote: null })).toEqual([]);
  });
});

describe('the sender identity (R7)', () => {
  it('re-opens "sender verified" when the display name or reply-to changed, not for the aliases or the case of an address', () => {
    const confirmed = aMailbox({ identity, checklist: { sender_verified: AT } });
    expect(withSenderIdentity(confirmed, { ...identity, displayName: 'Riley R.' }).checklist).toEqual({});
    expect(withSenderIdentity(confirmed, { ...identity, replyTo: null }).checklist).toEqual({});
    expect(withSenderIdentity(confirmed, { ...identity, replyTo: 'Sales@Acme-Sales.test', aliases: ['r@acme-sales.test'] }).checklist).toEqual({ sender_verified: AT });
    expect(senderIdentityChanged(null, identity)).toBe(true);
  });
});

describe('confirmRefusal (R7, R32)', () => {
  it('refuses "sender verified" before the identity was read', () => {
    expect(confirmRefusal(aMailbox({ identity: null }), 'sender_verified')).toMatch(/have not been read from the provider yet/);
    expect(confirmRefusal(aMailbox({ identity }), 'sender_verified')).toBeNull();
  });

  it('refuses "recovery documented" for a personal mailbox, and without a note', () => {
    expect(confirmRefusal(aMailbox(), 'recovery_documented')).toMatch(/personal mailbox/);
    expect(confirmRefusal({ ...shared, recoveryNote: null }, 'recovery_documented')).toMatch(/Write the recovery note first/);
    expect(confirmRefusal(shared, 'recovery_documented')).toBeNull();
  });

  it('allows "purpose and owner confirmed" for a mailbox whose details are complete', () => {
    expect(confirmRefusal(aMailbox(), 'purpose_owner_confirmed')).toBeNull();
    expect(confirmRefusal({ ...shared, owner: null }, 'purpose_owner_confirmed')).toMatch(/needs an owner/);
  });
});

describe('the test email (R31)', () => {
  const test = { to: 'me@example.com', subject: testEmailSubject(), sentAt: AT, providerId: null, receivedAt: null };

  it('has a subject of its own each time', () => {
    expect(test.subject.startsWith(TEST_EMAIL_SUBJECT_PREFIX)).toBe(true);
    expect(testEmailSubject()).not.toBe(test.subject);
  });

  it('is recognised by provider id when the provider gave one', () => {
    expect(isTestEmailCopy({ ...test, providerId: 'p1' }, { providerId: 'p1', subject: 'anything', direction: 'received' })).toBe(true);
    expect(isTestEmailCopy({ ...test, providerId: 'p1' }, { providerId: 'p2', subject: test.subject, direction: 'sent' })).toBe(false);
  });

  it('is recognised otherwise by its exact subject among sent mail', () => {
    expect(isTestEmailCopy(test, { providerId: 'x', subject: test.subject, direction: 'sent' })).toBe(true);
    expect(isTestEmailCopy(test, { providerId: 'x', subject: test.subject, direction: 'received' })).toBe(false);
    expect(isTestEmailCopy(test, { providerId: 'x', subject: `Re: ${test.subject}`, direction: 'sent' })).toBe(false);
  });

  it('could never come back when the mailbox syncs only labels or folders without Sent (nor the Inbox, for a test to itself)', () => {
    const gmail = aMailbox({ syncOnly: ['INBOX', 'Label_1'] });
    expect(testEmailUnreachable(gmail, 'me@example.com')).toMatch(/syncs only the labels you chose, and the Sent label is not among them/);
    expect(testEmailUnreachable(gmail, ` ${gmail.address.toUpperCase()} `)).toBeNull();
    expect(testEmailUnreachable({ ...gmail, syncOnly: ['Label_1'] }, gmail.address)).toMatch(/Sent label/);
    expect(testEmailUnreachable({ ...gmail, syncOnly: ['SENT'] }, 'me@example.com')).toBeNull();
    expect(testEmailUnreachable({ ...gmail, syncOnly: null }, 'me@example.com')).toBeNull();
    const outlook = aMailbox({ provider: 'outlook', syncOnly: ['inbox'] });
    expect(testEmailUnreachable(outlook, 'me@example.com')).toMatch(/syncs only the folders you chose, and the Sent Items folder is not among them/);
    expect(testEmailUnreachable({ ...outlook, syncOnly: ['inbox', 'sentitems'] }, 'me@example.com')).toBeNull();
  });
});

describe('openChecklistItems (R32, the popup\'s "N checklist items open")', () => {
  it('lists the items not done, recovery access only for a shared mailbox', () => {
    const personal = aMailbox({ kind: 'personal', checklist: {} });
    expect(openChecklistItems(personal)).toEqual(['purpose_owner_confirmed', 'test_send', 'test_receive', 'sender_verified', 'timeline_reviewed', 'matching_verified']);
    expect(openChecklistItems({ ...personal, kind: 'shared', checklist: { test_send: 1, test_receive: 2 } })).toEqual(['purpose_owner_confirmed', 'sender_verified', 'timeline_reviewed', 'recovery_documented', 'matching_verified']);
    expect(checklistItemNeeded(personal, 'recovery_documented')).toBe(false);
  });
});
