import { decodeWords } from 'postal-mime';
import type { Message, Visibility } from '../../domain';
import { decodeBase64Url } from '../../encoding/base64';
import type { MailboxIdentity } from '../mail-provider';
import { addressesFromHeaders, bulkHeaders, headerReader, normaliseMessage } from '../normalise';
import type { GmailMessage, GmailMessagePart } from './gmail-json';

/** System labels that say where a message sits, strongest first (spam and trash win over INBOX). */
const FOLDERS: [label: string, folder: string][] = [
  ['SPAM', 'spam'],
  ['TRASH', 'trash'],
  ['DRAFT', 'draft'],
  ['CHAT', 'chat'],
  ['SENT', 'sent'],
  ['INBOX', 'inbox'],
];

/** Inbox tabs; Gmail's API calls the Primary tab CATEGORY_PERSONAL. */
const CATEGORIES: Record<string, string> = {
  CATEGORY_PERSONAL: 'primary',
  CATEGORY_PROMOTIONS: 'promotions',
  CATEGORY_SOCIAL: 'social',
  CATEGORY_UPDATES: 'updates',
  CATEGORY_FORUMS: 'forums',
};

/** The folder a message's labels put it in; null for archived mail (no box label). */
export function folderOf(labels: readonly string[]): string | null {
  return FOLDERS.find(([label]) => labels.includes(label))?.[1] ?? null;
}

/** The inbox tab a message's labels put it in, or null. */
export function categoryOf(labels: readonly string[]): string | null {
  for (const label of labels) if (CATEGORIES[label]) return CATEGORIES[label];
  return null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Gmail's snippet is HTML-escaped (`&#39;`, `&amp;`); the engine wants the text. */
export function unescapeSnippet(snippet: string): string {
  return snippet.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/** The first text/plain part that is not an attachment, depth first. */
function plainPart(part: GmailMessagePart): GmailMessagePart | null {
  const type = part.mimeType?.toLowerCase();
  if (type === 'text/plain' && !part.filename && part.body?.data !== undefined) return part;
  for (const child of part.parts ?? []) {
    const found = plainPart(child);
    if (found) return found;
  }
  return null;
}

/**
 * The text/plain body of a `format=full` message. Gmail has undone the transfer encoding, not the
 * charset: the bytes are decoded with the part's `charset` (UTF-8 when absent or unknown). An
 * HTML-only message has no body here rather than a home-made HTML-to-text conversion.
 */
function plainBody(payload: GmailMessagePart | undefined): string | null {
  const part = payload ? plainPart(payload) : null;
  const bytes = part?.body?.data !== undefined ? decodeBase64Url(part.body.data) : null;
  if (!part || !bytes) return null;
  const contentType = headerReader(part.headers ?? [])('Content-Type') ?? '';
  const charset = /charset\s*=\s*"?([\w.:-]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** A Subject header's text, RFC 2047 encoded words decoded (postal-mime's decoder). */
function decodeSubject(value: string | null): string | null {
  return value === null ? null : decodeWords(value);
}

export interface NormaliseContext {
  mailboxId: string;
  identity: Pick<MailboxIdentity, 'address' | 'aliases'>;
  visibility: Visibility;
}

/**
 * A Gmail message as the engine's `Message` (R15, R21, R22): the provider id and thread id,
 * the Message-ID header, `internalDate` as the date, labels as folder and category, and the
 * addresses parsed from the (untrusted) headers.
 */
export function normaliseGmailMessage(message: GmailMessage, context: NormaliseContext): Message {
  const header = headerReader(message.payload?.headers ?? []);
  const labels = message.labelIds ?? [];
  const headerDate = Date.parse(header('Date') ?? '');
  const date = message.internalDate !== undefined ? Number(message.internalDate) : Number.isNaN(headerDate) ? 0 : headerDate;
  return normaliseMessage({
    mailboxId: context.mailboxId,
    provider: 'gmail',
    identity: context.identity,
    providerId: message.id,
    messageId: header('Message-ID'),
    threadKey: message.threadId,
    // Gmail hands header values over as written: a non-ASCII subject is RFC 2047 encoded words.
    subject: decodeSubject(header('Subject')),
    ...addressesFromHeaders(header),
    date,
    inSentFolder: labels.includes('SENT'),
    labels,
    folder: folderOf(labels),
    category: categoryOf(labels),
    bulk: bulkHeaders(header),
    snippet: message.snippet === undefined ? null : unescapeSnippet(message.snippet),
    body: context.visibility === 'full' ? plainBody(message.payload) : null,
    visibility: context.visibility,
  });
}
