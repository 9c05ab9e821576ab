import { z } from 'zod';

/**
 * The Graph v1.0 JSON we read, as documented for the `message`, `recipient`, `user` and
 * `mailboxSettings` resources, OData collections and JSON batching. Every property is optional
 * where `$select` or the account type can leave it out; unknown properties are dropped.
 */

/** `recipient`: `{"emailAddress":{"name","address"}}`. */
const recipientSchema = z.object({ emailAddress: z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish() });
export type GraphRecipient = z.infer<typeof recipientSchema>;

export const graphMessageSchema = z.object({
  id: z.string().min(1),
  internetMessageId: z.string().nullish(),
  conversationId: z.string().nullish(),
  subject: z.string().nullish(),
  from: recipientSchema.nullish(),
  toRecipients: z.array(recipientSchema).nullish(),
  ccRecipients: z.array(recipientSchema).nullish(),
  bccRecipients: z.array(recipientSchema).nullish(),
  replyTo: z.array(recipientSchema).nullish(),
  receivedDateTime: z.string().nullish(),
  sentDateTime: z.string().nullish(),
  categories: z.array(z.string()).nullish(),
  parentFolderId: z.string().nullish(),
  bodyPreview: z.string().nullish(),
  body: z.object({ contentType: z.string().nullish(), content: z.string().nullish() }).nullish(),
  /** Only when selected (see `messageFields` in message.ts). */
  internetMessageHeaders: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
});
export type GraphMessage = z.infer<typeof graphMessageSchema>;

/** A page of a plain list: `value`, `@odata.nextLink`, and `@odata.count` when `$count=true` was honoured. */
export const messagePageSchema = z.object({
  value: z.array(graphMessageSchema),
  '@odata.nextLink': z.string().optional(),
  '@odata.count': z.number().int().nonnegative().optional(),
});

/** A page of a delta round: changed items, or `{"id","@removed":{"reason"}}` for items that left. */
export const deltaPageSchema = z.object({
  value: z.array(z.object({ id: z.string().min(1), '@removed': z.object({ reason: z.string().optional() }).optional() })),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

/** The answer of `POST /$batch`: one response per request id, in any order. */
export const batchAnswerSchema = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number().int(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

/** `GET /me?$select=…`: the user, with `proxyAddresses` only when selected and readable. */
export const graphUserSchema = z.object({
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
  proxyAddresses: z.array(z.string()).nullish(),
});
export type GraphUser = z.infer<typeof graphUserSchema>;

/** `GET /me/mailboxSettings`: v1.0 gives `userPurpose` as a plain string ("user", "shared", …). */
export const mailboxSettingsSchema = z.object({
  userPurpose: z.union([z.string(), z.object({ value: z.string() })]).nullish(),
  automaticRepliesSetting: z.object({ status: z.string().nullish() }).nullish(),
});
export type GraphMailboxSettings = z.infer<typeof mailboxSettingsSchema>;

/** `GET /me/mailFolders/{name}?$select=id`. */
export const folderSchema = z.object({ id: z.string().min(1) });

/** A `mailFolder` as listed with `$select=id,displayName,childFolderCount`. */
const listedFolderSchema = folderSchema.extend({ displayName: z.string().nullish(), childFolderCount: z.number().int().nonnegative().nullish() });
export type GraphFolder = z.infer<typeof listedFolderSchema>;

/** A page of `GET /me/mailFolders` or `…/{id}/childFolders`. */
export const folderListSchema = z.object({ value: z.array(listedFolderSchema), '@odata.nextLink': z.string().optional() });
