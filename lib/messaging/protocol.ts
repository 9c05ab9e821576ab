import { z } from 'zod';
import { backfillDaysSchema, lastConnectFailureSchema, mailboxKindSchema, mailboxSchema, providerSchema, scopeSchema } from '../domain';

/** A CRM is reached over HTTPS; plain HTTP only on this machine (a local CRM or the emulator). */
const crmBaseUrlSchema = z.url({ protocol: /^https?$/ }).refine((url) => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === '127.0.0.1' || hostname === 'localhost';
}, 'The CRM address must start with https:// (plain http only for 127.0.0.1 or localhost).');

/**
 * The one protocol between the UI or content scripts and the background. Every message has an
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
      .refine((m) => m.kind === 'personal' || (m.owner !== null && m.recoveryNote !== null), {
        message: 'A shared mailbox needs an owner and a note on recovery access before it is connected.',
        path: ['owner'],
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
   */
  disconnectMailbox: {
    pagesOnly: true,
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.object({ id: z.string(), address: z.string(), provider: providerSchema, revoked: z.boolean(), removeAccessUrl: z.url().nullable() }),
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
  disconnectCrm: {
    pagesOnly: true,
    input: z.object({}).strict(),
    output: z.object({}),
  },
} satisfies Record<string, { input: z.ZodType; output: z.ZodType; pagesOnly?: true }>;

export type Protocol = typeof protocol;
export type MessageName = keyof Protocol;
/** What a caller passes. */
export type MessageInput<K extends MessageName> = z.input<Protocol[K]['input']>;
/** What a handler receives, after validation and defaults. */
export type HandlerInput<K extends MessageName> = z.output<Protocol[K]['input']>;
export type MessageOutput<K extends MessageName> = z.output<Protocol[K]['output']>;

/** Why the background refused or failed a message. */
export const messagingErrorCodeSchema = z.enum(['invalid_payload', 'forbidden_sender', 'handler_failed']);
export type MessagingErrorCode = z.infer<typeof messagingErrorCodeSchema>;

/** What travels back over the wire: a value, or a typed error in plain words. */
export const envelopeSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: messagingErrorCodeSchema, message: z.string() }) }),
]);
export type Envelope = z.infer<typeof envelopeSchema>;

/** The typed error a caller receives when the background refused or failed its message. */
export class MessagingError extends Error {
  override readonly name = 'MessagingError';
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
  ) {
    super(message);
  }
}
