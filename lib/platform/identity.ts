import { browser } from 'wxt/browser';

/** The authorization servers the extension signs in at. */
export type AuthorizationServer = 'google' | 'microsoft' | 'crm';

/** One redirect URL per authorization server. */
export type RedirectUris = Record<AuthorizationServer, string>;

/**
 * The redirect URLs registered with the OAuth clients: `https://<extension-id>.chromiumapp.org/google`,
 * `…/microsoft` and `…/crm`, stable because `manifest.key` pins the id. Each server has its own,
 * so an answer that one server sends to another's URL is recognised and refused (OAuth mix-up:
 * a hostile CRM bouncing its sign-in to Google must not get Google's code).
 */
export function oauthRedirectUrls(): RedirectUris {
  return {
    google: browser.identity.getRedirectURL('google'),
    microsoft: browser.identity.getRedirectURL('microsoft'),
    crm: browser.identity.getRedirectURL('crm'),
  };
}

/**
 * Opens the provider's sign-in page and resolves with the URL it redirected to (the
 * `chromiumapp.org` address carrying `code` or `error`). Non-interactive runs never show a window
 * and fail when the page would need the user (silent renewal, R2). Chrome's own failure text
 * (window closed, page unreachable) is the rejection message.
 */
export async function launchWebAuthFlow(url: string, interactive: boolean): Promise<string> {
  // A silent run must not stop at the first page load: Microsoft's prompt=none may answer with a
  // page that redirects by script. It still never shows a window, and gives up after 15 s.
  const silent = interactive ? {} : { abortOnLoadForNonInteractive: false, timeoutMsForNonInteractive: 15_000 };
  const result = await browser.identity.launchWebAuthFlow({ url, interactive, ...silent });
  if (!result) throw new Error('The sign-in window returned no address.');
  return result;
}

/** True where `identity.getAuthToken` exists (Chrome; Edge and others lack a working one). */
export function hasChromeAuthToken(): boolean {
  return typeof browser.identity?.getAuthToken === 'function';
}

/** A Google token from Chrome's own account sign-in, for the manifest's `oauth2` client (R1). */
export async function getChromeAuthToken(interactive: boolean, scopes: string[]): Promise<string> {
  const result = await browser.identity.getAuthToken({ interactive, scopes });
  const token = typeof result === 'string' ? result : result?.token;
  if (!token) throw new Error('Chrome returned no Google token.');
  return token;
}

/** Drops a token from Chrome's cache after Google refused it, so the next call gets a new one. */
export async function removeChromeAuthToken(token: string): Promise<void> {
  await browser.identity.removeCachedAuthToken({ token });
}
