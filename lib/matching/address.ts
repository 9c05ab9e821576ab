import { addressParser } from 'postal-mime';
import type { Address } from '../domain';

/**
 * Parses an address header (From, To, Cc, Bcc, Reply-To) with postal-mime's RFC 5322 parser,
 * which also decodes RFC 2047 encoded names. Groups are flattened; entries without a usable
 * address (an empty group, a broken token) are dropped. Header values are untrusted input.
 */
export function parseAddressList(header: string | null | undefined): Address[] {
  if (!header) return [];
  const out: Address[] = [];
  for (const entry of addressParser(header)) {
    for (const mailbox of entry.group ?? [entry]) {
      const address = mailbox.address?.trim();
      if (!address || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) continue;
      const name = mailbox.name?.trim();
      out.push({ name: name ? name : null, address });
    }
  }
  return out;
}

/** RFC 5322 §3.2.3 `dot-atom-text`: ASCII `atext` runs joined by single dots. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * The mailbox of a field that names exactly one recipient (the test email's, R31), or null. The
 * text must be one RFC 5322 mailbox: no list, no group, and no control character, since a CR or
 * LF would end the header it is put in and start another (`v@x.test\r\nBcc: a@evil.test`).
 * Both sides of the address must be dot-atoms: the parser drops a quoted local part's quotes, so
 * `"a,b"@evil.test` would be written as `a,b@evil.test`, two recipients. A test email needs no
 * quoted local part nor domain literal.
 */
export function parseSingleMailbox(text: string): Address | null {
  if ([...text].some((char) => char < ' ' || char === '\u007f')) return null;
  const entries = addressParser(text);
  if (entries.length !== 1 || entries[0]!.group) return null;
  const [mailbox, ...more] = parseAddressList(text);
  if (!mailbox || more.length > 0) return null;
  const at = mailbox.address.lastIndexOf('@');
  return DOT_ATOM.test(mailbox.address.slice(0, at)) && DOT_ATOM.test(mailbox.address.slice(at + 1)) ? mailbox : null;
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * The form used to compare addresses (R19): no surrounding whitespace, lower case, no trailing
 * dot on the domain (`legal.test.` is the fully qualified `legal.test`, and must not slip past a
 * blocked or workspace domain), and for gmail.com/googlemail.com no dots and no +tag in the local
 * part, on gmail.com. Other domains keep their +tags: only Google documents that they reach the
 * same mailbox.
 */
export function normaliseAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return trimmed;
  const domain = trimmed.slice(at + 1).replace(/\.+$/, '');
  const local = trimmed.slice(0, at);
  if (!GMAIL_DOMAINS.has(domain)) return `${local}@${domain}`;
  const plus = local.indexOf('+');
  return `${(plus === -1 ? local : local.slice(0, plus)).replaceAll('.', '')}@gmail.com`;
}

/** The domain part of a normalised address. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}
