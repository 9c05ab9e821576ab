import { z } from 'zod';
import { type ChecklistItem, checklistItemSchema, type Mailbox, type MailboxKind, type Provider, type Scope, type SenderIdentity, type TestEmail, type Visibility } from './mailbox';
import type { Message } from './message';

/** The details of a mailbox the user edits after connecting (R5, R6, R22); absent fields stay as they are. */
export interface MailboxDetails {
  scope?: Scope;
  kind?: MailboxKind;
  owner?: string | null;
  recoveryNote?: string | null;
  visibility?: Visibility;
}

/** A field of the mailbox details form and the plain words that say what it lacks. */
export interface DetailsIssue {
  field: 'owner' | 'recoveryNote';
  message: string;
}

/**
 * What a shared mailbox lacks (R6): an owner written as an email address (the CRM keeps the owner
 * of a shared mailbox as an address), a recovery note, or both; nothing for a personal one. The one
 * rule of the popup's connect form, the options page's details form and the background: the
 * background refuses with each issue on its field; a form shows each on its field.
 */
export function sharedMailboxIssues(details: { kind: MailboxKind; owner: string | null; recoveryNote: string | null }): DetailsIssue[] {
  if (details.kind !== 'shared') return [];
  const issues: DetailsIssue[] = [];
  const owner = details.owner?.trim();
  if (!owner) issues.push({ field: 'owner', message: 'A shared mailbox needs an owner: the email address of who answers for it when a teammate leaves.' });
  else if (!z.email().safeParse(owner).success) issues.push({ field: 'owner', message: "Enter the owner's email address, for example dana@example.com: the CRM keeps the owner of a shared mailbox as an address." });
  if (!details.recoveryNote?.trim()) issues.push({ field: 'recoveryNote', message: 'A shared mailbox needs a recovery note: who can get back into it, and how, if its sign-in is lost.' });
  return issues;
}

/**
 * The mailbox with its details changed, and the launch checklist following them (R32): a new
 * owner, kind or scope re-opens "purpose and owner confirmed" (who answers for the mailbox, and
 * what it is for, changed), and a new recovery note re-opens "recovery documented". Not validated:
 * the caller checks the result with `mailboxSchema` and `sharedMailboxIssues`.
 */
export function withDetails(mailbox: Mailbox, details: MailboxDetails): Mailbox {
  const next: Mailbox = {
    ...mailbox,
    scope: details.scope ?? mailbox.scope,
    kind: details.kind ?? mailbox.kind,
    owner: details.owner === undefined ? mailbox.owner : details.owner,
    recoveryNote: details.recoveryNote === undefined ? mailbox.recoveryNote : details.recoveryNote,
    visibility: details.visibility ?? mailbox.visibility,
  };
  const checklist = { ...mailbox.checklist };
  if (next.owner !== mailbox.owner || next.scope !== mailbox.scope || next.kind !== mailbox.kind) delete checklist.purpose_owner_confirmed;
  if (next.recoveryNote !== mailbox.recoveryNote) delete checklist.recovery_documented;
  return { ...next, checklist };
}

/**
 * Whether the sender identity the user confirmed (R7) is no longer the one the provider shows:
 * another display name or reply-to. An alias list that changed is not the identity the
 * recipients see, so it does not re-open "sender verified".
 */
export function senderIdentityChanged(before: SenderIdentity | null, after: SenderIdentity | null): boolean {
  if (before === null || after === null) return before !== after;
  return before.displayName !== after.displayName || (before.replyTo?.toLowerCase() ?? null) !== (after.replyTo?.toLowerCase() ?? null);
}

/** The mailbox with a freshly read sender identity; "sender verified" re-opens when the identity changed (R7). */
export function withSenderIdentity(mailbox: Mailbox, identity: SenderIdentity): Mailbox {
  if (!senderIdentityChanged(mailbox.identity, identity)) return { ...mailbox, identity };
  const checklist = { ...mailbox.checklist };
  delete checklist.sender_verified;
  return { ...mailbox, identity, checklist };
}

/** Whether a launch checklist item applies to the mailbox (R32): only a shared one documents its recovery access. */
export function checklistItemNeeded(mailbox: Pick<Mailbox, 'kind'>, item: ChecklistItem): boolean {
  return item !== 'recovery_documented' || mailbox.kind === 'shared';
}

/** The launch checklist items still open for the mailbox (R32), in the checklist's order. */
export function openChecklistItems(mailbox: Pick<Mailbox, 'kind' | 'checklist'>): ChecklistItem[] {
  return checklistItemSchema.options.filter((item) => mailbox.checklist[item] === undefined && checklistItemNeeded(mailbox, item));
}

/** Launch checklist items the user confirms by hand (R7, R32). */
export type ConfirmableItem = 'purpose_owner_confirmed' | 'sender_verified' | 'recovery_documented';

/** Why `item` cannot be confirmed for this mailbox yet, in plain words; null when it can. */
export function confirmRefusal(mailbox: Mailbox, item: ConfirmableItem): string | null {
  switch (item) {
    case 'purpose_owner_confirmed':
      return sharedMailboxIssues(mailbox)[0]?.message ?? null;
    case 'sender_verified':
      return mailbox.identity === null
        ? `The sender name and reply-to of ${mailbox.address} have not been read from the provider yet. Reconnect the mailbox to read them, then confirm them.`
        : null;
    case 'recovery_documented':
      if (mailbox.kind === 'personal') return `${mailbox.address} is a personal mailbox: only a shared mailbox needs its recovery access documented.`;
      return mailbox.recoveryNote === null ? 'Write the recovery note first (who can get back into the mailbox, and how), then confirm it.' : null;
  }
}

/** The subject every test email starts with; a short random id makes each test's own (R31). */
export const TEST_EMAIL_SUBJECT_PREFIX = 'Mailbox to CRM test · ';

/** A test email's subject, unique per test so the copy that sync brings back is recognised. */
export function testEmailSubject(): string {
  return `${TEST_EMAIL_SUBJECT_PREFIX}${crypto.randomUUID().slice(0, 8)}`;
}

/** The short plain body of a test email. */
export function testEmailBody(from: string): string {
  return `This is a test email from the Mailbox to CRM extension, sent from ${from} to check that mail leaves the mailbox and comes back through sync.\n\nNo reply is needed; you may delete it.`;
}

/**
 * Whether `message` is the sent copy of the test email (R31): by provider id when the provider
 * answered one (Gmail), else by its unique subject among the mailbox's sent mail (Graph's
 * `sendMail` answers no id).
 */
export function isTestEmailCopy(test: TestEmail, message: Pick<Message, 'providerId' | 'subject' | 'direction'>): boolean {
  if (test.providerId !== null) return message.providerId === test.providerId;
  return message.direction === 'sent' && message.subject === test.subject;
}

/**
 * The label (Gmail) or folder (Outlook) the sent copy of a test email is in, and the one mail to
 * the mailbox itself also lands in, as `syncOnly` names them (`listFolders` ids).
 */
const TEST_COPY_FOLDERS: Record<Provider, { sent: string; inbox: string } | null> = {
  gmail: { sent: 'SENT', inbox: 'INBOX' },
  outlook: { sent: 'sentitems', inbox: 'inbox' },
  imap: null,
};

/**
 * Why a test email from `mailbox` to `to` could never come back through sync (R31), in plain
 * words, or null when it can: the mailbox syncs only chosen labels or folders, and Sent is not
 * among them (nor the Inbox, for a test to the mailbox itself). "Test receive" could never be ticked.
 */
export function testEmailUnreachable(mailbox: Pick<Mailbox, 'provider' | 'address' | 'syncOnly'>, to: string): string | null {
  const folders = TEST_COPY_FOLDERS[mailbox.provider];
  const only = mailbox.syncOnly;
  if (!folders || only === null || only.includes(folders.sent)) return null;
  if (to.trim().toLowerCase() === mailbox.address.toLowerCase() && only.includes(folders.inbox)) return null;
  const place = mailbox.provider === 'gmail' ? { what: 'labels', sent: 'Sent label' } : { what: 'folders', sent: 'Sent Items folder' };
  return `No test email was sent: ${mailbox.address} syncs only the ${place.what} you chose, and the ${place.sent} is not among them, so the sent copy could never come back through sync and "test receive" could not be ticked. Add the ${place.sent} to the synced ${place.what}, or sync all mail, then send the test again.`;
}

/** A mailbox disconnected while others stayed connected (R35): each of those owes a test email after `at`. */
export const disconnectRecordSchema = z.object({
  mailboxId: z.string().min(1),
  address: z.email(),
  at: z.number().int(),
});
export type DisconnectRecord = z.infer<typeof disconnectRecordSchema>;
