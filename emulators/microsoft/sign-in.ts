import { randomBytes } from 'node:crypto';
import { pkceChallenge } from '../core/oauth';

export interface SignInOptions {
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  loginHint?: string;
  prompt?: 'login' | 'consent' | 'select_account' | 'none';
  tenant?: string;
}

export interface SignInResult {
  /** The authorize redirect, parsed. */
  redirect: URL;
  /** The token endpoint's JSON when a code came back (success or AAD error). */
  tokens?: Record<string, unknown>;
  tokenStatus?: number;
}

export const DEFAULT_CLIENT_ID = '4f3c1a52-7d0e-4b8a-9f61-2c5d8e9a0b17';
export const DEFAULT_REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
export const DEFAULT_SCOPE = 'openid profile Mail.Read Mail.Send User.Read MailboxSettings.Read offline_access';

/**
 * Drives the emulator's authorization-code + PKCE flow over HTTP the way a browser would
 * (authorize without following the redirect, then the token request). For tests and the demo.
 */
export async function signIn(baseUrl: string, options: SignInOptions = {}): Promise<SignInResult> {
  const clientId = options.clientId ?? DEFAULT_CLIENT_ID;
  const redirectUri = options.redirectUri ?? DEFAULT_REDIRECT_URI;
  const tenant = options.tenant ?? 'common';
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const authorize = new URL(`${baseUrl}/${tenant}/oauth2/v2.0/authorize`);
  const params: Record<string, string | undefined> = {
    client_id: clientId,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: options.scope ?? DEFAULT_SCOPE,
    state,
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: 'S256',
    response_mode: 'query',
    login_hint: options.loginHint,
    prompt: options.prompt,
  };
  for (const [key, value] of Object.entries(params)) if (value !== undefined) authorize.searchParams.set(key, value);

  const response = await fetch(authorize, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  const redirect = new URL(location);
  if (redirect.searchParams.get('state') !== state) throw new Error('authorize lost the state parameter');
  const code = redirect.searchParams.get('code');
  if (!code) return { redirect };

  const token = await fetch(`${baseUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  return { redirect, tokens: (await token.json()) as Record<string, unknown>, tokenStatus: token.status };
}
