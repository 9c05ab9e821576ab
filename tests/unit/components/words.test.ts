import { describe, expect, it } from 'vitest';
import { canUndo } from '@/components/options/history-section';
import { messageStateWords, SKIP_REASON_LABELS, SKIP_REASON_SENTENCES, skippedWords } from '@/components/words';
import { skipReasonSchema, type SyncRun } from '@/lib/domain';

const run = (over: Partial<SyncRun>): SyncRun => ({
  id: 'r1',
  mailboxId: 'gmail:riley@acme-sales.test',
  kind: 'backfill',
  status: 'succeeded',
  startedAt: 1,
  finishedAt: 2,
  counts: { fetched: 10, matched: 4, pushed: 4, duplicates: 0, errors: 0, skipped: {}, contacts: {} },
  error: null,
  undoneAt: null,
  ...over,
});

describe('the words both pages use for the engine’s values', () => {
  it('has plain words for every skip reason of R21a', () => {
    for (const reason of skipReasonSchema.options) {
      expect(SKIP_REASON_SENTENCES[reason]).toMatch(/^Not logged: /);
      expect(SKIP_REASON_LABELS[reason]).toMatch(/^[A-Z]/);
    }
    expect(messageStateWords({ state: 'skipped', reason: 'internal_only', contacts: [], error: null })).toBe('Not logged: every participant is internal');
    expect(messageStateWords({ state: 'skipped', reason: 'bulk', contacts: [], error: null })).toBe('Not logged: a newsletter or bulk mail');
  });

  it('says where a logged, refused or undone message stands', () => {
    expect(messageStateWords({ state: 'pushed', reason: null, contacts: [{ id: 'c1', name: 'Ada Lovelace', company: null, url: null }], error: null })).toBe('Logged to Ada Lovelace');
    expect(messageStateWords({ state: 'failed', reason: null, contacts: [], error: 'too large' })).toBe('Not logged: the CRM refused it (too large)');
    expect(messageStateWords({ state: 'undone', reason: null, contacts: [], error: null })).toBe('Removed from the CRM by an undo');
  });

  it('lists the skipped counts by reason', () => {
    expect(skippedWords({ bulk: 3, internal_only: 2, blocked: 0 })).toBe('Newsletter or automated: 3; Internal only: 2');
    expect(skippedWords({})).toBe('none');
  });

  it('offers undo only for an ended backfill not undone yet', () => {
    expect(canUndo(run({}))).toBe(true);
    expect(canUndo(run({ status: 'cancelled' }))).toBe(true);
    expect(canUndo(run({ kind: 'sync' }))).toBe(false);
    expect(canUndo(run({ kind: 'preview' }))).toBe(false);
    expect(canUndo(run({ status: 'running' }))).toBe(false);
    expect(canUndo(run({ undoneAt: 3 }))).toBe(false);
  });
});
