import type { z } from 'zod';
import { providerError } from '../../domain';

/**
 * Cursors are base64url JSON, checked with a schema when read back: opaque to the engine, which
 * stores them as strings, and versioned so a format change fails loudly instead of misreading.
 */
export function encodeCursor(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Reads a cursor back. One that does not decode or fit is `cursor_expired`, so the engine falls
 * back to a bounded re-sync (R14) rather than stopping.
 */
export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.output<S> {
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    const json: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through to the typed error below.
  }
  throw providerError('cursor_expired', 'outlook', { detail: 'The stored sync position could not be read.' });
}
