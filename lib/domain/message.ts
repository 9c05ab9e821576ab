import { z } from 'zod';
import { providerSchema } from './mailbox';

/** One parsed address: the display name (RFC 2047 decoded) and the address as written. */
export const addressSchema = z.object({
  name: z.string().nullable(),
  address: z.string().min(3),
});
export type Address = z.infer<typeof addressSchema>;

/** Headers that mark bulk mail (R21), kept so classification can explain a skip. */
export const bulkHeadersSchema = z.object({
  listUnsubscribe: z.string().nullable(),
  listId: z.string().nullable(),
  precedence: z.string().nullable(),
  autoSubmitted: z.string().nullable(),
});
export type BulkHeaders = z.infer<typeof bulkHeadersSchema>;

/**
 * A message as every provider delivers it to the engine (Gmail, Outlook and IMAP alike).
 *
 * Identity: `providerId` within one mailbox, `messageId` (RFC 5322 Message-ID) across
 * mailboxes (R15). `participants` holds the normalised addresses of everyone on the message,
 * for the multi-entry index that matching and the sidebar use.
 */
export const messageSchema = z.object({
  mailboxId: z.string().min(1),
  provider: providerSchema,
  providerId: z.string().min(1),
  messageId: z.string().nullable(),
  threadKey: z.string().min(1),
  subject: z.string().nullable(),
  from: addressSchema.nullable(),
  to: z.array(addressSchema),
  cc: z.array(addressSchema),
  bcc: z.array(addressSchema),
  replyTo: z.array(addressSchema),
  participants: z.array(z.string()),
  /** Milliseconds since the epoch. */
  date: z.number().int(),
  direction: z.enum(['sent', 'received']),
  labels: z.array(z.string()),
  folder: z.string().nullable(),
  category: z.string().nullable(),
  bulk: bulkHeadersSchema,
  /** Present only when the mailbox's visibility is snippet or full (R22, R23). */
  snippet: z.string().nullable(),
  /** Present only when the mailbox's visibility is full. */
  body: z.string().nullable(),
});
export type Message = z.infer<typeof messageSchema>;
