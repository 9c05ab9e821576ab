import { describe, expect, it } from 'vitest';
import { backfillBlocker } from '@/components/mailbox/mailbox-card';
import { providerError } from '@/lib/domain';
import { aMailbox } from '../../../fixtures/domain';

describe('backfillBlocker: the popup blocks Backfill exactly where the engine refuses it (R12)', () => {
  it('blocks while the mailbox must be signed in again, granted access, or waits out a quota', () => {
    const reauth = providerError('reauth_required', 'gmail').toJSON();
    expect(backfillBlocker(aMailbox({ status: 'reconnect_needed', lastError: reauth }))).toBe('Fix the connection first: Gmail needs you to sign in again.');
    // A mailbox that lost its stored error still needs the sign-in.
    expect(backfillBlocker(aMailbox({ provider: 'outlook', status: 'reconnect_needed', lastError: null }))).toBe('Fix the connection first: Outlook needs you to sign in again.');
    const denied = providerError('insufficient_permissions', 'gmail').toJSON();
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: denied }))).toBe(`Fix the connection first: ${denied.message}`);
    const quota = providerError('quota_exhausted', 'gmail', { retryAfterMs: 3_600_000 }).toJSON();
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: quota }))).toBe(`It can start once the provider's wait ends: ${quota.message}`);
  });

  it('blocks after transient failures were exhausted until "Sync now", their retry, succeeds (the seed)', () => {
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: providerError('server', 'gmail').toJSON() }))).toBe('Run Sync now first; backfill once it succeeds.');
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: null }))).toBe('Run Sync now first; backfill once it succeeds.');
  });

  it('lets a connected or syncing mailbox start', () => {
    expect(backfillBlocker(aMailbox({ status: 'connected', lastError: null }))).toBeNull();
    expect(backfillBlocker(aMailbox({ status: 'syncing', lastError: null }))).toBeNull();
  });
});
