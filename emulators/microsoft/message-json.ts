import type { SeedAddress } from '../seed/types';
import { changeKey, graphDateTime } from './ids';
import { type MailboxState, restId, type StoredMessage } from './mail-store';

/** Graph's `recipient`: `{emailAddress:{name,address}}`; Exchange shows the address when there is no name. */
function recipient(address: SeedAddress) {
  return { emailAddress: { name: address.name ?? address.address, address: address.address } };
}

const BULK_KINDS = new Set(['newsletter', 'notification', 'promotion', 'social', 'forum', 'spam']);

function bodyPreview(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 255);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface RenderOptions {
  state: MailboxState;
  /** Prefer: outlook.body-content-type; null keeps the stored type. */
  bodyType: 'text' | 'html' | null;
  /** `Prefer: IdType="ImmutableId"` was sent: `id` is the immutable id, else the default one. */
  immutableIds: boolean;
}

type Field = (m: StoredMessage, o: RenderOptions) => unknown;

/**
 * The properties of Graph's `message` resource (v1.0) in the order Graph prints them. The ones
 * marked `selectOnly` come only when `$select` names them, as on the real service.
 */
const FIELDS: Record<string, { get: Field; selectOnly?: boolean }> = {
  createdDateTime: { get: (m) => graphDateTime(m.createdAt) },
  lastModifiedDateTime: { get: (m) => graphDateTime(m.modifiedAt) },
  changeKey: { get: (m) => changeKey(m.id, m.version) },
  categories: { get: () => [] },
  receivedDateTime: { get: (m) => graphDateTime(m.content.internalDate) },
  // Delivery takes a moment: received mail was sent a little before it arrived.
  sentDateTime: { get: (m) => graphDateTime(m.content.internalDate - (m.folder.wellKnown === 'sentitems' || m.isDraft ? 0 : 2000)) },
  hasAttachments: { get: () => false },
  internetMessageId: { get: (m) => m.content.messageId },
  subject: { get: (m) => m.content.subject },
  bodyPreview: { get: (m) => bodyPreview(m.content.body) },
  importance: { get: () => 'normal' },
  parentFolderId: { get: (m) => m.folder.id },
  conversationId: { get: (m) => m.content.threadId },
  isDeliveryReceiptRequested: { get: () => false },
  isReadReceiptRequested: { get: () => false },
  isRead: { get: (m) => m.isRead },
  isDraft: { get: (m) => m.isDraft },
  webLink: { get: (m) => `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(m.id)}&exvsurl=1&viewmodel=ReadMessageItem` },
  inferenceClassification: { get: (m) => (BULK_KINDS.has(m.content.kind) ? 'other' : 'focused') },
  body: {
    get: (m, o) => {
      const type = o.bodyType ?? m.bodyType;
      const content = type === 'html' && m.bodyType === 'text' ? `<html><body><div>${escapeHtml(m.content.body)}</div></body></html>` : m.content.body;
      return { contentType: type, content };
    },
  },
  uniqueBody: { get: (m, o) => FIELDS.body!.get(m, o), selectOnly: true },
  // Seeded structured addresses are what a correct parser decodes from the RFC 2047 headers.
  sender: { get: (m) => (m.content.from ? recipient(m.content.from) : null) },
  from: { get: (m) => (m.content.from ? recipient(m.content.from) : null) },
  toRecipients: { get: (m) => m.content.to.map(recipient) },
  ccRecipients: { get: (m) => m.content.cc.map(recipient) },
  bccRecipients: { get: (m) => m.content.bcc.map(recipient) },
  replyTo: { get: (m) => m.content.replyTo.map(recipient) },
  flag: { get: () => ({ flagStatus: 'notFlagged' }) },
  internetMessageHeaders: { get: (m) => m.content.headers.map(([name, value]) => ({ name, value })), selectOnly: true },
};

const BY_LOWER = new Map(Object.keys(FIELDS).map((name) => [name.toLowerCase(), name]));
const DEFAULT_FIELDS = Object.keys(FIELDS).filter((name) => !FIELDS[name]!.selectOnly);

/** Resolves `$select` names (Graph matches them case-insensitively); an unknown one is returned as `unknown`. */
export function resolveSelect(select: string[] | null): { fields: string[] } | { unknown: string } {
  if (!select) return { fields: DEFAULT_FIELDS };
  const fields: string[] = [];
  for (const raw of select) {
    if (raw === 'id') continue;
    const name = BY_LOWER.get(raw.toLowerCase());
    if (!name) return { unknown: raw };
    if (!fields.includes(name)) fields.push(name);
  }
  return { fields };
}

/** A message in Graph's JSON shape with only `fields` (plus `@odata.etag` and `id`). */
export function renderMessage(message: StoredMessage, fields: string[], options: RenderOptions, extra?: Record<string, unknown>): Record<string, unknown> {
  const id = options.immutableIds ? message.id : restId(message);
  const json: Record<string, unknown> = { ...extra, '@odata.etag': `W/"${changeKey(message.id, message.version)}"`, id };
  for (const name of fields) json[name] = FIELDS[name]!.get(message, options);
  return json;
}
