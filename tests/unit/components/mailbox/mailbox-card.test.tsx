import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { backfillBlocker, MailboxCard, syncBlocker } from '@/components/mailbox/mailbox-card';
import { type Mailbox, providerError } from '@/lib/domain';
import { aMailbox } from '../../../fixtures/domain';

describe('backfillBlocker: Backfill is blocked where Sync now is, and in the error state until Sync now succeeds (the seed)', () => {
  it('adds the error state a retry may clear', () => {
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: providerError('server', 'gmail').toJSON() }))).toBe('Run Sync now first; backfill once it succeeds.');
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: null }))).toBe('Run Sync now first; backfill once it succeeds.');
    const denied = providerError('insufficient_permissions', 'gmail').toJSON();
    expect(backfillBlocker(aMailbox({ status: 'error', lastError: denied }))).toBe(`Fix the connection first: ${denied.message}`);
    expect(backfillBlocker(aMailbox({ status: 'connected', lastError: null }))).toBeNull();
  });
});

describe('syncBlocker: the popup blocks Sync now and Backfill exactly where the engine refuses them (R12)', () => {
  it('blocks while the mailbox must be signed in again, granted access, or waits out a quota', () => {
    const reauth = providerError('reauth_required', 'gmail').toJSON();
    expect(syncBlocker(aMailbox({ status: 'reconnect_needed', lastError: reauth }))).toBe('Fix the connection first: Gmail needs you to sign in again.');
    // A mailbox that lost its stored error still needs the sign-in.
    expect(syncBlocker(aMailbox({ provider: 'outlook', status: 'reconnect_needed', lastError: null }))).toBe('Fix the connection first: Outlook needs you to sign in again.');
    const denied = providerError('insufficient_permissions', 'gmail').toJSON();
    expect(syncBlocker(aMailbox({ status: 'error', lastError: denied }))).toBe(`Fix the connection first: ${denied.message}`);
    const quota = providerError('quota_exhausted', 'gmail', { retryAfterMs: 3_600_000 }).toJSON();
    expect(syncBlocker(aMailbox({ status: 'error', lastError: quota }))).toBe(`They can start once the provider's wait ends: ${quota.message}`);
  });

  it('lets a connected mailbox, or one whose error a retry may clear, start', () => {
    expect(syncBlocker(aMailbox({ status: 'connected', lastError: null }))).toBeNull();
    expect(syncBlocker(aMailbox({ status: 'syncing', lastError: null }))).toBeNull();
    // The engine clears a retryable error when the user acts: the action is the retry.
    expect(syncBlocker(aMailbox({ status: 'error', lastError: providerError('server', 'gmail').toJSON() }))).toBeNull();
  });
});

/** The card as the popup renders it, as HTML. */
function card(mailbox: Mailbox): string {
  return renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <MailboxCard mailbox={mailbox} jobs={[]} previewJob={null} onDisconnected={() => undefined} />
    </QueryClientProvider>,
  );
}

/** A button's opening tag, by its visible name. */
function button(html: string, name: string): string {
  const match = new RegExp(`<button([^>]*)>${name}</button>`).exec(html);
  if (!match?.[1]) throw new Error(`no button "${name}" in ${html}`);
  return match[1];
}

describe('MailboxCard: Sync now and Backfill share the blocked state and its visible reason (R12)', () => {
  it.each([
    ['needs a reconnect', aMailbox({ status: 'reconnect_needed', lastError: providerError('reauth_required', 'gmail').toJSON() })],
    ['misses a permission', aMailbox({ status: 'error', lastError: providerError('insufficient_permissions', 'gmail').toJSON() })],
  ])('disables both while the mailbox %s, each described by the one reason shown', (_, mailbox) => {
    const html = card(mailbox);
    const reason = /<p id="([^"]+)" class="small blocked-reason">([^<]*)<\/p>/.exec(html);
    expect(reason?.[2]).toBe(`Sync now and Backfill are blocked. ${syncBlocker(mailbox)}`);
    for (const name of ['Sync now', 'Backfill']) {
      const tag = button(html, name);
      expect(tag).toContain('disabled=""');
      expect(tag).toContain(`aria-describedby="${reason?.[1]}"`);
    }
  });

  it('keeps Sync now enabled as the retry of a transient error; Backfill waits for it, with its own reason (the seed)', () => {
    const html = card(aMailbox({ status: 'error', lastError: providerError('server', 'gmail').toJSON() }));
    expect(button(html, 'Sync now')).not.toContain('disabled');
    const reason = /<p id="([^"]+)" class="small blocked-reason">([^<]*)<\/p>/.exec(html);
    expect(reason?.[2]).toBe('Backfill is blocked. Run Sync now first; backfill once it succeeds.');
    expect(button(html, 'Backfill')).toContain('disabled=""');
    expect(button(html, 'Backfill')).toContain(`aria-describedby="${reason?.[1]}"`);
  });

  it('blocks nothing on a connected mailbox', () => {
    const html = card(aMailbox({ status: 'connected', lastError: null }));
    for (const name of ['Sync now', 'Backfill']) expect(button(html, name)).not.toContain('disabled');
    expect(html).not.toContain('blocked-reason');
  });
});
