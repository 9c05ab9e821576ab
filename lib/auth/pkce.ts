import { encodeBase64Url } from '../encoding/base64';

/**
 * PKCE (RFC 7636) for the authorization-code flows: a random verifier and its S256 challenge,
 * made with WebCrypto so they work in the service worker and under Node tests alike.
 */

/** A URL-safe random string of `bytes` random bytes (43 characters for 32 bytes). */
export function randomToken(bytes = 32): string {
  return encodeBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export interface PkcePair {
  verifier: string;
  challenge: string;
  method: 'S256';
}

export async function createPkcePair(): Promise<PkcePair> {
  const verifier = randomToken(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: encodeBase64Url(new Uint8Array(digest)), method: 'S256' };
}
