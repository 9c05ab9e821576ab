import { describe, expect, it } from 'vitest';
import { DONT_SYNC_SENTENCE, hiddenParticipantsWords, SKIP_REASON_SENTENCES, threadStateWords, whenWords } from '@/components/words';
import { type ContactRef, type MessageSyncState, skipReasonSchema, type ThreadMailbox } from '@/lib/domain';

const dana: ContactRef = { id: 'c-dana', name: 'Dana Buyer', company: 'Buyer Co', url: null };
const sam: ContactRef = { id: 'c-sam', name: 'Sam Lee', company: null, url: null };

/** Noon on a fixed local day, so "today" and "yesterday" do not depend on when the test runs. */
const NOW = new Date(2026, 10, 20, 12, 0).getTime();
const at = (day: number, hours: number, minutes: number) => new Date(2026, 10, day, hours, minutes).getTime();

function message(overrides: Partial<MessageSyncState> = {}): MessageSyncState {
  return { providerId: 'm1', date: at(20, 9, 0), direction: 'received', state: 'pushed', reason: null, contacts: [dana], at: at(20, 14, 2), error: null, ...overrides };
}
function mailbox(messages: MessageSyncState[], link: ThreadMailbox['link'] = null): Pick<ThreadMailbox, 'link' | 'messages'> {
  return { messages, link };
}

describe('whenWords: the time a sentence ends with, in local time', () => {
  it('says the time alone today, "yesterday at" the day before, the date otherwise', () => {
    expect(whenWords(at(20, 14, 2), NOW)).toBe('at 14:02');
    expect(whenWords(at(19, 9, 15), NOW)).toBe('yesterday at 09:15');
    expect(whenWords(at(3, 9, 15), NOW)).toBe('on 3 Nov 09:15');
  });
});

describe('threadStateWords: the thread\u2019s state in one sentence (R28)', () => {
  it('names the contacts and the time a pushed thread was logged', () => {
    expect(threadStateWords(mailbox([message()]), NOW)).toEqual({ tone: 'ok', text: 'Logged to Dana Buyer at 14:02' });
    // Every contact once, and the latest push's time, with the date when it is not today.
    const two = [message({ contacts: [dana], at: at(18, 8, 0) }), message({ providerId: 'm2', date: at(18, 10, 0), contacts: [dana, sam], at: at(18, 10, 30) })];
    expect(threadStateWords(mailbox(two), NOW).text).toBe('Logged to Dana Buyer, Sam Lee on 18 Nov 10:30');
  });

  it('says a newer message still waits after the logged ones', () => {
    const words = threadStateWords(mailbox([message(), message({ providerId: 'm2', date: at(20, 11, 0), state: 'waiting', at: null })]), NOW);
    expect(words).toEqual({ tone: 'ok', text: 'Logged to Dana Buyer at 14:02; 1 newer message waits for the next sync' });
  });

  it('waits for the next sync when the thread is not stored yet, or its messages wait', () => {
    expect(threadStateWords(mailbox([]), NOW)).toEqual({ tone: 'busy', text: 'Waiting for the next sync' });
    expect(threadStateWords(mailbox([message({ state: 'waiting', at: null })]), NOW)).toEqual({ tone: 'busy', text: 'Waiting for the next sync' });
  });

  it('puts the user\u2019s "don\u2019t sync" first, whatever the messages say', () => {
    expect(threadStateWords(mailbox([message()], { contacts: [], dontSync: true }), NOW)).toEqual({ tone: 'warn', text: DONT_SYNC_SENTENCE });
    expect(threadStateWords(mailbox([], { contacts: [], dontSync: true }), NOW).text).toBe('Not logged: you marked this thread "don\u2019t sync"');
    // The engine's own dont_sync verdict reads the same.
    expect(threadStateWords(mailbox([message({ state: 'skipped', reason: 'dont_sync', at: null })]), NOW).text).toBe(DONT_SYNC_SENTENCE);
  });

  it.each(skipReasonSchema.options.filter((r) => r !== 'dont_sync'))('gives the R21a sentence of a thread skipped for %s', (reason) => {
    expect(threadStateWords(mailbox([message({ state: 'skipped', reason, contacts: [], at: null })]), NOW)).toEqual({ tone: 'warn', text: SKIP_REASON_SENTENCES[reason] });
  });

  it('reads "every participant is internal" for an internal-only thread', () => {
    expect(threadStateWords(mailbox([message({ state: 'skipped', reason: 'internal_only', contacts: [], at: null })]), NOW).text).toBe('Not logged: every participant is internal');
  });

  it('takes the latest message\u2019s reason when the thread was skipped for several', () => {
    const skipped = [message({ state: 'skipped', reason: 'no_contact', at: null, date: at(20, 8, 0) }), message({ providerId: 'm2', state: 'skipped', reason: 'bulk', at: null, date: at(20, 10, 0) })];
    expect(threadStateWords(mailbox(skipped), NOW).text).toBe(SKIP_REASON_SENTENCES.bulk);
  });

  it('gives the CRM\u2019s refusal and what to do, before any logged message', () => {
    const words = threadStateWords(mailbox([message(), message({ providerId: 'm2', state: 'failed', at: null, error: 'Contact is archived' })]), NOW);
    expect(words.tone).toBe('error');
    expect(words.text).toBe('Not logged: the CRM refused a message (Contact is archived). Check the contact and the CRM connection, then press "Sync now".');
    expect(threadStateWords(mailbox([message({ state: 'failed', error: null }), message({ providerId: 'm2', state: 'failed', error: null })]), NOW).text).toMatch(/^Not logged: the CRM refused 2 messages\. /);
  });

  it('says an undo removed it', () => {
    expect(threadStateWords(mailbox([message({ state: 'undone', at: null })]), NOW)).toEqual({ tone: 'warn', text: 'Removed from the CRM by an undo' });
  });
});

describe('hiddenParticipantsWords: the participants not listed, counted', () => {
  it('counts colleagues, the user and blocked addresses; nothing when all are external', () => {
    expect(hiddenParticipantsWords([{ role: 'internal' }, { role: 'internal' }, { role: 'self' }, { role: 'blocked' }, { role: 'contact' }])).toBe('Not shown: 2 colleagues, you, 1 blocked address');
    expect(hiddenParticipantsWords([{ role: 'internal' }, { role: 'blocked' }, { role: 'blocked' }])).toBe('Not shown: 1 colleague, 2 blocked addresses');
    expect(hiddenParticipantsWords([{ role: 'contact' }, { role: 'not_in_crm' }])).toBeNull();
  });
});
