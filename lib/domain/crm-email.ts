import { z } from 'zod';

const wireAddressSchema = z.object({ address: z.string(), name: z.string().nullable() });

/**
 * [EmailInput] One item of `POST /emails/batch` (R37), as the extension builds it (`toCrmEmail`)
 * and keeps it in the outbox until the CRM has it. `subject`, `snippet` and `body` are present
 * only when the mailbox's visibility allows them (R22).
 */
export const crmEmailInputSchema = z.object({
  /** The RFC 5322 Message-ID with its angle brackets; the CRM's upsert key (R15). */
  message_id: z.string().min(3),
  mailbox: z.string(),
  direction: z.enum(['sent', 'received']),
  subject: z.string().optional(),
  snippet: z.string().optional(),
  body: z.string().optional(),
  from: wireAddressSchema,
  to: z.array(wireAddressSchema),
  cc: z.array(wireAddressSchema),
  date: z.string(),
  thread_key: z.string().optional(),
  /** At least one, no repeats. */
  contact_ids: z.array(z.string()).min(1),
});
export type CrmEmailInput = z.infer<typeof crmEmailInputSchema>;
