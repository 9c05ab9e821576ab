import type { JobKind, Mailbox, Scope, SkipReason } from '@/lib/domain';

/** The plain words the mailbox screens use for the engine's values. */
export const PROVIDER_NAMES: Record<Mailbox['provider'], string> = { gmail: 'Gmail', outlook: 'Outlook', imap: 'IMAP/SMTP' };

export const SCOPE_NAMES: Record<Scope, string> = { sales: 'Sales', support: 'Support', finance: 'Finance', personal: 'Personal' };

export const KIND_NAMES: Record<Mailbox['kind'], string> = { personal: 'Personal mailbox', shared: 'Shared mailbox' };

/** Why a message was not pushed (R11, R21a), as the preview and the history say it. */
export const SKIP_REASON_NAMES: Record<SkipReason, string> = {
  no_contact: 'No CRM contact',
  internal_only: 'Internal only',
  excluded_category: 'Excluded category (promotions, social…)',
  excluded_folder: 'Excluded folder (spam, trash, drafts…)',
  bulk: 'Newsletter or automated',
  blocked: 'Blocked address or domain',
  dont_sync: 'Marked "don\u2019t sync"',
  personal_scope: 'Personal mailbox (metadata only)',
};

/** What a running job of a mailbox is doing, as a progress bar's label. */
export const JOB_NAMES: Record<JobKind, string> = {
  backfill: 'Backfill',
  incremental: 'Sync',
  preview: 'Preview',
  undo: 'Undo',
  contacts: 'Contacts refresh',
  outbox: 'Sending to the CRM',
};

/** The mailbox a card or message names: "Gmail · riley@acme-sales.test". */
export function mailboxName(mailbox: Pick<Mailbox, 'provider' | 'address'>): string {
  return `${PROVIDER_NAMES[mailbox.provider]} · ${mailbox.address}`;
}
