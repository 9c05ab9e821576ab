import { browser } from 'wxt/browser';

/** This extension's id. */
export function extensionId(): string {
  return browser.runtime.id;
}

/** The origin of this extension's own pages, e.g. `chrome-extension://<id>`. */
export function extensionOrigin(): string {
  return browser.runtime.getURL('/').replace(/\/$/, '');
}

/** Opens the options page, where the long forms live (R36). */
export function openOptionsPage(): Promise<void> {
  return browser.runtime.openOptionsPage();
}
