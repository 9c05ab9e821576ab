import { labelIdsOf } from './labels';
import type { GmailMessage } from './mail-store';

/**
 * The Gmail API's Message resource in its four formats (users.messages.get `format`): minimal,
 * metadata, full and raw. Numbers that are int64 in the API (historyId, internalDate) are
 * strings on the wire. Every seeded message is a single text/plain part.
 */
export type MessageFormat = 'minimal' | 'metadata' | 'full' | 'raw';
export const FORMATS: readonly MessageFormat[] = ['minimal', 'metadata', 'full', 'raw'];

const SNIPPET_LENGTH = 200;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Gmail's snippet: the start of the text with white space folded, HTML-escaped. */
export function snippetOf(message: GmailMessage): string {
  return message.content.body
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, SNIPPET_LENGTH)
    .replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/** The message as RFC 822 text: its wire headers, a blank line, the body, with CRLF line ends. */
export function rfc822(message: GmailMessage): string {
  const head = message.content.headers.map(([name, value]) => `${name}: ${value}`).join('\r\n');
  return `${head}\r\n\r\n${message.content.body.replace(/\r?\n/g, '\r\n')}`;
}

/** Resource fields every format has; the label and history ids as they are now. */
function base(message: GmailMessage, size: number) {
  return {
    id: message.id,
    threadId: message.threadId,
    labelIds: labelIdsOf(message.mask),
    snippet: snippetOf(message),
    sizeEstimate: size,
    historyId: String(message.historyId),
    internalDate: String(message.internalDate),
  };
}

/** `metadataHeaders` picks headers by name, in any case; none given means all of them. */
function headerList(message: GmailMessage, only?: string[]) {
  const wanted = only?.length ? new Set(only.map((name) => name.toLowerCase())) : null;
  return message.content.headers.filter(([name]) => !wanted || wanted.has(name.toLowerCase())).map(([name, value]) => ({ name, value }));
}

const mimeTypeOf = (message: GmailMessage) => message.content.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1].split(';')[0]?.trim().toLowerCase() ?? 'text/plain';

export function messageJson(message: GmailMessage, format: MessageFormat, metadataHeaders?: string[]): Record<string, unknown> {
  const raw = Buffer.from(rfc822(message), 'utf8');
  const json: Record<string, unknown> = base(message, raw.length);
  if (format === 'metadata') json.payload = { mimeType: mimeTypeOf(message), headers: headerList(message, metadataHeaders) };
  if (format === 'full') {
    const body = Buffer.from(message.content.body, 'utf8');
    json.payload = {
      partId: '',
      mimeType: mimeTypeOf(message),
      filename: '',
      headers: headerList(message),
      body: { size: body.length, data: body.toString('base64url') },
    };
  }
  if (format === 'raw') json.raw = raw.toString('base64url');
  return json;
}
