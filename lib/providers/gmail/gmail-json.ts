import type { gmail_v1 } from 'googleapis';
import { z } from 'zod';

/**
 * The Gmail API v1 resources we read, checked with zod at the boundary. Each schema `satisfies`
 * the matching `googleapis` type (a type-only import: the package itself is Node-only), so a
 * field we read under the wrong name or type fails the type check. Only the fields we use are
 * required; Google leaves unset fields out of its JSON.
 */

const headerSchema = z.object({ name: z.string(), value: z.string() }) satisfies z.ZodType<gmail_v1.Schema$MessagePartHeader>;

export interface GmailMessagePart {
  partId?: string;
  mimeType?: string;
  filename?: string;
  headers?: { name: string; value: string }[];
  body?: { size?: number; data?: string; attachmentId?: string };
  parts?: GmailMessagePart[];
}

/** A MIME part of `format=full` (recursive), or the header-only payload of `format=metadata`. */
export const messagePartSchema: z.ZodType<GmailMessagePart> = z.lazy(() =>
  z.object({
    partId: z.string().optional(),
    mimeType: z.string().optional(),
    filename: z.string().optional(),
    headers: z.array(headerSchema).optional(),
    body: z.object({ size: z.number().optional(), data: z.string().optional(), attachmentId: z.string().optional() }).optional(),
    parts: z.array(messagePartSchema).optional(),
  }),
) satisfies z.ZodType<gmail_v1.Schema$MessagePart>;

/** `users.messages.get` (format metadata or full). `internalDate` is an int64 as a string. */
export const messageSchema = z.object({
  id: z.string().min(1),
  threadId: z.string().min(1),
  labelIds: z.array(z.string()).optional(),
  snippet: z.string().optional(),
  historyId: z.string().optional(),
  internalDate: z.string().regex(/^\d+$/).optional(),
  sizeEstimate: z.number().optional(),
  payload: messagePartSchema.optional(),
}) satisfies z.ZodType<gmail_v1.Schema$Message>;
export type GmailMessage = z.infer<typeof messageSchema>;

/** `users.threads.get`: the thread's messages, oldest first. */
export const threadSchema = z.object({
  id: z.string(),
  historyId: z.string().optional(),
  messages: z.array(messageSchema).default([]),
}) satisfies z.ZodType<gmail_v1.Schema$Thread>;

/** A message as lists and history name it: ids only. */
const messageRefSchema = z.object({ id: z.string().min(1), threadId: z.string().min(1) });
export type MessageRef = z.infer<typeof messageRefSchema>;

/** `users.messages.list`. */
export const messageListSchema = z.object({
  messages: z.array(messageRefSchema).default([]),
  nextPageToken: z.string().optional(),
  resultSizeEstimate: z.number().int().nonnegative().optional(),
}) satisfies z.ZodType<gmail_v1.Schema$ListMessagesResponse>;

const labelChangeSchema = z.object({
  message: messageRefSchema.extend({ labelIds: z.array(z.string()).optional() }),
  labelIds: z.array(z.string()).default([]),
});

/** One history record; each change list is left out when empty. */
const historySchema = z.object({
  id: z.string(),
  messagesAdded: z.array(z.object({ message: messageRefSchema.extend({ labelIds: z.array(z.string()).optional() }) })).default([]),
  messagesDeleted: z.array(z.object({ message: messageRefSchema })).default([]),
  labelsAdded: z.array(labelChangeSchema).default([]),
  labelsRemoved: z.array(labelChangeSchema).default([]),
}) satisfies z.ZodType<gmail_v1.Schema$History>;
export type GmailHistory = z.infer<typeof historySchema>;

/** `users.history.list`: records oldest first, the mailbox's current history id. */
export const historyListSchema = z.object({
  history: z.array(historySchema).default([]),
  nextPageToken: z.string().optional(),
  historyId: z.string().regex(/^\d+$/),
}) satisfies z.ZodType<gmail_v1.Schema$ListHistoryResponse>;

/** `users.getProfile`. */
export const profileSchema = z.object({
  emailAddress: z.string().min(3),
  historyId: z.string().regex(/^\d+$/),
}) satisfies z.ZodType<gmail_v1.Schema$Profile>;

/** `users.settings.sendAs.list`: the primary address and every custom "from" alias. */
export const sendAsListSchema = z.object({
  sendAs: z
    .array(
      z.object({
        sendAsEmail: z.string().min(3),
        displayName: z.string().optional(),
        replyToAddress: z.string().optional(),
        isPrimary: z.boolean().optional(),
        isDefault: z.boolean().optional(),
        treatAsAlias: z.boolean().optional(),
        verificationStatus: z.string().optional(),
      }),
    )
    .default([]),
}) satisfies z.ZodType<gmail_v1.Schema$ListSendAsResponse>;
export type SendAsList = z.infer<typeof sendAsListSchema>;

/** `users.messages.send`: the stored copy's ids. */
export const sentSchema = z.object({ id: z.string().min(1), threadId: z.string().optional() }) satisfies z.ZodType<gmail_v1.Schema$Message>;

/** `users.labels.list`: every label of the mailbox, system and user ones. */
export const labelListSchema = z.object({
  labels: z
    .array(z.object({ id: z.string().min(1), name: z.string().optional(), type: z.string().optional() }) satisfies z.ZodType<gmail_v1.Schema$Label>)
    .default([]),
}) satisfies z.ZodType<gmail_v1.Schema$ListLabelsResponse>;
