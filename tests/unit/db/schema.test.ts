import Dexie from 'dexie';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailboxCrmDatabase, putContacts, SCHEMA_VERSIONS } from '@/lib/db';
import { aContact, aMailbox, aMessage } from '../../fixtures/domain';

let db: MailboxCrmDatabase;

beforeEach(async () => {
  db = new MailboxCrmDatabase(`schema-${crypto.randomUUID()}`);
  await db.open();
});
afterEach(async () => {
  await db.delete();
});

describe('MailboxCrmDatabase schema', () => {
  it('opens at the latest version with every table', () => {
    expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
    expect(db.tables.map((t) => t.name).sort()).toEqual(
      ['checkpoints', 'contacts', 'jobs', 'mailboxes', 'messages', 'outbox', 'syncRuns', 'threadLinks', 'verdicts'].sort(),
    );
  });

  it('refuses a second mailbox with the same provider and address', async () => {
    await db.mailboxes.add(aMailbox());
    await expect(db.mailboxes.add(aMailbox({ id: 'other-id' }))).rejects.toThrow(Dexie.ConstraintError);
    // The same address through another provider is a different mailbox.
    await db.mailboxes.add(aMailbox({ id: 'imap:rep', provider: 'imap' }));
    expect(await db.mailboxes.count()).toBe(2);
  });

  it('finds messages by provider id, Message-ID, thread, participant and date', async () => {
    const first = aMessage();
    const reply = aMessage({
      providerId: '18c2a0f4e1b2c3ff',
      messageId: '<reply-1@acme-sales.test>',
      direction: 'sent',
      participants: ['rep@acme-sales.test', 'dana@customer.test', 'sam@customer.test'],
      date: Date.parse('2026-11-21T08:00:00Z'),
    });
    const sameMessageOtherMailbox = aMessage({ mailboxId: 'outlook:support@acme-sales.test', providerId: 'AAMkAD==' });
    await db.messages.bulkPut([first, reply, sameMessageOtherMailbox]);

    expect(await db.messages.get([first.mailboxId, first.providerId])).toEqual(first);
    expect(await db.messages.where('messageId').equals(first.messageId!).count()).toBe(2);
    expect(await db.messages.where('threadKey').equals(first.threadKey).count()).toBe(3);
    const withSam = await db.messages.where('participants').equals('sam@customer.test').toArray();
    expect(withSam.map((m) => m.providerId)).toEqual([reply.providerId]);
    const lastDay = await db.messages
      .where('[mailboxId+date]')
      .between([first.mailboxId, Date.parse('2026-11-21T00:00:00Z')], [first.mailboxId, Dexie.maxKey])
      .toArray();
    expect(lastDay.map((m) => m.providerId)).toEqual([reply.providerId]);
  });

  it('finds contacts by any of their addresses, by update time and by a word of the name or company', async () => {
    await putContacts(db, [aContact(), aContact({ id: 'c-2', name: 'Lee Ortiz', company: 'Other & Sons', emails: ['lee@other.test'], updatedAt: 5 })]);
    expect((await db.contacts.where('emails').equals('dana.buyer@customer.test').first())?.id).toBe('c-1');
    expect((await db.contacts.orderBy('updatedAt').first())?.id).toBe('c-2');
    expect((await db.contacts.where('words').equals('ortiz').first())?.id).toBe('c-2');
    expect((await db.contacts.where('words').equals('sons').first())?.id).toBe('c-2');
  });
});
