/** One body part of a MIME multipart body (RFC 2046): its header fields and its content. */
export interface BodyPart {
  headers: Headers;
  body: string;
}

/** The boundary parameter of a multipart Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const match = contentType?.match(/^multipart\/[\w.+-]+\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

/** Splits a header block and what follows the first blank line (CRLF or LF line ends). */
export function splitHead(text: string): { headers: Headers; rest: string } {
  const match = text.match(/\r?\n\r?\n/);
  const head = match ? text.slice(0, match.index) : text;
  const rest = match ? text.slice(match.index! + match[0].length) : '';
  const headers = new Headers();
  // Unfold continuation lines first (RFC 5322 section 2.2.3).
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  return { headers, rest };
}

/** The parts of a multipart body; preamble and epilogue are dropped. */
export function parseMultipart(body: string, boundary: string): BodyPart[] {
  const delimiter = `--${boundary}`;
  const parts: BodyPart[] = [];
  const chunks = body.split(delimiter);
  // chunks[0] is the preamble; a chunk starting with "--" follows the close delimiter.
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith('--')) break;
    const content = chunk.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '');
    const { headers, rest } = splitHead(content);
    parts.push({ headers, body: rest });
  }
  return parts;
}
