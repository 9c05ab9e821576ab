import type { Address } from '../../domain';
import { encodeBase64 } from '../../encoding/base64';

/**
 * The plain-text test email (R31) as RFC 5322 text, for `messages.send`'s `raw`. Header values
 * are built from parsed addresses and cleaned text, so no input can add a header line; non-ASCII
 * words are RFC 2047 encoded words; the body is UTF-8 in base64 (RFC 2045), so no line is too long
 * and no byte needs 8-bit transport.
 */

/** Printable ASCII (a text holding "=?" is encoded too, so it cannot read as an encoded word). */
const PLAIN = /^[\x20-\x7e]*$/;
/** `atext` and spaces (RFC 5322 §3.2.3): a display name that needs no quotes. */
const ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]*$/;
/** An encoded word is at most 75 characters; `=?UTF-8?B?` and `?=` take 12, leaving 63 → 45 bytes. */
const WORD_BYTES = 45;

/**
 * RFC 2047 "B" encoded words for `text`, split between characters (never inside a UTF-8
 * sequence) and folded onto continuation lines; plain ASCII is left as it is.
 */
export function encodeWords(text: string): string {
  if (PLAIN.test(text) && !text.includes('=?')) return text;
  const encoder = new TextEncoder();
  const words: number[][] = [];
  const chunk: number[] = [];
  for (const char of text) {
    const bytes = encoder.encode(char);
    if (chunk.length + bytes.length > WORD_BYTES) {
      words.push(chunk.splice(0));
    }
    chunk.push(...bytes);
  }
  if (chunk.length > 0) words.push(chunk);
  return words.map((bytes) => `=?UTF-8?B?${encodeBase64(Uint8Array.from(bytes))}?=`).join('\r\n ');
}

/** A mailbox for a header: the address alone, or the name as atoms, a quoted string or encoded words. */
export function formatMailbox(address: Address): string {
  const name = address.name?.replace(/[\r\n]+/g, ' ').trim();
  if (!name) return address.address;
  if (!PLAIN.test(name)) return `${encodeWords(name)} <${address.address}>`;
  if (ATOMS.test(name)) return `${name} <${address.address}>`;
  return `"${name.replace(/(["\\])/g, '\\$1')}" <${address.address}>`;
}

/** RFC 5322 date-time in UTC: `Tue, 01 Jul 2025 10:00:00 +0000`. */
export function formatDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** A fresh Message-ID on the sender's domain: 16 random bytes, as hex. */
export function newMessageId(from: string): string {
  const random = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `<${random}@${from.slice(from.lastIndexOf('@') + 1)}>`;
}

/** Base64 lines of at most 76 characters (RFC 2045 §6.8). */
function bodyLines(text: string): string {
  const encoded = encodeBase64(new TextEncoder().encode(text.replace(/\r?\n/g, '\r\n')));
  return encoded.match(/.{1,76}/g)?.join('\r\n') ?? '';
}

export interface PlainEmail {
  from: Address;
  to: Address;
  subject: string;
  body: string;
  date: number;
  messageId: string;
}

/** The whole message, CRLF line ends, as UTF-8 bytes. */
export function composePlainEmail(email: PlainEmail): Uint8Array {
  const subject = email.subject.replace(/[\r\n]+/g, ' ').trim();
  const lines = [
    `From: ${formatMailbox(email.from)}`,
    `To: ${formatMailbox(email.to)}`,
    `Subject: ${encodeWords(subject)}`,
    `Date: ${formatDate(email.date)}`,
    `Message-ID: ${email.messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset="UTF-8"',
    'Content-Transfer-Encoding: base64',
    '',
    bodyLines(email.body),
    '',
  ];
  return new TextEncoder().encode(lines.join('\r\n'));
}
