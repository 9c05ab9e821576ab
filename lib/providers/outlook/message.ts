import type { Address, Message, Visibility } from '../../domain';
import { parseAddressList } from '../../matching/address';
import type { MailboxIdentity } from '../mail-provider';
import { bulkHeaders, headerReader, normaliseMessage } from '../normalise';
import { IMMUTABLE_IDS } from './graph-api';
import type { GraphMessage, GraphRecipient } from './graph-json';

const METADATA_FIELDS = [
  'id',
  'internetMessageId',
  'conversationId',
  'subject',
  'from',
  'toRecipients',
  'ccRecipients',
  'bccRecipients',
  'replyTo',
  'receivedDateTime',
  'sentDateTime',
  'categories',
  'parentFolderId',
  // Graph returns headers only when selected (and not for every Sent Items message:
  // microsoft-graph-docs#18761). On delta, an updated item may carry only what changed
  // (microsoft-graph-docs-contrib#5544), so changes() takes ids from delta and reads the messages
  // back with $batch gets, where every selected field comes.
  'internetMessageHeaders',
];

/** `$select` for a visibility (R22): the preview only from "snippet", the body only for "full". */
export function messageFields(visibility: Visibility): string[] {
  if (visibility === 'metadata') return METADATA_FIELDS;
  return visibility === 'snippet' ? [...METADATA_FIELDS, 'bodyPreview'] : [...METADATA_FIELDS, 'bodyPreview', 'body'];
}

/** A time as Graph prints and compares date-times: whole seconds, UTC, no fraction. */
export const graphTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The `Prefer` header for message reads: immutable ids, and a plain-text body when one is asked for. */
export function messagePrefer(visibility: Visibility, ...more: string[]): string {
  return [IMMUTABLE_IDS, ...(visibility === 'full' ? ['outlook.body-content-type="text"'] : []), ...more].join(', ');
}

/**
 * One Graph recipient as an address. Graph gives it parsed, names already decoded from RFC 2047 by
 * Exchange; the address still goes through the shared parser, so an Exchange legacy DN or a broken
 * address is dropped as it would be from a header. Exchange repeats the address as the name when
 * there is none: that is no name.
 */
function toAddress(recipient: GraphRecipient | null | undefined): Address | null {
  const raw = recipient?.emailAddress?.address?.trim();
  const parsed = raw ? parseAddressList(raw)[0] : undefined;
  if (!parsed) return null;
  const name = recipient?.emailAddress?.name?.trim();
  return { name: name && name.toLowerCase() !== parsed.address.toLowerCase() ? name : null, address: parsed.address };
}

const toAddresses = (list: GraphRecipient[] | null | undefined) => (list ?? []).map(toAddress).filter((a) => a !== null);

function toTime(value: string | null | undefined): number | null {
  const time = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? null : time;
}

/** What a Graph message alone does not say: whose it is, where it sits, how much may be kept. */
export interface GraphMessageContext {
  mailboxId: string;
  identity: Pick<MailboxIdentity, 'address' | 'aliases'>;
  /** The product's name of the message's folder (`productFolderName`), when known. */
  folder: string | null;
  visibility: Visibility;
}

/**
 * A Graph message in the shared model. The date is when it arrived, or for Sent Items when it was
 * sent; the thread is Exchange's conversation; Outlook categories are the labels. Without
 * `internetMessageHeaders` the bulk markers are unknown (null).
 */
export function normaliseGraphMessage(message: GraphMessage, context: GraphMessageContext): Message {
  const sent = context.folder === 'sentitems';
  const received = toTime(message.receivedDateTime);
  const sentAt = toTime(message.sentDateTime);
  const header = headerReader(message.internetMessageHeaders ?? []);
  return normaliseMessage({
    mailboxId: context.mailboxId,
    provider: 'outlook',
    identity: context.identity,
    providerId: message.id,
    messageId: message.internetMessageId ?? null,
    threadKey: message.conversationId || message.id,
    subject: message.subject ?? null,
    from: toAddress(message.from),
    to: toAddresses(message.toRecipients),
    cc: toAddresses(message.ccRecipients),
    bcc: toAddresses(message.bccRecipients),
    replyTo: toAddresses(message.replyTo),
    date: (sent ? (sentAt ?? received) : (received ?? sentAt)) ?? 0,
    inSentFolder: sent,
    labels: message.categories ?? [],
    folder: context.folder,
    category: null,
    bulk: bulkHeaders(header),
    snippet: message.bodyPreview ?? null,
    body: message.body?.content ?? null,
    visibility: context.visibility,
  });
}
