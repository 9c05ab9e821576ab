import { providerError } from '../domain';
import type { AccessTokenSource } from './access-token';
import { GOOGLE_SCOPES } from './clients';

/** Chrome's built-in Google sign-in (`identity.getAuthToken`), present only where it works. */
export interface ChromeGoogleSignIn {
  getToken(interactive: boolean, scopes: string[]): Promise<string>;
  removeToken(token: string): Promise<void>;
}

/**
 * Tokens from Chrome's own Google account sign-in (R1). Chrome caches and renews them; a token
 * Google refused is dropped from that cache. When Chrome cannot give one without the user, the
 * mailbox needs a reconnect.
 */
export function chromeTokenSource(signIn: ChromeGoogleSignIn): AccessTokenSource {
  return {
    async token() {
      try {
        return await signIn.getToken(false, GOOGLE_SCOPES);
      } catch {
        throw providerError('reauth_required', 'gmail');
      }
    },
    invalidate: (token) => signIn.removeToken(token),
  };
}
