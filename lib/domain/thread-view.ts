import { z } from 'zod';
import { mailboxStatusSchema, scopeSchema } from './mailbox';
import { contactRefSchema, messageSyncStateSchema } from './sync-state';

/**
 * A participant of the open thread as the sidebar shows it (R26), its role read from the local
 * mirror and the privacy rules:
 * - `contact`: an external address the CRM knows (`contact` set);
 * - `not_in_crm`: an external address the CRM does not know;
 * - `internal`: in one of the workspace's own domains;
 * - `self`: a connected mailbox's own address, alias or reply-to;
 * - `blocked`: a blocked address or domain (R21).
 */
export const threadParticipantSchema = z.object({
  name: z.string(),
  address: z.string(),
  role: z.enum(['contact', 'not_in_crm', 'internal', 'self', 'blocked']),
  contact: contactRefSchema.nullable(),
});
export type ThreadParticipant = z.infer<typeof threadParticipantSchema>;

/**
 * One connected mailbox's view of the open thread (R27, R28): its stored messages' states, empty
 * until a sync stores the thread, and the user's decision about the thread (`link`), if any.
 */
export const threadMailboxSchema = z.object({
  mailboxId: z.string(),
  address: z.string(),
  scope: scopeSchema,
  status: mailboxStatusSchema,
  link: z.object({ contacts: z.array(contactRefSchema), dontSync: z.boolean() }).nullable(),
  messages: z.array(messageSyncStateSchema),
});
export type ThreadMailbox = z.infer<typeof threadMailboxSchema>;
