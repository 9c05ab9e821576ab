import { beforeEach, describe, expect, it } from 'vitest';
import { getMessage, type MailboxCrmDatabase, messagesWithMessageId, putMessages } from '@/lib/db';
import { aMessage } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

describe('message queries', () => {
  it('finds a message by provider id in its mailbox, and its copies across mailboxes by Message-ID (R15)', async () => {
    const copy = aMessage({ mailboxId: 'outlook:support@acme-sales.test', providerId: 'AAMkAD==' });
    await putMessages(db, [aMessage(), copy]);
    await putMessages(db, [aMessage({ labels: ['INBOX', 'STARRED'] })]);
    expect(await getMessage(db, aMessage().mailboxId, aMessage().providerId)).toEqual(aMessage({ labels: ['INBOX', 'STARRED'], snippet: null }));
    expect(await messagesWithMessageId(db, aMessage().messageId!)).toHaveLength(2);
    await expect(putMessages(db, [aMessage({ providerId: 'x' }), aMessage({ providerId: '' })])).rejects.toThrow();
    expect(await getMessage(db, aMessage().mailboxId, 'x')).toBeUndefined();
  });

  it('stores messages as metadata only: a snippet or body never stays in the browser (R23)', async () => {
    await putMessages(db, [aMessage({ snippet: 'SECRET-SNIPPET', body: 'SECRET-BODY' })]);
    expect(await getMessage(db, aMessage().mailboxId, aMessage().providerId)).toEqual(aMessage({ snippet: null, body: null }));
    expect(JSON.stringify(await db.messages.toArray())).not.toMatch(/SECRET/);
  });
});
