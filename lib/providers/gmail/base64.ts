/**
 * Base64 without Node's `Buffer` (the extension's service worker has none): standard base64 for
 * MIME bodies, base64url (RFC 4648 §5, unpadded) for what the Gmail API carries in JSON.
 */

/** Standard base64 (with padding) of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep `String.fromCharCode`'s argument list short for large messages.
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

/** Base64url without padding, as `messages.send` takes `raw`. */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Bytes of a base64url (or base64) text; null when it is not valid base64. */
export function fromBase64Url(text: string): Uint8Array | null {
  const standard = text.replaceAll('-', '+').replaceAll('_', '/').replace(/\s+/g, '');
  try {
    return Uint8Array.from(atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, '=')), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
