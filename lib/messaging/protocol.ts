import { z } from 'zod';
import {
  backfillDaysSchema,
  confirmableChecklistItemSchema,
  contactRefSchema,
  contactSampleSchema,
  type ErrorAction,
  errorActionSchema,
  jobProgressSchema,
  jobSchema,
  lastConnectFailureSchema,
  lookupResultSchema,
  mailboxKindSchema,
  mailboxSchema,
  messageSyncStateSchema,
  privacyRulesSchema,
  storedPrivacyRulesSchema,
  ProviderError,
  providerErrorCodeSchema,
  providerSchema,
  reviewPromptSchema,
  scopeSchema,
  syncRunSchema,
  threadMailboxSchema,
  threadParticipantSchema,
  visibilitySchema,
  sharedMailboxIssues,
} from '../domain';

/** One message of a protocol: its input, its answer, and whether only the extension's pages may send it. */
export interface MessageSpec {
  input: z.ZodType;
  output: z.ZodType;
  pagesOnly?: true;
}
export type ProtocolMap = Record<string, MessageSpec>;

/**
 * The CRM base URL (R8): over HTTPS, plain HTTP only on this machine (a local CRM or the
 * emulator); and only a scheme, host, port and path. User info would be sent with every request,
 * and a query or fragment would end up inside every API path the client builds.
 */
export const crmBaseUrlSchema = z
  .url({ protocol: /^https?$/, error: 'Enter the CRM address as a full URL, for example https://crm.example.com.', abort: true })
  .refine((url) => {
    const { protocol, hostname } = new URL(url);
    return protocol === 'https:' || hostname === '127.0.0.1' || hostname === 'localhost';
  }, 'The CRM address must start with https:// (plain http only for 127.0.0.1 or localhost).')
  // The raw text too: `https://@crm.test` and a bare `?` or `#` leave the parsed URL's fields empty.
  .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url), 'The CRM address must not contain a user name or password.')
  .refine((url) => !/[?#]/.test(url), 'The CRM address must not contain a query (?…) or a fragment (#…).');

/**
 * The one protocol between the extension's pages (popup, options, the sidebar frame) and the
 * background; the webmail content scripts send nothing on it now. Every message has an
 * input schema, checked in the background before a handler runs, and an output schema, checked
 * by the caller when the answer arrives. `pagesOnly` messages change accounts or delete data:
 * only the extension's own pages may send them, never a content script on a webmail page.
 */
export const protocol = {
  /** What the popup and options page show first: mailboxes and the CRM connection. */
  getOverview: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({
      mailboxes: z.array(mailboxSchema),
      crm: z.object({
        baseUrl: z.url().nullable(),
        authMethod: z.enum(['oauth', 'personal_token']).nullable(),
        /** This build's suggested CRM base URL, for the connect form. */
        defaultBaseUrl: z.string(),
      }),
      /** The redirect URL to register with each authorization server (README, Configuration). */
      oauthRedirectUrls: z.object({ google: z.url(), microsoft: z.url(), crm: z.url() }),
      /** A connect that failed while the popup was closed by the sign-in window. */
      lastConnectFailure: lastConnectFailureSchema.nullable(),
    }),
  },
  /** One-click connect from the popup (R1, R2): scope and backfill days are chosen first (R4, R5). */
  connectMailbox: {
    pagesOnly: true,
    input: z
      .object({
        provider: z.enum(['gmail', 'outlook']),
        scope: scopeSchema,
        kind: mailboxKindSchema.default('personal'),
        owner: z.string().trim().min(1).nullable().default(null),
        recoveryNote: z.string().trim().min(1).nullable().default(null),
        backfillDays: backfillDaysSchema.default(14),
      })
      .strict()
      .superRefine((m, ctx) => {
        for (const issue of sharedMailboxIssues(m)) ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
      }),
    output: mailboxSchema,
  },
  dismissConnectFailure: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({}),
  },
  /** Signs a mailbox in again after "Reconnect needed" (R2, R12). */
  reconnectMailbox: {
    pagesOnly: true,
    input: z.object({ id: z.string().min(1) }).strict(),
    output: mailboxSchema,
  },
  /**
   * Revokes the grant and purges the mailbox's local data (R34). `revoked` is true only when the
   * provider confirmed the revocation; otherwise `removeAccessUrl` is the page where the user
   * removes the extension's access (Outlook has no revocation for this client type).
   * `crmRecordError`: plain words when the CRM's record of the mailbox could not be removed.
   */
  disconnectMailbox: {
    pagesOnly: true,
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({
      id: z.string(),
      address: z.string(),
      provider: providerSchema,
      revoked: z.boolean(),
      removeAccessUrl: z.url().nullable(),
      crmRecordError: z.string().nullable(),
    }),
  },
  /** Connects the CRM (R8) after the page obtained host access to its origin. */
  connectCrm: {
    pagesOnly: true,
    input: z.discriminatedUnion('authMethod', [
      z.object({ baseUrl: crmBaseUrlSchema, authMethod: z.literal('oauth') }).strict(),
      z.object({ baseUrl: crmBaseUrlSchema, authMethod: z.literal('personal_token'), token: z.string().trim().min(8) }).strict(),
    ]),
    output: z.object({ baseUrl: z.url(), name: z.string(), email: z.string() }),
  },
  /** `revoked` false: the CRM did not confirm it; `pastedToken`: the user revokes that at the CRM. */
  disconnectCrm: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({ revoked: z.boolean(), pastedToken: z.boolean() }),
  },
  /** "Sync now" (R9): runs the mailbox's incremental sync at once, clearing a failed sync's error. */
  syncNow: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1) }).strict(),
    output: z.object({ jobs: z.array(jobSchema) }),
  },
  /**
   * The open webmail shows new mail (R16): sent by the sidebar frame (an extension page) when the
   * content script hosting it reports new mail over their port. Queues an incremental sync
   * of that provider's mailboxes unless one is queued or running (a debounce), and never cuts a
   * persisted wait short nor clears an error: a page cannot make the extension hammer a provider.
   */
  requestSync: {
    input: z.object({ provider: z.enum(['gmail', 'outlook']) }).strict(),
    output: z.object({ jobs: z.array(jobSchema) }),
  },
  /**
   * Backfill (R10): refused while a provider error is unresolved, above 14 days until matching is
   * verified; above 60 days, unless `confirmed`, it answers the provider's estimate to confirm.
   */
  backfill: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), days: backfillDaysSchema, confirmed: z.boolean().default(false) }).strict(),
    output: z.union([z.object({ job: jobSchema }), z.object({ confirm: z.object({ days: z.number().int(), estimate: z.number().int().nullable() }) })]),
  },
  /** A dry run of a backfill window (R11): counts per contact and skip reason in the run it records. */
  preview: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), days: backfillDaysSchema }).strict(),
    output: z.object({ job: jobSchema }),
  },
  /** Stops a running, waiting or queued job; what it committed stays. */
  cancelJob: {
    pagesOnly: true,
    input: z.object({ jobId: z.string().min(1) }).strict(),
    output: z.object({ job: jobSchema.nullable() }),
  },
  /** Removes from the CRM what one run pushed (R18). */
  undoRun: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), runId: z.string().min(1) }).strict(),
    output: z.object({ job: jobSchema }),
  },
  /** Jobs and the live progress of running ones (counts, estimate, ETA; R10). Cheap to poll. */
  getJobs: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({ jobs: z.array(jobSchema), progress: z.array(jobProgressSchema) }),
  },
  /** A mailbox's sync history with counts (R17). */
  getRuns: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1) }).strict(),
    output: z.object({ runs: z.array(syncRunSchema) }),
  },
  /** The review sample of a run per contact (R24). */
  getRunSample: {
    pagesOnly: true,
    input: z.object({ runId: z.string().min(1), perContact: z.number().int().min(1).max(50).default(5) }).strict(),
    output: z.object({ contacts: z.array(contactSampleSchema) }),
  },
  /** "Why wasn't this logged?" (R17): stored messages by subject text or participant address. */
  lookupMessages: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), text: z.string().trim().min(2).max(200), limit: z.number().int().min(1).max(100).default(25) }).strict(),
    output: z.object({ messages: z.array(lookupResultSchema) }),
  },
  /**
   * What the sidebar shows for the thread open in the webmail (R26, R28): each participant the page
   * shows, with its role and CRM match from the local mirror, and for each connected mailbox of that
   * provider where the thread's stored messages stand and its manual decision. The participants are
   * what the page shows: untrusted input, used only to look up the mirror. No subject or content is
   * answered. `crm.origin` is the CRM's origin, the only one a contact link may point to.
   */
  getThreadView: {
    pagesOnly: true,
    input: z
      .object({
        provider: z.enum(['gmail', 'outlook']),
        threadKey: z.string().min(1).max(512),
        participants: z.array(z.object({ name: z.string().max(300), address: z.string().max(320) }).strict()).max(200),
      })
      .strict(),
    output: z.object({
      crm: z.object({ connected: z.boolean(), origin: z.string().nullable() }),
      participants: z.array(threadParticipantSchema),
      mailboxes: z.array(threadMailboxSchema),
    }),
  },
  /** Contacts of the local mirror whose name, company or address contains `text` (R27's "Link to contact"). */
  searchContacts: {
    pagesOnly: true,
    input: z.object({ text: z.string().trim().min(1).max(200), limit: z.number().int().min(1).max(25).default(10) }).strict(),
    /** `emails`: the primary address first. `truncated`: the search stopped at a cap, so a match may be missing (type more). */
    output: z.object({ contacts: z.array(contactRefSchema.extend({ emails: z.array(z.string()) })), truncated: z.boolean() }),
  },
  /**
   * Creates a CRM contact the user asked for from a participant (R25, R27): in the CRM (under an
   * idempotency key), then in the mirror, then retro-matches every mailbox's stored messages
   * (R21a), so the thread's past messages are pushed. Never called automatically.
   */
  createContact: {
    pagesOnly: true,
    input: z
      .object({
        name: z.string().trim().min(1, 'Enter a name.').max(200),
        email: z.email('Enter an email address.').max(320),
        company: z.string().trim().max(200).optional(),
      })
      .strict(),
    output: z.object({ contact: contactRefSchema }),
  },
  /**
   * Takes one contact off a thread (R27): from the CRM for what it already holds (as the review's
   * "wrong contact" does), and from what the engine pushes later. The thread is then decided by
   * hand: linked to its other contacts, or "don't sync" when none is left.
   */
  unlinkThreadContact: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), threadKey: z.string().min(1).max(512), contactId: z.string().min(1) }).strict(),
    output: z.object({ messages: z.array(messageSyncStateSchema) }),
  },
  /** The contact's recent emails in the CRM, newest first (the sidebar's timeline). */
  getContactTimeline: {
    pagesOnly: true,
    input: z.object({ contactId: z.string().min(1), limit: z.number().int().min(1).max(20).default(5) }).strict(),
    output: z.object({ emails: z.array(z.object({ id: z.string(), subject: z.string().nullable(), date: z.number().int(), direction: z.enum(['sent', 'received']) })) }),
  },
  /** Links a thread to contacts, unlinks it (no contacts), or marks it "don't sync" (R27). */
  setThreadDecision: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), threadKey: z.string().min(1).max(512), contactIds: z.array(z.string().min(1)).max(50), dontSync: z.boolean() }).strict(),
    output: z.object({ messages: z.array(messageSyncStateSchema) }),
  },
  /** The labels (Gmail) or folders (Outlook) a mailbox's sync may be restricted to. */
  listFolders: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1) }).strict(),
    output: z.object({ folders: z.array(z.object({ id: z.string(), name: z.string(), kind: z.enum(['system', 'user']) })) }),
  },
  /** Restricts a mailbox's sync to chosen labels or folders, or (null) to all mail but the excluded ones; from the next page on. */
  setSyncOnly: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), only: z.array(z.string().min(1)).min(1).max(200).nullable() }).strict(),
    output: mailboxSchema,
  },
  /** Review prompts raised by the engine (R33), less those dismissed. */
  getReviewPrompts: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({ prompts: z.array(reviewPromptSchema) }),
  },
  dismissReviewPrompt: {
    pagesOnly: true,
    input: z.object({ id: z.string().min(1).max(500) }).strict(),
    output: z.object({}),
  },
  /**
   * Edits a mailbox's details (R5, R6, R22): scope, kind, owner, recovery note, visibility. A
   * shared mailbox keeps an owner and a recovery note. Kept in the CRM's mailbox record too.
   */
  updateMailbox: {
    pagesOnly: true,
    input: z
      .object({
        id: z.string().min(1),
        scope: scopeSchema.optional(),
        kind: mailboxKindSchema.optional(),
        owner: z.string().trim().min(1).max(200).nullable().optional(),
        recoveryNote: z.string().trim().min(1).max(2000).nullable().optional(),
        visibility: visibilitySchema.optional(),
      })
      .strict(),
    output: mailboxSchema,
  },
  /** Ticks a launch-checklist item only the user can confirm (R7, R32); the others follow what happened. */
  confirmChecklistItem: {
    pagesOnly: true,
    input: z.object({ id: z.string().min(1), item: confirmableChecklistItemSchema }).strict(),
    output: mailboxSchema,
  },
  /**
   * "Send test email" (R31) to a safe address: ticks "test send" when the provider accepted it,
   * and "test receive" once sync brings it back (see the mailbox's `testEmail`).
   */
  sendTestEmail: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), to: z.email({ error: 'Enter a full email address, for example you@example.com.' }) }).strict(),
    output: mailboxSchema,
  },
  /** The user reviewed a run's sample and it looks right (R24, R32): "timeline reviewed" and "matching verified". */
  markSampleReviewed: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), runId: z.string().min(1) }).strict(),
    output: mailboxSchema,
  },
  /**
   * "Wrong contact" in the review (R24): unlinks one message from one contact in the CRM, and
   * keeps it unlinked from then on. The decision is kept on its thread (R27): linked to its other
   * contacts, or "don't sync" when none is left; so the thread's other emails are unlinked from
   * that contact too, and its later mail never goes to it. Answers where the message stands now.
   */
  wrongContact: {
    pagesOnly: true,
    input: z.object({ mailboxId: z.string().min(1), providerId: z.string().min(1), contactId: z.string().min(1) }).strict(),
    output: z.object({ message: messageSyncStateSchema }),
  },
  /**
   * What still relies on a mailbox before it is disconnected (R34): the CRM's dependencies, its
   * open jobs, and `waitingPushes`: how many of its messages wait to be pushed that only it holds,
   * so the disconnect drops them unpushed (a message another mailbox also holds is pushed from there).
   */
  getDisconnectImpact: {
    pagesOnly: true,
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({
      /** Null when no CRM is connected or it could not say; `crmError` then says why. */
      crm: z
        .object({
          workflows: z.array(z.object({ id: z.string(), name: z.string() })),
          templates: z.array(z.object({ id: z.string(), name: z.string() })),
        })
        .nullable(),
      crmError: z.string().nullable(),
      jobs: z.array(jobSchema),
      waitingPushes: z.number().int().nonnegative(),
    }),
  },
  /** "Test connection" (R8): who the CRM's `GET /me` says the connection is. */
  testCrmConnection: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({ baseUrl: z.url(), name: z.string(), email: z.string() }),
  },
  getPrivacyRules: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: storedPrivacyRulesSchema,
  },
  /** Saves the workspace's privacy rules (R21); they apply to what is decided from then on. */
  savePrivacyRules: {
    pagesOnly: true,
    input: privacyRulesSchema.strict(),
    output: storedPrivacyRulesSchema,
  },
} satisfies ProtocolMap;

export type Protocol = typeof protocol;
export type MessageName = keyof Protocol;

/**
 * Whether `name` is one of the map's own messages. `map[name]` alone also finds what every object
 * inherits (`constructor`, `toString`, `__proto__`), so a message is looked up only after this.
 */
export function isMessageOf<P extends ProtocolMap>(map: P, name: unknown): name is keyof P & string {
  return typeof name === 'string' && Object.hasOwn(map, name);
}

/** What a caller passes. */
export type MessageInput<K extends MessageName> = z.input<Protocol[K]['input']>;
export type MessageOutput<K extends MessageName> = z.output<Protocol[K]['output']>;

/**
 * Why a message failed outside any provider: refused by the background (`invalid_payload`,
 * `forbidden_sender`), failed without a typed error (`handler_failed`), or never answered
 * (`no_answer`: the background is not running or dropped the message).
 */
export const messagingErrorCodeSchema = z.enum(['invalid_payload', 'forbidden_sender', 'handler_failed', 'no_answer']);
export type MessagingErrorCode = z.infer<typeof messagingErrorCodeSchema>;

/**
 * An error as it travels back to the page (R12): its code (a messaging code, or the provider's
 * own for a `ProviderError`), plain words, the action that fixes it and whether trying again can help.
 */
export const wireErrorSchema = z.object({
  code: z.union([messagingErrorCodeSchema, providerErrorCodeSchema]),
  message: z.string(),
  action: errorActionSchema,
  retryable: z.boolean(),
  /**
   * For `invalid_payload` only: a plain message per input field that is wrong, keyed by the
   * field's path joined with dots (`blockedAddresses.2`, `owner`), the first issue of each. A form
   * shows each next to its field; `message` still says it all in one sentence.
   */
  fields: z.record(z.string(), z.string()).optional(),
});
export type WireError = z.infer<typeof wireErrorSchema>;

/** What travels back over the wire: a value, or a typed error. */
export const envelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: wireErrorSchema }),
]);
export type Envelope = z.infer<typeof envelopeSchema>;

/** The action and retryability of each messaging code: a refusal is final, a missing answer may pass. */
const MESSAGING_FIX: Record<MessagingErrorCode, { action: ErrorAction; retryable: boolean }> = {
  invalid_payload: { action: 'none', retryable: false },
  forbidden_sender: { action: 'none', retryable: false },
  handler_failed: { action: 'none', retryable: false },
  no_answer: { action: 'retry', retryable: true },
};

/** The words of a failure no typed error describes (its details stay in the worker's console). */
export const UNEXPECTED_FAILURE = "Something unexpected went wrong in the extension's background. Try again; if it keeps happening, reload the extension.";

/**
 * The typed error a page receives when its message failed: the wire error's code, plain message,
 * fixing action and `retryable`, so the UI can offer the fix (e.g. "Reconnect").
 */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  readonly code: WireError['code'];
  readonly action: ErrorAction;
  readonly retryable: boolean;
  /** See `WireError.fields`. */
  readonly fields: Readonly<Record<string, string>> | undefined;

  constructor(error: WireError) {
    super(error.message);
    this.code = error.code;
    this.action = error.action;
    this.retryable = error.retryable;
    this.fields = error.fields;
  }

  /** A messaging failure, with its code's own action and retryability. */
  static of(code: MessagingErrorCode, message: string): MessagingError {
    return new MessagingError({ code, message, ...MESSAGING_FIX[code] });
  }

  /** An `invalid_payload` refusal with the message of each wrong field (see `WireError.fields`). */
  static invalid(message: string, fields: Record<string, string>): MessagingError {
    return new MessagingError({ code: 'invalid_payload', message, ...MESSAGING_FIX.invalid_payload, fields });
  }

  /**
   * What a handler threw, for the wire: a typed error keeps its own plain words, code, action and
   * retryability; anything else is `handler_failed` with fixed words, since an untyped message
   * may quote a URL, a token or a piece of mail, and the answer may go to a content script.
   */
  static from(error: unknown): MessagingError {
    if (error instanceof MessagingError) return error;
    if (error instanceof ProviderError) return new MessagingError({ code: error.code, message: error.message, action: error.data.action, retryable: error.retryable });
    return MessagingError.of('handler_failed', UNEXPECTED_FAILURE);
  }

  toWire(): WireError {
    const wire: WireError = { code: this.code, message: this.message, action: this.action, retryable: this.retryable };
    return this.fields ? { ...wire, fields: { ...this.fields } } : wire;
  }
}
