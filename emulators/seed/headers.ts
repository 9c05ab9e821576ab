import type { SeedAddress } from './types';

/**
 * Writing header values the way real mail clients do: RFC 2047 encoded words for non-ASCII
 * names and subjects (both B and Q encodings, UTF-8 and ISO-8859-1), quoted display names when
 * they hold specials, and RFC 5322 dates.
 */

const isAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);

/** `=?UTF-8?B?…?=`: base64 of the UTF-8 bytes. */
export function encodeWordB(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** `=?ISO-8859-1?Q?…?=` for text whose characters all fit Latin-1. */
export function encodeWordQLatin1(text: string): string {
  const bytes = Buffer.from(text, 'latin1');
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (byte === 0x20) out += '_';
    else if (/[A-Za-z0-9!*+\-/]/.test(ch)) out += ch;
    else out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?ISO-8859-1?Q?${out}?=`;
}

const fitsLatin1 = (text: string) => [...text].every((ch) => ch.charCodeAt(0) <= 0xff);

/** A header-safe rendering of a display name or subject. `preferQ` picks Q where Latin-1 fits. */
export function encodeText(text: string, preferQ = false): string {
  if (isAscii(text)) return text;
  return preferQ && fitsLatin1(text) ? encodeWordQLatin1(text) : encodeWordB(text);
}

/** One mailbox in an address header: `"Name" <addr>`, `Name <addr>`, `<addr>` or `addr`. */
export function formatAddress(address: SeedAddress, style: { preferQ?: boolean; bare?: boolean } = {}): string {
  if (address.name === null) return style.bare ? address.address : `<${address.address}>`;
  if (!isAscii(address.name)) return `${encodeText(address.name, style.preferQ)} <${address.address}>`;
  const needsQuotes = /[()<>@,;:\\".[\]]/.test(address.name);
  const name = needsQuotes ? `"${address.name.replace(/(["\\])/g, '\\$1')}"` : address.name;
  return `${name} <${address.address}>`;
}

export function formatAddressList(addresses: SeedAddress[], style: { preferQ?: boolean } = {}): string {
  return addresses.map((address) => formatAddress(address, style)).join(', ');
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 date in a fixed zone offset, e.g. `Tue, 24 Nov 2026 10:03:00 +0100`. */
export function formatDate(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}
