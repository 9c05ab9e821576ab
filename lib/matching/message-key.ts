import type { Provider } from '../domain';

/**
 * The Message-ID as the product compares it (R15): no angle brackets and no whitespace anywhere
 * (folded headers and sloppy senders add both), case kept, since RFC 5322 gives the local part no
 * case rule. Null when nothing is left.
 */
export function normaliseMessageId(raw: string | null | undefined): string | null {
  if (!raw) return null;
  // RFC 5322 lets a comment stand next to the id (`<a@b> (comment)`): the id is the first `<…>`.
  let id = /<[^<>]*>/.exec(raw)?.[0] ?? raw.trim();
  if (id.startsWith('<') && id.endsWith('>')) id = id.slice(1, -1);
  // The usual `<id@host>` needs no more; the rare folded or doubled one loses every bracket and space.
  if (/[<>\s]/.test(id)) id = id.replace(/[<>\s]/g, '');
  return id ? id : null;
}

/** What identifies one stored copy of a message. */
export interface MessageCopy {
  messageId: string | null;
  providerId: string;
  provider: Provider;
}

/**
 * The key a message is pushed under, the CRM's upsert key: the normalised Message-ID in its `<…>`
 * form. A message without one (rare: some automated senders) gets a stable stand-in from its
 * provider id and mailbox, so repeats of it still upsert; it is never deduplicated across
 * mailboxes, having nothing to match by (R21a).
 */
export function crmMessageKey(copy: MessageCopy, mailboxAddress: string): string {
  const id = normaliseMessageId(copy.messageId);
  if (id) return `<${id}>`;
  return `<${encodeURIComponent(copy.providerId)}.${copy.provider}.${encodeURIComponent(mailboxAddress.trim().toLowerCase())}@no-message-id.invalid>`;
}
