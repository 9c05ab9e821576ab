import { randomBytes } from 'node:crypto';
import { encodeText, formatAddress, formatAddressList, formatDate } from '../seed/headers';
import type { Box, SeedAddress, SeedMessage } from '../seed/types';

export interface Composed {
  from: SeedAddress;
  to: SeedAddress[];
  cc: SeedAddress[];
  bcc: SeedAddress[];
  replyTo: SeedAddress[];
  subject: string;
  body: string;
}

/**
 * A new message's content with the wire headers a mail server would have written. The thread
 * id is the peer's own (a Graph conversation id, a Gmail thread id).
 */
export function composeContent(mail: Composed, box: Box, at: number, threadId: string): Omit<SeedMessage, 'providerId' | 'mailboxId'> {
  const id = `<${randomBytes(12).toString('base64url')}@${mail.from.address.split('@')[1] ?? 'localhost'}>`;
  const headers: [string, string][] = [
    ['MIME-Version', '1.0'],
    ['Date', formatDate(at, 0)],
    ['Message-ID', id],
    ['Subject', encodeText(mail.subject)],
    ['From', formatAddress(mail.from)],
  ];
  if (mail.to.length) headers.push(['To', formatAddressList(mail.to)]);
  if (mail.cc.length) headers.push(['Cc', formatAddressList(mail.cc)]);
  // Only the sender's copy keeps Bcc.
  if (mail.bcc.length && box === 'sent') headers.push(['Bcc', formatAddressList(mail.bcc)]);
  if (mail.replyTo.length) headers.push(['Reply-To', formatAddressList(mail.replyTo)]);
  headers.push(['Content-Type', 'text/plain; charset="UTF-8"']);
  return {
    threadId,
    internalDate: at,
    messageId: id,
    subject: mail.subject,
    from: mail.from,
    to: mail.to,
    cc: mail.cc,
    bcc: box === 'sent' ? mail.bcc : [],
    replyTo: mail.replyTo,
    headers,
    body: mail.body,
    box,
    category: null,
    unread: box === 'inbox',
    kind: 'customer',
  };
}
