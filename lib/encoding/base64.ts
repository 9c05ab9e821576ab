/**
 * Base64 (RFC 4648) without Node's `Buffer`, which the extension's service worker does not have:
 * standard base64 for MIME bodies and encoded words, base64url (§5, unpadded) for what travels in
 * URLs and JSON (PKCE verifiers, Gmail's `raw`, our opaque cursors).
 */

/** Standard base64, with padding, of bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep `String.fromCharCode`'s argument list short for large messages.
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

/** Base64url without padding of bytes. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/**
 * Bytes of a base64url text. Standard base64, padding (complete or not) and line breaks are taken
 * too, as a lenient reader should. Null when it is not base64.
 */
export function decodeBase64Url(text: string): Uint8Array | null {
  const standard = text.replaceAll('-', '+').replaceAll('_', '/').replace(/\s+/g, '').replace(/=+$/, '');
  try {
    return Uint8Array.from(atob(standard), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** Base64url without padding of a text's UTF-8 bytes. */
export function encodeBase64UrlText(text: string): string {
  return encodeBase64Url(new TextEncoder().encode(text));
}

/** The UTF-8 text of a base64url text; null when it is not base64 or not UTF-8. */
export function decodeBase64UrlText(text: string): string | null {
  const bytes = decodeBase64Url(text);
  if (!bytes) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
