import { z } from 'zod';

/*
 * zod schemas for every CRM answer the client reads, written from `lib/crm/openapi.yaml`
 * (component names in brackets). Objects are not strict: the contract forbids extra properties,
 * but a CRM that adds one should not stop the sync (Postel); the contract tests catch it instead.
 * Addresses are plain strings: the CRM already accepted them, and a stricter e-mail regex than the
 * CRM's would reject contacts we must still mirror.
 */

const dateTime = z.iso.datetime({ offset: true });

/** [ErrorResponse] `{"error":{"code","message","details"?}}`, the shape of every /public/v1 error. */
export const crmErrorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type CrmErrorBody = z.infer<typeof crmErrorSchema>;

/** [ValidationErrorResponse] `details.fields`: field path → messages, e.g. `{"email":["has already been taken"]}`. */
export const validationDetailsSchema = z.object({ fields: z.record(z.string(), z.array(z.string()).min(1)) });

/** [insufficient_scope details] The scope the operation needed. */
export const scopeDetailsSchema = z.object({ required_scope: z.string() });

/** [User] The CRM user behind the token and the workspace's own domains (R21). */
export const crmUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  workspace: z.object({ id: z.string(), name: z.string(), domains: z.array(z.string()) }),
});
export type CrmUser = z.infer<typeof crmUserSchema>;
export const meResponseSchema = z.object({ data: crmUserSchema });

/** [Contact] A contact as the CRM words it. */
export const crmContactSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  company: z.object({ id: z.string(), name: z.string() }).nullable(),
  email: z.string(),
  additional_emails: z.array(z.string()),
  // Shown as a link in the sidebar: http(s) only, never javascript: or data:.
  url: z.url({ protocol: /^https?$/ }),
  created_at: dateTime,
  updated_at: dateTime,
});
export type CrmContact = z.infer<typeof crmContactSchema>;

/** [ContactEnvelope] */
export const contactEnvelopeSchema = z.object({ data: crmContactSchema });

/** [ContactPage] Agiled-style paging: `data`, `meta`, `links.next` (null on the last page). */
export const contactPageSchema = z.object({
  data: z.array(crmContactSchema),
  meta: z.object({
    current_page: z.number().int().min(1),
    per_page: z.number().int().min(1).max(100),
    total: z.number().int().min(0),
    last_page: z.number().int().min(1),
  }),
  links: z.object({ next: z.string().nullable() }),
});
export type CrmContactPage = z.infer<typeof contactPageSchema>;

/** [Address] */
export const crmAddressSchema = z.object({ address: z.string(), name: z.string().nullable().optional() });

/** [Email] A stored email; fields the mailbox's visibility did not send are null (R22). */
export const crmEmailSchema = z.object({
  id: z.string(),
  message_id: z.string(),
  mailbox: z.string(),
  direction: z.enum(['sent', 'received']),
  subject: z.string().nullable(),
  snippet: z.string().nullable(),
  body: z.string().nullable(),
  from: crmAddressSchema,
  to: z.array(crmAddressSchema),
  cc: z.array(crmAddressSchema),
  date: dateTime,
  thread_key: z.string().nullable(),
  contact_ids: z.array(z.string()),
  created_at: dateTime,
  updated_at: dateTime,
});
export type CrmEmail = z.infer<typeof crmEmailSchema>;

/** `GET /contacts/{id}/emails`: the timeline, newest first. */
export const timelineResponseSchema = z.object({ data: z.array(crmEmailSchema) });

/**
 * [EmailResult] `results[i]` answers `emails[i]`: stored (`email_id`) or refused (`error`). The
 * contract names one refusal code, `unknown_contact`; any code is accepted so that a CRM with a
 * new one still gets its other items recorded.
 */
export const emailResultSchema = z.union([
  z.object({ message_id: z.string(), status: z.enum(['created', 'updated', 'unchanged']), email_id: z.string() }),
  z.object({
    message_id: z.string(),
    status: z.literal('error'),
    error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  }),
]);
export type CrmEmailResult = z.infer<typeof emailResultSchema>;

/** `POST /emails/batch`'s answer. */
export const batchResponseSchema = z.object({ results: z.array(emailResultSchema) });

/** [Mailbox] The CRM's record of a connected mailbox (R5, R6, R34). */
export const crmMailboxSchema = z.object({
  address: z.string(),
  purpose: z.enum(['sales', 'support', 'finance', 'personal']),
  kind: z.enum(['personal', 'shared']),
  owner: z.string().nullable(),
  status: z.enum(['connected', 'paused', 'error']),
  recovery_note: z.string().nullable(),
  display_name: z.string().nullable(),
  provider: z.enum(['gmail', 'outlook', 'imap']).nullable(),
  created_at: dateTime,
  updated_at: dateTime,
});
export type CrmMailbox = z.infer<typeof crmMailboxSchema>;

/** [MailboxEnvelope] */
export const mailboxEnvelopeSchema = z.object({ data: crmMailboxSchema });

/** [MailboxDependencies] What in the CRM sends from or watches the mailbox (R34). */
export const mailboxDependenciesSchema = z.object({
  workflows: z.array(z.object({ id: z.string(), name: z.string() })),
  templates: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type CrmMailboxDependencies = z.infer<typeof mailboxDependenciesSchema>;
export const dependenciesResponseSchema = z.object({ data: mailboxDependenciesSchema });

/** [EmailInput] One item of `POST /emails/batch`: see `crmEmailInputSchema` in the domain. */
export type { CrmEmailInput } from '../domain/crm-email';

/** [MailboxInput] The body of `PUT /mailboxes/{address}`. */
export interface CrmMailboxInput {
  purpose: CrmMailbox['purpose'];
  kind: CrmMailbox['kind'];
  status: CrmMailbox['status'];
  /** Required for a shared mailbox (R6). */
  owner?: string | null;
  /** Required for a shared mailbox (R6). */
  recovery_note?: string | null;
  display_name?: string | null;
  provider?: 'gmail' | 'outlook' | 'imap';
}
