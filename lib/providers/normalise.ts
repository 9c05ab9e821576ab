import type { Address, BulkHeaders, Message, Provider, Visibility } from '../domain';
import { normaliseAddress, parseAddressList } from '../matching/address';
import type { MailboxIdentity } from './mail-provider';

/** Header names the providers ask for: addressing, threading and the bulk-mail markers (R21). */
export const WANTED_HEADERS = [
  'From',
  'To',
  'Cc',
  'Bcc',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'List-Unsubscribe',
  'List-Id',
  'Precedence',
  'Auto-Submitted',
] as const;

/** Case-insensitive lookup over header pairs as the provider listed them; the first one wins. */
export function headerReader(headers: readonly { name: string; value: string }[]): (name: string) => string | null {
  const map = new Map<string, string>();
  for (const { name, value } of headers) if (!map.has(name.toLowerCase())) map.set(name.toLowerCase(), value);
  return (name) => map.get(name.toLowerCase()) ?? null;
}

/** The bulk-mail markers of a message, from its headers. */
export function bulkHeaders(header: (name: string) => string | null): BulkHeaders {
  return {
    listUnsubscribe: header('List-Unsubscribe'),
    listId: header('List-Id'),
    precedence: header('Precedence'),
    autoSubmitted: header('Auto-Submitted'),
  };
}

/** Addresses parsed from header values with the RFC 5322 parser (RFC 2047 names decoded). */
export function addressesFromHeaders(header: (name: string) => string | null) {
  return {
    from: parseAddressList(header('From'))[0] ?? null,
    to: parseAddressList(header('To')),
    cc: parseAddressList(header('Cc')),
    bcc: parseAddressList(header('Bcc')),
    replyTo: parseAddressList(header('Reply-To')),
  };
}

export interface NormaliseInput {
  mailboxId: string;
  provider: Provider;
  identity: Pick<MailboxIdentity, 'address' | 'aliases'>;
  providerId: string;
  messageId: string | null;
  threadKey: string;
  subject: string | null;
  from: Address | null;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  replyTo: Address[];
  date: number;
  /** True when the provider files it as sent (Gmail SENT label, Outlook Sent Items). */
  inSentFolder: boolean;
  labels: string[];
  folder: string | null;
  category: string | null;
  bulk: BulkHeaders;
  snippet: string | null;
  body: string | null;
  visibility: Visibility;
}

/**
 * The one message model both providers produce. Direction is "sent" when the provider files it
 * as sent or its From is the mailbox's address or one of its aliases (R7). Snippet and body are
 * kept only as far as the mailbox's visibility allows (R22, R23).
 */
export function normaliseMessage(input: NormaliseInput): Message {
  const own = new Set([input.identity.address, ...input.identity.aliases].map(normaliseAddress));
  const fromOwn = input.from !== null && own.has(normaliseAddress(input.from.address));
  const participants = [
    ...new Set([input.from, ...input.to, ...input.cc, ...input.bcc].filter((a) => a !== null).map((a) => normaliseAddress(a.address))),
  ];
  return {
    mailboxId: input.mailboxId,
    provider: input.provider,
    providerId: input.providerId,
    messageId: input.messageId?.trim() || null,
    threadKey: input.threadKey,
    subject: input.subject,
    from: input.from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    replyTo: input.replyTo,
    participants,
    date: input.date,
    direction: input.inSentFolder || fromOwn ? 'sent' : 'received',
    labels: input.labels,
    folder: input.folder,
    category: input.category,
    bulk: input.bulk,
    snippet: input.visibility === 'metadata' ? null : input.snippet,
    body: input.visibility === 'full' ? input.body : null,
  };
}
