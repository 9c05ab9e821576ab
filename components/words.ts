import type { ChecklistItem, JobKind, LookupResult, Mailbox, MessageSyncState, Scope, SkipReason, SyncRun, ThreadMailbox, ThreadParticipant, Visibility } from '@/lib/domain';
import { formatWhen } from './ui/format';

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

/**
 * When something happened, as a sentence ends: "at 14:02" today, "yesterday at 09:15", else with
 * the date ("on 3 Nov 09:15"). Local time, as `formatWhen` reads it.
 */
export function whenWords(ms: number, now: number = Date.now()): string {
  const when = formatWhen(ms, now);
  if (when.startsWith('today ')) return `at ${when.slice('today '.length)}`;
  if (when.startsWith('yesterday ')) return `yesterday at ${when.slice('yesterday '.length)}`;
  return `on ${when}`;
}

/** The sidebar's sentence for a thread the user marked "don't sync" (R27). */
export const DONT_SYNC_SENTENCE = 'Not logged: you marked this thread "don\u2019t sync"';

/** How a thread's state sentence reads at a glance; the words carry the meaning, the tone only repeats it. */
export type ThreadStateTone = 'ok' | 'busy' | 'warn' | 'error';

/**
 * Where the open thread stands with the CRM in one mailbox, as the one sentence the sidebar shows
 * (R28), so a rep never wonders "did it log?":
 * - the user's "don't sync" first, since it decides what the engine pushes from then on;
 * - nothing stored yet: the next sync picks it up;
 * - a refusal by the CRM, with its words and what to do;
 * - logged: to whom and when the latest message was (with the newer ones still waiting);
 * - otherwise the latest message's state (waiting, undone, or its skip reason, R21a).
 */
export function threadStateWords(mailbox: Pick<ThreadMailbox, 'link' | 'messages'>, now: number = Date.now()): { tone: ThreadStateTone; text: string } {
  if (mailbox.link?.dontSync) return { tone: 'warn', text: DONT_SYNC_SENTENCE };
  const { messages } = mailbox;
  const latest = messages.reduce<MessageSyncState | null>((last, m) => (last === null || m.date >= last.date ? m : last), null);
  if (latest === null) return { tone: 'busy', text: 'Waiting for the next sync' };
  const failed = messages.filter((m) => m.state === 'failed');
  if (failed.length > 0) {
    const errors = [...new Set(failed.flatMap((m) => (m.error ? [m.error] : [])))].join('; ');
    const what = failed.length === 1 ? 'a message' : `${failed.length} messages`;
    return { tone: 'error', text: `Not logged: the CRM refused ${what}${errors ? ` (${errors})` : ''}. Check the contact and the CRM connection, then press "Sync now".` };
  }
  const pushed = messages.filter((m) => m.state === 'pushed');
  if (pushed.length > 0) {
    const names = [...new Map(pushed.flatMap((m) => m.contacts).map((c) => [c.id, c.name])).values()];
    const at = Math.max(...pushed.map((m) => m.at ?? 0));
    const waiting = messages.filter((m) => m.state === 'waiting').length;
    const logged = `Logged to ${names.length > 0 ? names.join(', ') : 'the CRM'}${at > 0 ? ` ${whenWords(at, now)}` : ''}`;
    return { tone: 'ok', text: waiting > 0 ? `${logged}; ${waiting} newer ${waiting === 1 ? 'message waits' : 'messages wait'} for the next sync` : logged };
  }
  if (latest.state === 'waiting') return { tone: 'busy', text: 'Waiting for the next sync' };
  if (latest.state === 'skipped' && latest.reason === 'dont_sync') return { tone: 'warn', text: DONT_SYNC_SENTENCE };
  return { tone: 'warn', text: messageStateWords(latest) };
}

/**
 * The participants the sidebar does not list (internal, the user's own addresses, blocked), as
 * one short line: "Not shown: 2 colleagues, you, 1 blocked address". Null when none.
 */
export function hiddenParticipantsWords(participants: readonly Pick<ThreadParticipant, 'role'>[]): string | null {
  const count = (role: ThreadParticipant['role']) => participants.filter((p) => p.role === role).length;
  const colleagues = count('internal');
  const blocked = count('blocked');
  const parts = [
    colleagues > 0 ? `${colleagues} ${colleagues === 1 ? 'colleague' : 'colleagues'}` : null,
    count('self') > 0 ? 'you' : null,
    blocked > 0 ? `${blocked} blocked ${blocked === 1 ? 'address' : 'addresses'}` : null,
  ].filter((p): p is string => p !== null);
  return parts.length > 0 ? `Not shown: ${parts.join(', ')}` : null;
}

/** The sidebar's row actions, one sentence per outcome, naming the contact (said above the people list). */
export const ROW_ACTION_WORDS = {
  linking: (name: string) => `Linking ${name}…`,
  linked: (name: string) => `Linked: this thread is logged to ${name} from now on.`,
  unlinking: (name: string) => `Unlinking ${name}…`,
  unlinked: (name: string) => `Unlinked: this thread is no longer logged to ${name}.`,
  creating: (name: string) => `Creating ${name} in the CRM…`,
  created: (name: string) => `Created ${name} in the CRM. The thread's past messages are being logged.`,
} as const;

/** What each part of the page a reader could not find means for the list (the readers' `missing` names). */
const MISSING_PARTS: Readonly<Record<string, string>> = {
  subject: 'the subject',
  messages: 'the messages',
  senders: 'the senders',
  recipients: 'the recipients',
  readingPane: 'the reading pane',
};

/** One sentence per part of the thread the page reader could not find: the participant list may be incomplete. */
export function missingPartsWords(missing: readonly string[]): string[] {
  return [...new Set(missing)].map((name) => `Couldn't read ${MISSING_PARTS[name] ?? 'part of the thread'} from the page; the list may be incomplete.`);
}

/** Said when an action is refused because the page covers the sidebar (clickjacking). */
export const COVERED_SENTENCE = 'The page is covering the sidebar; move it away and try again.';

/** Said when a contact search stopped at its cap. */
export const SEARCH_TRUNCATED_SENTENCE = 'More contacts may match: type more of the name.';
