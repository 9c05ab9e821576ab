import type { z } from 'zod';
import { providerError } from '../../domain';
import { decodeBase64UrlText, encodeBase64UrlText } from '../../encoding/base64';

/**
 * Cursors are base64url JSON, checked with a schema when read back: opaque to the engine, which
 * stores them as strings, and versioned so a format change fails loudly instead of misreading.
 */
export function encodeCursor(value: unknown): string {
  return encodeBase64UrlText(JSON.stringify(value));
}

/**
 * Reads a cursor back. One that does not decode or fit is `cursor_expired`, so the engine falls
 * back to a bounded re-sync (R14) rather than stopping.
 */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  try {
    const parsed = schema.safeParse(JSON.parse(decodeBase64UrlText(cursor) ?? ''));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the typed error below.
  }
  throw providerError('cursor_expired', 'outlook', { detail: 'The stored sync position could not be read.' });
}
