import type { ChecklistItem, JobKind, LookupResult, Mailbox, MessageSyncState, Scope, SkipReason, SyncRun, Visibility } from '@/lib/domain';

/*
 * The plain words both pages (popup and options) use for the engine's values: one place, so a
 * value reads the same wherever it shows. Not in components/ui, which knows nothing of the engine.
 */

export const PROVIDER_NAMES: Readonly<Record<Mailbox['provider'], string>> = { gmail: 'Gmail', outlook: 'Outlook', imap: 'IMAP/SMTP' };

/** The scopes (R5). */
export const SCOPE_NAMES: Readonly<Record<Scope, string>> = { sales: 'Sales', support: 'Support', finance: 'Finance', personal: 'Personal' };

export const KIND_NAMES: Readonly<Record<Mailbox['kind'], string>> = { personal: 'Personal mailbox', shared: 'Shared mailbox' };

/** What the CRM receives at each visibility (R22). */
export const VISIBILITY_NAMES: Readonly<Record<Visibility, string>> = {
  metadata: 'Metadata only (who, when)',
  snippet: 'Subject and snippet',
  full: 'Full body',
};

/** The mailbox a card or message names: "Gmail · riley@acme-sales.test". */
export function mailboxName(mailbox: Pick<Mailbox, 'provider' | 'address'>): string {
  return `${PROVIDER_NAMES[mailbox.provider]} · ${mailbox.address}`;
}

/**
 * Why messages were not pushed (R11, R21a), as the label of a count: the preview's "would be
 * skipped, by reason" and a run's skipped counts in the sync history.
 */
export const SKIP_REASON_LABELS: Readonly<Record<SkipReason, string>> = {
  no_contact: 'No CRM contact',
  internal_only: 'Internal only',
  excluded_category: 'Excluded category (promotions, social…)',
  excluded_folder: 'Excluded folder (spam, trash, drafts…)',
  bulk: 'Newsletter or automated',
  blocked: 'Blocked address or domain',
  dont_sync: 'Marked "don\u2019t sync"',
  personal_scope: 'Personal mailbox (metadata only)',
};

/** Why one message was not logged (R21a), as the whole sentence the lookup answers with. */
export const SKIP_REASON_SENTENCES: Readonly<Record<SkipReason, string>> = {
  dont_sync: 'Not logged: the thread is marked "don\u2019t sync"',
  excluded_folder: 'Not logged: it is in spam, trash, drafts, chats or another excluded folder',
  excluded_category: 'Not logged: it is in an excluded Gmail category (promotions, social, updates or forums)',
  bulk: 'Not logged: a newsletter or bulk mail',
  blocked: 'Not logged: a participant is on the blocked list',
  internal_only: 'Not logged: every participant is internal',
  no_contact: 'Not logged: no participant is a contact in the CRM',
  personal_scope: 'Not logged: the mailbox is personal (it would have matched a contact)',
};

/** Where one message stands with the CRM, in plain words (R17, R28). */
export function messageStateWords(message: Pick<MessageSyncState | LookupResult, 'state' | 'reason' | 'contacts' | 'error'>): string {
  switch (message.state) {
    case 'pushed': {
      const names = message.contacts.map((c) => c.name).join(', ');
      return names ? `Logged to ${names}` : 'Logged in the CRM';
    }
    case 'waiting':
      return 'Waiting to be logged in the CRM';
    case 'skipped':
      return message.reason ? SKIP_REASON_SENTENCES[message.reason] : 'Not logged';
    case 'failed':
      return `Not logged: the CRM refused it${message.error ? ` (${message.error})` : ''}`;
    case 'undone':
      return 'Removed from the CRM by an undo';
  }
}

/**
 * A run's skipped messages by reason, in words ("Newsletter or automated: 3; Internal only: 2");
 * "none" when nothing was skipped. Semicolons, as some labels hold a comma.
 */
export function skippedWords(skipped: SyncRun['counts']['skipped']): string {
  const parts = (Object.entries(skipped) as [SkipReason, number][]).filter(([, n]) => n > 0).map(([reason, n]) => `${SKIP_REASON_LABELS[reason]}: ${n}`);
  return parts.length > 0 ? parts.join('; ') : 'none';
}

/** What a running job of a mailbox is doing, as a progress bar's label. */
export const JOB_NAMES: Readonly<Record<JobKind, string>> = {
  backfill: 'Backfill',
  incremental: 'Sync',
  preview: 'Preview',
  undo: 'Undo',
  contacts: 'Contacts refresh',
  outbox: 'Sending to the CRM',
};

/** A run's kind and status in the sync history (R17). */
export const RUN_KIND_NAMES: Readonly<Record<SyncRun['kind'], string>> = { sync: 'Sync', backfill: 'Backfill', preview: 'Preview' };
export const RUN_STATUS_NAMES: Readonly<Record<SyncRun['status'], string>> = { running: 'Running', succeeded: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };

/** The launch checklist (R32), in the seed's order, with what ticks each item. */
export const CHECKLIST_ITEMS: ReadonlyArray<{ item: ChecklistItem; label: string; tickedBy: 'confirm' | 'test_send' | 'review' | 'sender' }> = [
  { item: 'purpose_owner_confirmed', label: 'Purpose and owner confirmed', tickedBy: 'confirm' },
  { item: 'test_send', label: 'Test email sent', tickedBy: 'test_send' },
  { item: 'test_receive', label: 'Test email came back through sync', tickedBy: 'test_send' },
  { item: 'sender_verified', label: 'Sender name and reply address verified', tickedBy: 'sender' },
  { item: 'timeline_reviewed', label: 'A contact timeline reviewed after sync', tickedBy: 'review' },
  { item: 'recovery_documented', label: 'Recovery access documented', tickedBy: 'confirm' },
  { item: 'matching_verified', label: 'Matching verified (wider backfill allowed)', tickedBy: 'review' },
];
