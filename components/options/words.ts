import type { ChecklistItem, LookupResult, MessageSyncState, Scope, SkipReason, SyncRun, Visibility } from '@/lib/domain';

/** Why a message was not logged (R21a), in the words the options page shows, one per skip reason. */
export const SKIP_REASON_WORDS: Readonly<Record<SkipReason, string>> = {
  dont_sync: 'Not logged: the thread is marked "don\u2019t sync"',
  excluded_folder: 'Not logged: it is in spam, trash, drafts, chats or another excluded folder',
  excluded_category: 'Not logged: it is in an excluded Gmail category (promotions, social, updates or forums)',
  bulk: 'Not logged: a newsletter or bulk mail',
  blocked: 'Not logged: a participant is on the blocked list',
  internal_only: 'Not logged: every participant is internal',
  no_contact: 'Not logged: no participant is a contact in the CRM',
  personal_scope: 'Not logged: the mailbox is personal (it would have matched a contact)',
};

/** Short column words for the skip reasons of a run's counts. */
export const SKIP_REASON_SHORT: Readonly<Record<SkipReason, string>> = {
  dont_sync: "don't sync",
  excluded_folder: 'excluded folder',
  excluded_category: 'excluded category',
  bulk: 'bulk',
  blocked: 'blocked',
  internal_only: 'internal only',
  no_contact: 'no contact',
  personal_scope: 'personal scope',
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
      return message.reason ? SKIP_REASON_WORDS[message.reason] : 'Not logged';
    case 'failed':
      return `Not logged: the CRM refused it${message.error ? ` (${message.error})` : ''}`;
    case 'undone':
      return 'Removed from the CRM by an undo';
  }
}

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

/** What the CRM receives at each visibility (R22). */
export const VISIBILITY_WORDS: Readonly<Record<Visibility, string>> = {
  metadata: 'Metadata only (who, when)',
  snippet: 'Subject and snippet',
  full: 'Full body',
};

/** The scopes (R5), as the page names them. */
export const SCOPE_WORDS: Readonly<Record<Scope, string>> = { sales: 'Sales', support: 'Support', finance: 'Finance', personal: 'Personal' };

/** Scopes whose mail reaches customers: their sender identity must be confirmed (R7). */
export function isCustomerFacing(scope: Scope): boolean {
  return scope !== 'personal';
}

/** A run's kind and status in the sync history (R17). */
export const RUN_KIND_WORDS: Readonly<Record<SyncRun['kind'], string>> = { sync: 'Sync', backfill: 'Backfill', preview: 'Preview' };
export const RUN_STATUS_WORDS: Readonly<Record<SyncRun['status'], string>> = { running: 'Running', succeeded: 'Finished', failed: 'Failed', cancelled: 'Cancelled' };

/** A run's skipped messages by reason, in words ("bulk 3, internal only 2"); "none" when nothing was skipped. */
export function skippedWords(skipped: SyncRun['counts']['skipped']): string {
  const parts = (Object.entries(skipped) as [SkipReason, number][]).filter(([, n]) => n > 0).map(([reason, n]) => `${SKIP_REASON_SHORT[reason]} ${n}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** Whether "Undo" is offered for a run (R18): a backfill that ended (finished, failed or cancelled) and is not undone yet. */
export function canUndo(run: SyncRun): boolean {
  return run.kind === 'backfill' && run.status !== 'running' && run.undoneAt === null;
}
