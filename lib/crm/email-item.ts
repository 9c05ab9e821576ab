import type { Address, Message, Visibility } from '../domain';
import { crmMessageKey } from '../matching/message-key';
import type { CrmEmailInput } from './schemas';

/** The contract's limit on `snippet` (EmailInput.snippet maxLength). */
export const SNIPPET_MAX = 500;

/**
 * Builds the `POST /emails/batch` item for a matched message, carrying only what the mailbox's
 * visibility allows (R22); the CRM stores what it receives:
 * - `metadata`: no subject, snippet or body; who, when, direction, thread and contacts only;
 * - `snippet`: adds the subject and the snippet (cut to 500 characters);
 * - `full`: adds the body as well.
 * The content fields are added only by level, never copied wholesale, so a field the message
 * carries but the level forbids cannot leak. Bcc and Reply-To are never sent.
 */
export function toCrmEmail(message: Message, contactIds: string[], visibility: Visibility, mailboxAddress: string): CrmEmailInput {
  const item: CrmEmailInput = {
    message_id: crmMessageKey(message, mailboxAddress),
    mailbox: mailboxAddress,
    direction: message.direction,
    from: wireAddress(senderOf(message, mailboxAddress)),
    to: message.to.map(wireAddress),
    cc: message.cc.map(wireAddress),
    date: new Date(message.date).toISOString(),
    thread_key: message.threadKey,
    contact_ids: [...new Set(contactIds)].sort(),
  };
  if (visibility === 'snippet' || visibility === 'full') {
    if (message.subject !== null) item.subject = message.subject;
    if (message.snippet !== null) item.snippet = message.snippet.slice(0, SNIPPET_MAX);
  }
  if (visibility === 'full' && message.body !== null) item.body = message.body;
  return item;
}

/**
 * Stands for the sender of received mail whose From no parser could read: the contract needs an
 * address, and the `.invalid` top-level domain (RFC 2606) can never be anyone's, so the CRM shows
 * an unknown sender instead of a wrong one. The message still attaches to the contacts it names.
 */
export const UNKNOWN_SENDER: Address = { name: 'Unknown sender', address: 'unknown-sender@unknown.invalid' };

/** A message with no readable From: a sent one is from the mailbox itself; a received one from `UNKNOWN_SENDER`. */
function senderOf(message: Message, mailboxAddress: string): Address {
  if (message.from) return message.from;
  return message.direction === 'sent' ? { name: null, address: mailboxAddress } : UNKNOWN_SENDER;
}

function wireAddress(address: Address): CrmEmailInput['from'] {
  return { address: address.address, name: address.name };
}
