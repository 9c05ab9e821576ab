import type { ChromeGoogleSignIn } from '../auth/google-chrome';
import type { WebAuthFlow } from '../auth/oauth';
import type { Endpoints } from '../config/endpoints';
import type { MailboxCrmDatabase } from '../db';
import { providerError } from '../domain';
import type { RedirectUris } from '../platform/identity';

/** What the background's services need from the outside world; tests pass their own. */
export interface BackgroundDeps {
  db: MailboxCrmDatabase;
  endpoints: Endpoints;
  /** One redirect URL per authorization server: `https://<extension-id>.chromiumapp.org/google`, `…/microsoft`, `…/crm`. */
  redirectUris: RedirectUris;
  /** `identity.launchWebAuthFlow` in the browser; a redirect-following fetch in tests. */
  flow: WebAuthFlow;
  /** Chrome's Google sign-in, when this browser has it and a Chrome client id is configured. */
  chromeGoogle: ChromeGoogleSignIn | null;
  /**
   * Whether `chrome.storage` is closed to content scripts (`restrictStorageToExtension` at start).
   * Sign-ins wait for it and are refused when it failed: tokens kept then would be readable from
   * the webmail pages' content-script process.
   */
  storageLocked: Promise<boolean>;
}

/** Refuses a sign-in when this browser cannot keep tokens away from content scripts (see `storageLocked`). */
export async function requireLockedStorage(deps: BackgroundDeps, source: 'gmail' | 'outlook' | 'crm'): Promise<void> {
  if (await deps.storageLocked) return;
  throw providerError('insufficient_permissions', source, {
    detail: 'This browser cannot keep sign-ins away from the web pages the extension runs on. Update the browser to a current version, then connect again.',
    final: true,
  });
}
