import { describe, expect, it } from 'vitest';
import { parseDate, parseQuery, parseSpan } from '@/emulators/google/query';

/**
 * The Gmail `q` parser of the emulator. Date rules from the Gmail API filtering guide: a calendar
 * date is midnight PST (UTC-8) of that date; epoch seconds are exact.
 */
const NOW = Date.UTC(2026, 4, 20, 12, 0, 0);
const DAY = 86_400_000;
const empty = { after: null, before: null, labels: [], notLabels: [], anyOf: [], anywhere: false, text: [] };

describe('gmail query parser', () => {
  it('reads after:/before: as midnight PST for dates and exactly for epoch seconds', () => {
    expect(parseQuery('after:2026/05/01 before:2026-05-10', NOW)).toEqual({ ...empty, after: Date.UTC(2026, 4, 1, 8), before: Date.UTC(2026, 4, 10, 8) });
    expect(parseQuery('after:1700000000 before:1700086400', NOW)).toMatchObject({ after: 1_700_000_000_000, before: 1_700_086_400_000 });
    // newer:/older: are synonyms; the tighter bound wins when two are given.
    expect(parseQuery('newer:2026/01/01 after:2026/02/01 older:2026/04/01 before:2026/03/01', NOW)).toMatchObject({ after: Date.UTC(2026, 1, 1, 8), before: Date.UTC(2026, 2, 1, 8) });
  });

  it('reads newer_than:/older_than: in days, months and years from now', () => {
    expect(parseQuery('newer_than:14d', NOW).after).toBe(NOW - 14 * DAY);
    expect(parseQuery('older_than:2m', NOW).before).toBe(NOW - 60 * DAY);
    expect(parseQuery('newer_than:1Y', NOW).after).toBe(NOW - 365 * DAY);
    expect(parseSpan('3w')).toBeNull();
  });

  it('maps category:, in:, is: and label: to label ids, negated with a leading -', () => {
    expect(parseQuery('-category:promotions -category:social category:primary', NOW)).toMatchObject({
      labels: ['CATEGORY_PERSONAL'],
      notLabels: ['CATEGORY_PROMOTIONS', 'CATEGORY_SOCIAL'],
    });
    expect(parseQuery('in:inbox -in:chats is:unread is:read label:Starred label:category-updates', NOW)).toMatchObject({
      labels: ['INBOX', 'UNREAD', 'STARRED', 'CATEGORY_UPDATES'],
      notLabels: ['CHAT', 'UNREAD'],
    });
    expect(parseQuery('in:anywhere', NOW).anywhere).toBe(true);
  });

  it('keeps from:/to:/subject: terms, quoted phrases and bare words, lower-cased', () => {
    expect(parseQuery('from:Dana@Example.test -to:bob subject:"Quarterly Plan" Invoice', NOW).text).toEqual([
      { field: 'from', value: 'dana@example.test', negate: false },
      { field: 'to', value: 'bob', negate: true },
      { field: 'subject', value: 'quarterly plan', negate: false },
      { field: 'any', value: 'invoice', negate: false },
    ]);
    expect(parseQuery('"exact phrase here"', NOW).text).toEqual([{ field: 'any', value: 'exact phrase here', negate: false }]);
  });

  it('reads user labels by name, as Gmail search does (case, spaces, slashes and hyphens alike)', () => {
    expect(parseQuery('label:"Key Accounts" -label:Customers/Acme label:INBOX', NOW)).toMatchObject({ labels: ['name:key-accounts', 'INBOX'], notLabels: ['name:customers-acme'] });
  });

  it('reads {…} groups of label terms as OR, a negated group as none of them; other terms in braces as words', () => {
    expect(parseQuery('after:1700000000 {in:inbox label:"Key accounts" category:updates} -{is:starred label:x}', NOW)).toMatchObject({
      after: 1_700_000_000_000,
      labels: [],
      anyOf: [['INBOX', 'name:key-accounts', 'CATEGORY_UPDATES']],
      notLabels: ['STARRED', 'name:x'],
      text: [],
    });
    expect(parseQuery('{from:amy label:x}', NOW)).toMatchObject({
      labels: [],
      anyOf: [],
      text: [
        { field: 'any', value: 'from:amy', negate: false },
        { field: 'any', value: 'label:x', negate: false },
      ],
    });
  });

  it('never throws: an unreadable operator value becomes a word', () => {
    expect(parseQuery('after:yesterday category:nope in:somewhere', NOW)).toEqual({
      ...empty,
      text: [
        { field: 'any', value: 'after:yesterday', negate: false },
        { field: 'any', value: 'category:nope', negate: false },
        { field: 'any', value: 'in:somewhere', negate: false },
      ],
    });
    expect(parseQuery('', NOW)).toEqual(empty);
    expect(parseDate('2026/13/01')).toBeNull();
  });
});
