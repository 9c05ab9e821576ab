import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatWhen } from '@/components/ui/format';
import { progressText } from '@/components/ui/progress';

// Local times, so the expectations hold in any time zone.
const at = (month: number, day: number, hours: number, minutes: number, year = 2026) => new Date(year, month, day, hours, minutes).getTime();
const NOW = at(10, 3, 12, 0); // 3 Nov 2026, 12:00

describe('formatWhen', () => {
  it('says today, yesterday and tomorrow with the time', () => {
    expect(formatWhen(at(10, 3, 14, 2), NOW)).toBe('today 14:02');
    expect(formatWhen(at(10, 3, 0, 0), NOW)).toBe('today 00:00');
    expect(formatWhen(at(10, 2, 23, 59), NOW)).toBe('yesterday 23:59');
    expect(formatWhen(at(10, 4, 8, 5), NOW)).toBe('tomorrow 08:05');
  });
  it('gives the day and month further away, and the year only when it is another one', () => {
    expect(formatWhen(at(10, 1, 9, 15), NOW)).toBe('1 Nov 09:15');
    expect(formatWhen(at(0, 20, 7, 30), NOW)).toBe('20 Jan 07:30');
    expect(formatWhen(at(10, 3, 9, 15, 2025), NOW)).toBe('3 Nov 2025 09:15');
  });
  it('reads the clock when no time is given', () => {
    expect(formatWhen(Date.now())).toMatch(/^today \d\d:\d\d$/);
  });
});

describe('formatDuration', () => {
  it('rounds to words', () => {
    expect(formatDuration(0)).toBe('less than a minute');
    expect(formatDuration(59_999)).toBe('less than a minute');
    expect(formatDuration(60_000)).toBe('about 1 min');
    expect(formatDuration(2 * 60_000 + 20_000)).toBe('about 2 min');
    expect(formatDuration(59 * 60_000)).toBe('about 59 min');
    expect(formatDuration(60 * 60_000)).toBe('about 1 h');
    expect(formatDuration(80 * 60_000)).toBe('about 1 h 20 min');
    expect(formatDuration(2 * 3_600_000 - 10_000)).toBe('about 2 h');
    expect(formatDuration(24 * 3_600_000)).toBe('about 1 day');
    expect(formatDuration(3 * 24 * 3_600_000 + 3_600_000)).toBe('about 3 days');
  });
});

describe('formatCount', () => {
  it('separates thousands', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-12345)).toBe('-12,345');
  });
});

describe('progressText', () => {
  it('says the counts and the time left', () => {
    expect(progressText(120, 480, 120_000)).toBe('120 of 480 messages, about 2 min left');
    expect(progressText(1200, null, null)).toBe('1,200 messages so far');
    // An estimate that fell short never reads as "more done than there is".
    expect(progressText(500, 480, null)).toBe('500 of 500 messages');
  });
});
