/**
 * The extension id Chrome derives from `manifest.key`: the first 128 bits of the SHA-256 of the
 * DER public key, written with the letters a–p for the hex digits 0–f. The OAuth redirect URL
 * `https://<id>.chromiumapp.org/` depends on it, which is why the key is pinned.
 */
export async function extensionIdFromKey(base64Key: string): Promise<string> {
  const der = Uint8Array.from(atob(base64Key.trim()), (c) => c.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', der));
  return Array.from(digest.slice(0, 16))
    .flatMap((byte) => [byte >> 4, byte & 0xf])
    .map((nibble) => String.fromCharCode(97 + nibble))
    .join('');
}
