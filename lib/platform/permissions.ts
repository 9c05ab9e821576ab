import { browser } from 'wxt/browser';

/**
 * Asks for host access to one origin at runtime (the CRM the user typed, R8). Must run in an
 * extension page during a user gesture; resolves true when granted.
 */
export function requestOriginAccess(matchPattern: string): Promise<boolean> {
  return browser.permissions.request({ origins: [matchPattern] });
}

/** Whether the extension may already reach that origin (granted now or at install). */
export function hasOriginAccess(matchPattern: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [matchPattern] });
}
