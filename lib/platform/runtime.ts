import { browser } from 'wxt/browser';

/** This extension's id. */
export function extensionId(): string {
  return browser.runtime.id;
}

/** The origin of this extension's own pages, e.g. `chrome-extension://<id>`. */
export function extensionOrigin(): string {
  return browser.runtime.getURL('/').replace(/\/$/, '');
}

/**
 * Opens the options page, where the long forms live (R36); with a `section` (a panel's id, such as
 * `checklist`), a tab at that panel: `options.html#checklist`.
 */
export async function openOptionsPage(section?: string): Promise<void> {
  if (section === undefined) return browser.runtime.openOptionsPage();
  if (!/^[a-z0-9-]+$/.test(section)) throw new Error(`Not an options section: ${section}`);
  await browser.tabs.create({ url: `${browser.runtime.getURL('/options.html')}#${section}` });
}
