import { type ProviderError, providerError } from '../domain';
import type { AccessTokenSource } from './access-token';
import { GOOGLE_SCOPES } from './clients';

/** Chrome's built-in Google sign-in (`identity.getAuthToken`), present only where it works. */
export interface ChromeGoogleSignIn {
  getToken(interactive: boolean, scopes: string[]): Promise<string>;
  removeToken(token: string): Promise<void>;
}

/**
 * Chrome's `getAuthToken` failures that only the user can fix: no grant (or a revoked one), no
 * Google account signed in to Chrome (or browser sign-in turned off), a grant that needs the
 * consent screen again, or credentials Google no longer takes. The texts are Chromium's own
 * (`identity_constants.cc`, and `GoogleServiceAuthError::ToString` after "OAuth2 request failed: ").
 */
const NEEDS_USER = [
  'OAuth2 not granted or revoked.',
  'The user is not signed in.',
  'The user turned off browser signin',
  'User interaction required.',
  'OAuth2 request failed: Invalid credentials',
];
/** Failures of the way to Google, not of the sign-in: the same call can work later. */
const UNREACHABLE = ['OAuth2 request failed: Connection failed', 'Authorization page could not be loaded.'];
const GOOGLE_BUSY = ['OAuth2 request failed: Service unavailable'];
/** The user closed or declined Chrome's consent window. */
const DECLINED = ['The user did not approve access.', 'canceled'];

/**
 * Chrome's `getAuthToken` rejection as a typed error: offline is `network` (a silent renewal
 * that works once the connection is back must not show "Reconnect needed"), only the kinds that
 * need the user are `reauth_required`, and a setup fault (bad client id, scopes) says so.
 */
export function chromeAuthFailure(error: unknown): ProviderError {
  const text = error instanceof Error ? error.message : String(error);
  const starts = (list: string[]) => list.some((prefix) => text.startsWith(prefix));
  if (starts(UNREACHABLE)) return providerError('network', 'gmail');
  if (starts(GOOGLE_BUSY)) return providerError('server', 'gmail');
  if (starts(NEEDS_USER)) return providerError('reauth_required', 'gmail');
  if (starts(DECLINED)) {
    return providerError('insufficient_permissions', 'gmail', { detail: 'The sign-in window was closed before access was granted. Connect again to continue.' });
  }
  return providerError('bad_response', 'gmail', {
    detail: "Chrome's Google sign-in failed. Check the Chrome extension client id in the build settings (README, Configuration).",
    final: true,
  });
}

/**
 * Tokens from Chrome's own Google account sign-in (R1). Chrome caches and renews them; a token
 * Google refused is dropped from that cache. When Chrome cannot give one without the user, the
 * mailbox needs a reconnect; when Google cannot be reached, the call is retried later.
 */
export function chromeTokenSource(signIn: ChromeGoogleSignIn): AccessTokenSource {
  return {
    async token() {
      try {
        return await signIn.getToken(false, GOOGLE_SCOPES);
      } catch (error) {
        throw chromeAuthFailure(error);
      }
    },
    invalidate: (token) => signIn.removeToken(token),
  };
}
