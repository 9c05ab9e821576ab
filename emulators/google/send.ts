import { randomBytes } from 'node:crypto';
import PostalMime, { type Address } from 'postal-mime';
import { parseAddressList } from '../../lib/matching/address';
import { formatAddress, formatDate } from '../seed/headers';
import type { SeedAddress, SeedMessage } from '../seed/types';
import { maskOf } from './labels';
import type { GmailMessage, GmailStore, MailboxState } from './mail-store';

/** The addresses of a parsed header that the product's parser keeps too (`parseAddressList`): the ground truth reads these. */
const flatten = (list: Address[] | undefined): SeedAddress[] =>
  (list ?? [])
    .flatMap((a) => (a.group ? a.group : [a]))
    .filter((m) => parseAddressList(`<${m.address}>`).length === 1)
    .map((m) => ({ name: m.name || null, address: m.address }));

/** Header fields the stored copy gets afresh: the body is kept as one text/plain part. */
const REPLACED = new Set(['content-type', 'content-transfer-encoding', 'mime-version']);
const TEXT_PLAIN: [string, string][] = [
  ['MIME-Version', '1.0'],
  ['Content-Type', 'text/plain; charset="UTF-8"'],
];

/** The thread a delivered copy joins: the recipient's thread holding a message it replies to. */
function threadFor(state: MailboxState, references: string[]): string | null {
  if (references.length === 0) return null;
  const wanted = new Set(references);
  for (const message of state.byDate) if (message.content.messageId && wanted.has(message.content.messageId)) return message.threadId;
  return null;
}

export type SendResult = { ok: true; message: GmailMessage } | { ok: false; message: string };

/**
 * `messages.send`: parses the RFC 822 text (postal-mime), stores it in the sender's SENT with a
 * history record, and delivers a copy to the INBOX of every seeded Gmail mailbox among To, Cc
 * and Bcc (without the Bcc header). A From that is not one of the sender's addresses is replaced
 * by the primary address, as Gmail does; a missing Message-ID or Date is added.
 */
export async function sendRaw(store: GmailStore, sender: MailboxState, raw: string | Uint8Array, threadId?: string): Promise<SendResult> {
  const email = await PostalMime.parse(raw);
  const to = flatten(email.to);
  const cc = flatten(email.cc);
  const bcc = flatten(email.bcc);
  if (to.length + cc.length + bcc.length === 0) return { ok: false, message: 'Recipient address required' };

  const own = new Set([sender.mailbox.address, ...sender.mailbox.aliases].map((a) => a.toLowerCase()));
  const parsedFrom = flatten(email.from ? [email.from] : [])[0];
  const from = parsedFrom && own.has(parsedFrom.address.toLowerCase()) ? parsedFrom : { name: sender.mailbox.displayName, address: sender.mailbox.address };
  const at = Date.now();
  const messageId = email.messageId ?? `<CA+${randomBytes(18).toString('base64url')}@mail.gmail.com>`;

  const headers: [string, string][] = email.headers.filter((h) => !REPLACED.has(h.key) && h.key !== 'from').map((h) => [h.originalKey, h.value]);
  headers.unshift(['From', formatAddress(from)]);
  if (!email.messageId) headers.push(['Message-ID', messageId]);
  if (!email.date) headers.push(['Date', formatDate(at, 0)]);
  headers.push(...TEXT_PLAIN);

  const id = store.newId();
  const sentThread = threadId && sender.threads.has(threadId) ? threadId : id;
  const content: SeedMessage = {
    mailboxId: sender.mailbox.id,
    providerId: id,
    threadId: sentThread,
    internalDate: at,
    messageId,
    subject: email.subject ?? '',
    from,
    to,
    cc,
    bcc,
    replyTo: flatten(email.replyTo),
    headers,
    body: email.text ?? email.html ?? '',
    box: 'sent',
    category: null,
    unread: false,
    kind: 'customer',
  };

  const recipients = new Set<MailboxState>();
  for (const address of [...to, ...cc, ...bcc]) {
    const state = store.mailboxByAddress(address.address);
    if (state) recipients.add(state);
  }
  // Mail to oneself is one message with both SENT and INBOX.
  const toSelf = recipients.delete(sender);
  const sent = store.add(sender, content, maskOf(toSelf ? ['SENT', 'INBOX', 'CATEGORY_PERSONAL', 'UNREAD'] : ['SENT']));

  const references = [email.inReplyTo, ...(email.references?.split(/\s+/) ?? [])].filter((r): r is string => !!r);
  for (const state of recipients) deliver(store, state, content, references);
  return { ok: true, message: sent };
}

/** Puts a copy of `content` into a mailbox's INBOX (Primary tab, unread), as Gmail delivers it. */
export function deliver(store: GmailStore, state: MailboxState, content: Omit<SeedMessage, 'mailboxId' | 'providerId' | 'threadId'>, references: string[] = []): GmailMessage {
  const id = store.newId();
  const headers: [string, string][] = [['Delivered-To', state.mailbox.address], ...content.headers.filter(([name]) => name.toLowerCase() !== 'bcc')];
  const copy: SeedMessage = {
    ...content,
    mailboxId: state.mailbox.id,
    providerId: id,
    threadId: threadFor(state, references) ?? id,
    internalDate: Date.now(),
    bcc: [],
    headers,
    box: 'inbox',
    category: 'primary',
    unread: true,
  };
  return store.add(state, copy, maskOf(['INBOX', 'CATEGORY_PERSONAL', 'UNREAD']));
}
