import { providerError } from '../../domain';
import { jsonOrText } from '../../http/json-or-text';

/**
 * Gmail's batch wire format ("Batching requests", Gmail API guide): a `multipart/mixed` request
 * whose parts are `application/http` requests with only the path (`GET /gmail/v1/users/me/…`),
 * answered by a `multipart/mixed` response whose parts carry `Content-ID: <response-…>` and a
 * whole HTTP response (status line, headers, blank line, body). The outer Authorization header
 * applies to every part.
 */

/** One call inside a batch. */
export interface BatchCall {
  /** Ours, echoed back as `response-<id>`. */
  id: string;
  method: 'GET';
  /** Path and query, no origin. */
  path: string;
}

/** One part's answer. */
export interface BatchAnswer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON when it is JSON, else the text. */
  body: unknown;
}

/** The batch request body and its Content-Type. */
export function batchRequest(calls: readonly BatchCall[], boundary: string): { body: string; contentType: string } {
  const parts = calls.map((call) => [`--${boundary}`, 'Content-Type: application/http', `Content-ID: <${call.id}>`, '', `${call.method} ${call.path} HTTP/1.1`, '', ''].join('\r\n'));
  return { body: `${parts.join('')}--${boundary}--\r\n`, contentType: `multipart/mixed; boundary=${boundary}` };
}

/** A boundary unlikely to occur in a part: random, as RFC 2046 §5.1.1 advises. */
export function newBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `batch_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Splits a header block from what follows the first blank line (CRLF or LF). */
function splitHead(text: string): { head: string[]; rest: string } {
  const blank = /\r?\n\r?\n/.exec(text);
  const head = blank ? text.slice(0, blank.index) : text;
  const rest = blank ? text.slice(blank.index + blank[0].length) : '';
  // Unfold continuation lines (RFC 5322 §2.2.3).
  return { head: head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/), rest };
}

function headersOf(lines: string[]): Headers {
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      // A header the Fetch API refuses is one we do not need.
    }
  }
  return headers;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The answers of a batch response by call id. A part's id is read from `Content-ID:
 * <response-ID>`; a part without one takes the id of the call at its position. A body that is
 * not multipart, or a part without a status line, is `bad_response`.
 */
export function parseBatchResponse(text: string, contentType: string | null, calls: readonly BatchCall[]): Map<string, BatchAnswer> {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const mark = boundary?.[1] ?? boundary?.[2];
  if (!contentType?.toLowerCase().startsWith('multipart/') || !mark) {
    throw providerError('bad_response', 'gmail', { detail: 'A batch answer was not multipart.' });
  }
  const chunks = text.split(new RegExp(`(?:^|\\r?\\n)--${escape(mark)}`));
  const answers = new Map<string, BatchAnswer>();
  // chunks[0] is the preamble; a chunk starting with "--" follows the close delimiter.
  for (const [index, chunk] of chunks.slice(1).entries()) {
    if (chunk.startsWith('--')) break;
    const outer = splitHead(chunk.replace(/^[ \t]*\r?\n/, ''));
    const contentId = headersOf(outer.head).get('content-id');
    const id = contentId ? contentId.replace(/^<|>$/g, '').replace(/^response-/, '') : calls[index]?.id;
    const inner = splitHead(outer.rest);
    const status = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(inner.head[0] ?? '');
    if (!status || id === undefined) throw providerError('bad_response', 'gmail', { detail: 'A batch answer had a part without a status.' });
    answers.set(id, { status: Number(status[1]), headers: headersOf(inner.head.slice(1)), body: jsonOrText(inner.rest.replace(/\r?\n$/, '')) });
  }
  return answers;
}
