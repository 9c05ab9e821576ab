import { z } from 'zod';

/**
 * Request bodies of the CRM API, mirroring the schemas of `lib/crm/openapi.yaml` (ContactCreate,
 * EmailInput, MailboxInput). The tests check the emulator's answers against that document.
 */

const email = z.email({ message: 'must be a valid email address' });

export const contactCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    email,
    additional_emails: z.array(email).max(20).optional(),
    company_name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const addressSchema = z.object({ address: email, name: z.string().nullable().optional() }).strict();

const emailInputSchema = z
  .object({
    message_id: z.string().max(998).regex(/^<[^<>\s]+>$/, 'must be a Message-ID in angle brackets'),
    mailbox: email,
    direction: z.enum(['sent', 'received']),
    subject: z.string().optional(),
    snippet: z.string().max(500).optional(),
    body: z.string().optional(),
    from: addressSchema,
    to: z.array(addressSchema),
    cc: z.array(addressSchema).optional(),
    date: z.iso.datetime({ offset: true }),
    thread_key: z.string().optional(),
    contact_ids: z
      .array(z.string())
      .min(1)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a contact'),
  })
  .strict();
/** One email exactly as a client sent it. */
export type EmailInput = z.infer<typeof emailInputSchema>;

/** Up to 100 emails a batch; more is refused whole. */
export const emailBatchSchema = z.object({ emails: z.array(emailInputSchema).min(1).max(100) }).strict();

export const mailboxInputSchema = z
  .object({
    purpose: z.enum(['sales', 'support', 'finance', 'personal']),
    kind: z.enum(['personal', 'shared']),
    owner: email.nullable().optional(),
    status: z.enum(['connected', 'paused', 'error']),
    recovery_note: z.string().max(2000).nullable().optional(),
    display_name: z.string().max(200).nullable().optional(),
    provider: z.enum(['gmail', 'outlook', 'imap']).optional(),
  })
  .strict()
  .superRefine((mailbox, ctx) => {
    // R6: a shared mailbox is connected only with an owner and a note on recovery access.
    if (mailbox.kind !== 'shared') return;
    if (!mailbox.owner) ctx.addIssue({ code: 'custom', path: ['owner'], message: 'is required for a shared mailbox' });
    if (!mailbox.recovery_note?.trim()) ctx.addIssue({ code: 'custom', path: ['recovery_note'], message: 'is required for a shared mailbox' });
  });
export type MailboxInput = z.infer<typeof mailboxInputSchema>;
