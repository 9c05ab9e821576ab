import { randomBytes } from 'node:crypto';
import { pkceChallenge } from '../core/oauth';
import { SCOPES } from './operations';

export const GOOGLE_CLIENT_ID = '123456789012-emulator.apps.googleusercontent.com';
export const GOOGLE_REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
export const GOOGLE_SCOPE = [SCOPES.readonly, SCOPES.send, 'email'].join(' ');

export interface GoogleSignIn {
  /** The authorize redirect, parsed (carries `code` or `error`, and `state`). */
  redirect: URL;
  verifier: string;
  /** The token endpoint's status and JSON, when a code came back. */
  tokenStatus?: number;
  tokens?: Record<string, unknown>;
}

/**
 * Code + PKCE against the Google emulator as a browser would run it: the authorize request
 * without following its redirect, then the token request. `params` add to or replace the
 * authorize parameters (login_hint, prompt, scope…); `verifier` lets a test send a wrong one.
 */
export async function googleSignIn(base: string, params: Record<string, string> = {}, verifier?: string): Promise<GoogleSignIn> {
  const own = randomBytes(32).toString('base64url');
  const authorize = new URL(`${base}/o/oauth2/v2/auth`);
  const query = {
    client_id: GOOGLE_CLIENT_ID,
    redirect_uri: GOOGLE_REDIRECT_URI,
    response_type: 'code',
    scope: GOOGLE_SCOPE,
    state: randomBytes(8).toString('hex'),
    code_challenge: pkceChallenge(own),
    code_challenge_method: 'S256',
    access_type: 'offline',
    ...params,
  };
  for (const [key, value] of Object.entries(query)) authorize.searchParams.set(key, value);
  const response = await fetch(authorize, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  const redirect = new URL(location);
  const code = redirect.searchParams.get('code');
  if (!code) return { redirect, verifier: own };
  const token = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: query.client_id, redirect_uri: query.redirect_uri, code_verifier: verifier ?? own }),
  });
  return { redirect, verifier: own, tokenStatus: token.status, tokens: (await token.json()) as Record<string, unknown> };
}
