import { z } from 'zod';
import { providerErrorSchema } from './provider-error';

/** The three kinds of mailbox the sync engine knows (R1–R3). */
export const providerSchema = z.enum(['gmail', 'outlook', 'imap']);
export type Provider = z.infer<typeof providerSchema>;

/** What the mailbox is used for, chosen before connecting (R5). */
export const scopeSchema = z.enum(['sales', 'support', 'finance', 'personal']);
export type Scope = z.infer<typeof scopeSchema>;

/** Personal or shared; a shared mailbox needs an owner and a recovery note (R6). */
export const mailboxKindSchema = z.enum(['personal', 'shared']);
export type MailboxKind = z.infer<typeof mailboxKindSchema>;

/** How much of a message the CRM may receive (R22). */
export const visibilitySchema = z.enum(['metadata', 'snippet', 'full']);
export type Visibility = z.infer<typeof visibilitySchema>;

/** Visibility levels in order: a higher rank lets the CRM receive more. */
export const VISIBILITY_RANK: Readonly<Record<Visibility, number>> = { metadata: 0, snippet: 1, full: 2 };

/** A day in milliseconds, for backfill windows (R4, R10). */
export const DAY_MS = 24 * 60 * 60_000;

export const mailboxStatusSchema = z.enum(['connected', 'syncing', 'error', 'reconnect_needed']);
export type MailboxStatus = z.infer<typeof mailboxStatusSchema>;

/** Backfill window in days (R4): 1–365. */
export const backfillDaysSchema = z.number().int().min(1).max(365);

/** Items of the launch checklist (R32), ticked with the time they were done (milliseconds since the epoch). */
export const checklistItemSchema = z.enum([
  'purpose_owner_confirmed',
  'test_send',
  'test_receive',
  'sender_verified',
  'timeline_reviewed',
  'recovery_documented',
  'matching_verified',
]);
export type ChecklistItem = z.infer<typeof checklistItemSchema>;
export const checklistSchema = z.partialRecord(checklistItemSchema, z.number().int());
export type Checklist = z.infer<typeof checklistSchema>;

/** The sender identity read from the provider after connecting (R7). */
export const senderIdentitySchema = z.object({
  displayName: z.string(),
  replyTo: z.email().nullable(),
  aliases: z.array(z.email()),
});
export type SenderIdentity = z.infer<typeof senderIdentitySchema>;

/**
 * The last "Send test email" (R31): sent to a safe address the user typed; `receivedAt` is set
 * when sync brought the sent message back (the "test receive" checklist item).
 */
export const testEmailSchema = z.object({
  to: z.email(),
  /** Unique per test, so the copy that sync brings back is recognised. */
  subject: z.string().min(1),
  sentAt: z.number().int(),
  /** The provider's id of the sent message, when the provider answers one (Gmail does, Graph does not). */
  providerId: z.string().nullable(),
  receivedAt: z.number().int().nullable(),
});
export type TestEmail = z.infer<typeof testEmailSchema>;

/** Checklist items the user confirms by hand; the others are ticked by what happened (R32). */
export const confirmableChecklistItemSchema = z.enum(['purpose_owner_confirmed', 'sender_verified', 'recovery_documented']);

export const mailboxSchema = z
  .object({
    id: z.string().min(1),
    provider: providerSchema,
    address: z.email(),
    scope: scopeSchema,
    kind: mailboxKindSchema,
    owner: z.string().trim().min(1).nullable(),
    recoveryNote: z.string().trim().min(1).nullable(),
    visibility: visibilitySchema,
    backfillDays: backfillDaysSchema,
    status: mailboxStatusSchema,
    lastError: providerErrorSchema.nullable(),
    identity: senderIdentitySchema.nullable(),
    checklist: checklistSchema,
    /**
     * Labels (Gmail) or folders (Outlook) sync is restricted to, by provider id; null: all mail
     * except the excluded folders (R21), the default.
     */
    syncOnly: z.array(z.string().min(1)).min(1).nullable().default(null),
    /** The end of the last sync or backfill that succeeded (R12, R33); null before the first. */
    lastSyncedAt: z.number().int().nullable().default(null),
    testEmail: testEmailSchema.nullable().default(null),
    /**
     * Why the CRM's record of this mailbox (purpose, kind, owner, recovery note, display name,
     * provider, status) is not in step with these details, in plain words; null when it is, or
     * when no CRM is connected. The local details stand either way; the next change or reconnect
     * sends the record again.
     */
    crmRecordError: z.string().nullable().default(null),
    /**
     * When a disconnect (R34) began; null otherwise. Written before the provider grant is revoked,
     * so a worker that stops before the purge leaves the mark: the engine runs nothing for the
     * mailbox, and the next worker start finishes the disconnect.
     */
    disconnectingSince: z.number().int().nullable().default(null),
    /** Milliseconds since the epoch, like every time the extension stores. */
    createdAt: z.number().int(),
  })
  .refine((m) => m.kind === 'personal' || (m.owner !== null && m.recoveryNote !== null), {
    message: 'A shared mailbox needs an owner and a note on recovery access before it is connected.',
    path: ['owner'],
  });
export type Mailbox = z.infer<typeof mailboxSchema>;

/**
 * The visibility a new mailbox starts with: personal scope is metadata only until the user
 * widens it (R5); customer-facing scopes start at subject and snippet.
 */
export function defaultVisibility(scope: Scope): Visibility {
  return scope === 'personal' ? 'metadata' : 'snippet';
}

/**
 * The last failed connect, kept where the popup finds it again: Chrome closes the toolbar popup
 * while the sign-in window has focus, so the popup that started a connect never sees its end.
 */
export const lastConnectFailureSchema = z.object({
  provider: z.enum(['gmail', 'outlook']),
  message: z.string(),
  at: z.number().int(),
});
export type LastConnectFailure = z.infer<typeof lastConnectFailureSchema>;

/** The mail providers that sign in with OAuth (IMAP goes through the bridge). */
export type OAuthMailProvider = 'gmail' | 'outlook';

/** Mailbox ids, and the token-store account of a mailbox: `<provider>:<address>`. */
export function mailboxIdFor(provider: OAuthMailProvider, address: string): string {
  return `${provider}:${address.trim().toLowerCase()}`;
}
