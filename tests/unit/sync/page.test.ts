import { beforeEach, describe, expect, it } from 'vitest';
import { getMailbox, getOutboxEntry, type MailboxCrmDatabase, putContacts, putMailbox } from '@/lib/db';
import { defaultPrivacyRules, type Mailbox, type Message } from '@/lib/domain';
import type { JobContext } from '@/lib/sync/job-context';
import { decideAndCommit } from '@/lib/sync/page';
import { aContact, aJob, aMailbox, aMessage, aSyncRun } from '../../fixtures/domain';
import { useFreshDatabase } from '../../support/database';

const database = useFreshDatabase();
let db: MailboxCrmDatabase;
const NOW = Date.parse('2026-11-21T08:00:00Z');
const KEY = '<CAF=abc123@mail.gmail.com>';

beforeEach(async () => {
  db = database();
  await putContacts(db, [aContact()]);
  await db.syncRuns.add(aSyncRun());
});

/** A job's context on the fresh database; nothing here reaches a provider or the CRM. */
function context(): JobContext {
  const unused = () => {
    throw new Error('not used by a page commit');
  };
  return {
    deps: { db, provider: unused, crm: unused, privacyRules: async () => defaultPrivacyRules(), progress: async () => {}, wakeAt: async () => {}, now: () => NOW },
    job: aJob(),
    signal: new AbortController().signal,
    committed: () => {},
  };
}

/** Commits one page of `messages`, read by a job that saw the mailbox as `read`. */
function commit(read: Mailbox, messages: Message[], fromSeq = 0) {
  return decideAndCommit(context(), read, { job: 'backfill', fromSeq, cursor: 'next', progress: {}, messages, runId: 'run-1' });
}

describe('decideAndCommit: the visibility at the commit (R22)', () => {
  const message = aMessage({ snippet: 'Here is the signed quote', body: 'The whole quote, with prices.' });

  it('a page read at a wider level than the mailbox has now is pushed at the level it has now', async () => {
    await putMailbox(db, aMailbox({ visibility: 'metadata' }));
    await commit(aMailbox({ visibility: 'full' }), [message]);
    const entry = (await getOutboxEntry(db, KEY))!;
    expect(entry.visibility).toBe('metadata');
    expect(entry.payload).not.toHaveProperty('subject');
    expect(entry.payload).not.toHaveProperty('snippet');
    expect(entry.payload).not.toHaveProperty('body');
  });

  it('a page read at a narrower level than the mailbox has now has its content read again at drain time', async () => {
    await putMailbox(db, aMailbox({ visibility: 'full' }));
    await commit(aMailbox({ visibility: 'metadata' }), [{ ...message, snippet: null, body: null }]);
    expect(await getOutboxEntry(db, KEY)).toMatchObject({ visibility: 'full', payload: null });
  });
});

describe('decideAndCommit: the test email coming back (R31, R32)', () => {
  const test = { to: 'me@example.com', subject: 'Mailbox to CRM test · 1a2b3c4d', sentAt: NOW - 60_000, providerId: 'sent-1', receivedAt: null };
  const copy = aMessage({ providerId: 'sent-1', direction: 'sent', subject: test.subject, participants: ['rep@acme-sales.test', 'me@example.com'] });

  it('ticks "test receive" with the page that holds the sent copy', async () => {
    await putMailbox(db, aMailbox({ testEmail: test, checklist: { test_send: test.sentAt } }));
    await commit(aMailbox(), [aMessage(), copy]);
    const mailbox = (await getMailbox(db, aMailbox().id))!;
    expect(mailbox.testEmail).toEqual({ ...test, receivedAt: NOW });
    expect(mailbox.checklist).toEqual({ test_send: test.sentAt, test_receive: NOW });
  });

  it('leaves it open when the page is not committed, or does not hold the copy', async () => {
    await putMailbox(db, aMailbox({ testEmail: test }));
    expect(await commit(aMailbox(), [copy], 3)).toMatchObject({ committed: false, reason: 'stale_checkpoint' });
    await commit(aMailbox(), [aMessage(), { ...copy, providerId: 'sent-2' }]);
    expect((await getMailbox(db, aMailbox().id))!).toMatchObject({ testEmail: test, checklist: {} });
  });

  it('keeps the first time it came back', async () => {
    const back = { ...test, receivedAt: NOW - 1000 };
    await putMailbox(db, aMailbox({ testEmail: back, checklist: { test_receive: NOW - 1000 } }));
    await commit(aMailbox(), [copy]);
    expect((await getMailbox(db, aMailbox().id))!).toMatchObject({ testEmail: back, checklist: { test_receive: NOW - 1000 } });
  });
});
