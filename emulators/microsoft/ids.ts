import { createHash, randomBytes } from 'node:crypto';

/** Graph's well-known names for the folders every emulated mailbox has. */
export const FOLDER_NAMES = ['inbox', 'sentitems', 'archive', 'junkemail', 'deleteditems', 'drafts'] as const;
export type FolderName = (typeof FOLDER_NAMES)[number];

export const FOLDER_DISPLAY_NAMES: Record<FolderName, string> = {
  inbox: 'Inbox',
  sentitems: 'Sent Items',
  archive: 'Archive',
  junkemail: 'Junk Email',
  deleteditems: 'Deleted Items',
  drafts: 'Drafts',
};

/** Graph ids are opaque base64url; ours are hashes so the same seed gives the same ids. */
function hash(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * A folder id shaped like Exchange's (`AQMkAD…`), stable per mailbox and key: a well-known name,
 * `msgfolderroot`, or the path of a seeded user folder.
 */
export function folderId(mailboxId: string, key: string): string {
  return `AQMkAD${hash(`${mailboxId}:${key}`).toString('base64url').slice(0, 40)}AAAA`;
}

/** A fresh folder id for a folder made while the emulator runs: Exchange never reuses one. */
export function newFolderId(): string {
  return `AQMkAD${randomBytes(30).toString('base64url')}AAAA`;
}

/** A GUID derived from a name: user object ids, the tenant id. */
export function stableGuid(name: string): string {
  const hex = hash(name).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A message's default (REST) id: Exchange derives it from where the item is stored, so it
 * changes when the message moves to another folder. Graph answers with it unless the request
 * carries `Prefer: IdType="ImmutableId"` ("Obtain immutable identifiers for Outlook resources").
 */
export function restMessageId(immutableId: string, folderId: string, entrySeq: number): string {
  return `AAMkAD${hash(`${immutableId}@${folderId}#${entrySeq}`).toString('base64url').slice(0, 40)}AAA=`;
}

/** A fresh immutable message id, in the same shape as the seeded ones. */
export function newMessageId(): string {
  return `AAkALgAAAAAAHYQDEapmEc2byACqAC-EWg0A${randomBytes(24).toString('base64url')}`;
}

export function newConversationId(): string {
  return `AAQkAD${randomBytes(24).toString('base64url')}`;
}

/** Exchange change keys change with every modification; etags wrap them. */
export function changeKey(id: string, version: number): string {
  return `CQAAABYAAA${hash(`${id}#${version}`).toString('base64').slice(0, 26)}`;
}

/** Graph prints date-times in UTC without fractions of a second. */
export function graphDateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
