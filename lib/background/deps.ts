import type { ChromeGoogleSignIn } from '../auth/google-chrome';
import type { WebAuthFlow } from '../auth/oauth';
import type { Endpoints } from '../config/endpoints';
import type { MailboxCrmDatabase } from '../db';

/** What the background's services need from the outside world; tests pass their own. */
export interface BackgroundDeps {
  db: MailboxCrmDatabase;
  endpoints: Endpoints;
  /** `https://<extension-id>.chromiumapp.org/` */
  redirectUri: string;
  /** `identity.launchWebAuthFlow` in the browser; a redirect-following fetch in tests. */
  flow: WebAuthFlow;
  /** Chrome's Google sign-in, when this browser has it and a Chrome client id is configured. */
  chromeGoogle: ChromeGoogleSignIn | null;
}
