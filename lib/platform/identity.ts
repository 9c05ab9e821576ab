import { browser } from 'wxt/browser';

/**
 * The redirect URL registered with OAuth clients: `https://<extension-id>.chromiumapp.org/`.
 * Stable because `manifest.key` pins the id.
 */
export function oauthRedirectUrl(): string {
  return browser.identity.getRedirectURL();
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
