import { browser } from 'wxt/browser';
import { MatchPattern } from 'wxt/utils/match-patterns';

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

/**
 * Gives up host access to one origin (a disconnected CRM, R8, R34); resolves true when it was
 * removed. Chrome refuses to remove what the manifest grants at install (a development build's
 * local hosts): an origin such a grant covers is left alone, and the answer is false.
 */
export async function removeOriginAccess(originPattern: string): Promise<boolean> {
  const origin = originPattern.replace(/\*$/, '');
  const granted = browser.runtime.getManifest().host_permissions ?? [];
  if (granted.some((pattern: string) => new MatchPattern(pattern).includes(origin))) return false;
  return browser.permissions.remove({ origins: [originPattern] });
}
