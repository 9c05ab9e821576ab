import { browser } from 'wxt/browser';

/**
 * The redirect URL registered with OAuth clients: `https://<extension-id>.chromiumapp.org/`.
 * Stable because `manifest.key` pins the id.
 */
export function oauthRedirectUrl(): string {
  return browser.identity.getRedirectURL();
}

