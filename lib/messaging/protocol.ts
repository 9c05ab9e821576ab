import { z } from 'zod';
import { mailboxSchema } from '../domain';

/**
 * The one protocol between the UI or content scripts and the background. Every message has an
 * input schema, checked in the background before a handler runs, and an output schema, checked
 * by the caller when the answer arrives.
 */
export const protocol = {
  /** What the popup and options page show first: mailboxes and the CRM connection. */
  getOverview: {
    input: z.object({}).strict(),
    output: z.object({
      mailboxes: z.array(mailboxSchema),
      crm: z.object({ baseUrl: z.url().nullable() }),
      oauthRedirectUrl: z.url(),
    }),
  },
} satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

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
