import { beforeEach, describe, expect, it } from 'vitest';
import { contactsWithEmail, type MailboxCrmDatabase, putContacts } from '@/lib/db';
import { aContact } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

describe('contact queries', () => {
  it('finds contacts by any of their addresses (R19, R20)', async () => {
    await putContacts(db, [aContact(), aContact({ id: 'c-2', emails: ['lee@other.test'] })]);
    expect((await contactsWithEmail(db, 'dana.buyer@customer.test')).map((c) => c.id)).toEqual(['c-1']);
    await expect(putContacts(db, [aContact({ url: 'javascript:alert(1)' })])).rejects.toThrow();
  });
});
