import { browser } from 'wxt/browser';

/**
 * Keeps `chrome.storage` away from content scripts: session storage is trusted-only by default,
 * and Chromium also accepts the setting for local storage, where refresh tokens live. It rejects
 * in a browser that does not support it, and the background reports that at start.
 */
export async function restrictStorageToExtension(): Promise<void> {
  for (const area of [browser.storage.session, browser.storage.local]) {
    await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
  }
}
