import { beforeEach, describe, expect, it } from 'vitest';
import { getThreadLink, type MailboxCrmDatabase, putThreadLink } from '@/lib/db';
import { aThreadLink } from '../../../fixtures/domain';
import { useFreshDatabase } from '../../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
beforeEach(() => {
  db = database();
});

describe('thread link queries', () => {
  it('keeps the user’s decision about a thread (R27)', async () => {
    await putThreadLink(db, aThreadLink());
    await putThreadLink(db, aThreadLink({ dontSync: true, contactIds: [] }));
    expect(await getThreadLink(db, aThreadLink().mailboxId, aThreadLink().threadKey)).toEqual(aThreadLink({ dontSync: true, contactIds: [] }));
  });
});
