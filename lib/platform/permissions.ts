import { browser } from 'wxt/browser';
import { originMatchPattern } from '../config/endpoints';

/** Whether the extension may already fetch from `origin`. */
export function hasOriginPermission(origin: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [originMatchPattern(origin)] });
}

/**
 * Asks the user for access to `origin` (the CRM's, R8). Chrome allows this only during a user
 * gesture in an extension page, so call it from the click handler, not the background.
 */
export function requestOriginPermission(origin: string): Promise<boolean> {
  return browser.permissions.request({ origins: [originMatchPattern(origin)] });
}
