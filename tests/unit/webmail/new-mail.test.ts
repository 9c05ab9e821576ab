import { describe, expect, it } from 'vitest';
import { hasNewMail } from '@/lib/webmail/new-mail';
import type { InboxSignal } from '@/lib/webmail/thread';

const signal = (unread: number | null, topKeys: string[]): InboxSignal => ({ unread, topKeys });
const twenty = Array.from({ length: 20 }, (_, i) => `k${i}`);

describe('hasNewMail', () => {
  it('is new mail when the unread count rises', () => {
    expect(hasNewMail(signal(2, []), signal(3, []))).toBe(true);
    expect(hasNewMail(signal(0, ['a']), signal(1, ['a']))).toBe(true);
  });

  it('is not new mail when the count falls, stays, or is unknown on either side', () => {
    expect(hasNewMail(signal(3, []), signal(2, []))).toBe(false);
    expect(hasNewMail(signal(3, []), signal(3, []))).toBe(false);
    expect(hasNewMail(signal(null, []), signal(3, []))).toBe(false);
    expect(hasNewMail(signal(3, []), signal(null, []))).toBe(false);
  });

  it('is new mail when a conversation appears above one listed before', () => {
    expect(hasNewMail(signal(null, ['a', 'b', 'c']), signal(null, ['n', 'a', 'b', 'c']))).toBe(true);
    expect(hasNewMail(signal(null, twenty), signal(null, ['n', ...twenty.slice(0, 19)]))).toBe(true);
    // A reply to an older conversation brings it to the top, above the ones listed.
    expect(hasNewMail(signal(null, ['a', 'b']), signal(null, ['n', 'b']))).toBe(true);
  });

  it('is not new mail for a list seen for the first time', () => {
    expect(hasNewMail(signal(null, []), signal(null, ['a', 'b']))).toBe(false);
  });

  it('is not new mail for a reorder or a removal', () => {
    expect(hasNewMail(signal(null, ['a', 'b', 'c']), signal(null, ['c', 'a', 'b']))).toBe(false);
    expect(hasNewMail(signal(null, ['a', 'b', 'c']), signal(null, ['a', 'c']))).toBe(false);
    expect(hasNewMail(signal(null, ['a', 'b', 'c']), signal(null, []))).toBe(false);
  });

  it('is not new mail when a removal lets a conversation from below the first 20 move up into the list', () => {
    expect(hasNewMail(signal(null, twenty), signal(null, [...twenty.slice(1), 'k20']))).toBe(false);
  });

  it('is not new mail when the list is another page or folder altogether', () => {
    expect(hasNewMail(signal(null, ['a', 'b']), signal(null, ['x', 'y']))).toBe(false);
  });
});
