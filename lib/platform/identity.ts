import { browser } from 'wxt/browser';

/**
 * The redirect URL registered with OAuth clients: `https://<extension-id>.chromiumapp.org/`.
 * Stable because `manifest.key` pins the id.
 */
export function oauthRedirectUrl(): string {
  return browser.identity.getRedirectURL();
}

/**
 * Opens a provider's sign-in page and resolves with the URL it redirected to (which carries
 * `code` and `state`). Rejects when the user closes the window or denies consent.
 */
export async function launchWebAuthFlow(url: string, interactive: boolean): Promise<string> {
  const redirect = await browser.identity.launchWebAuthFlow({ url, interactive });
  if (!redirect) throw new Error('The sign-in window closed without returning to the extension.');
  return redirect;
}
