import type { ChromeGoogleSignIn } from '../auth/google-chrome';
import type { WebAuthFlow } from '../auth/oauth';
import type { Endpoints } from '../config/endpoints';
import type { MailboxCrmDatabase } from '../db';
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
}
