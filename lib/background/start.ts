import { bestEffort } from '../async';
import { endpoints } from '../config/current';
import { MailboxCrmDatabase } from '../db';
import { protocolListener } from '../messaging';
import {
  extensionId,
  extensionOrigin,
  forgetAllTokens,
  getChromeAuthToken,
  hasChromeAuthToken,
  launchWebAuthFlow,
  oauthRedirectUrls,
  onRuntimeMessage,
  removeChromeAuthToken,
  restrictStorageToExtension,
} from '../platform';
import { WEBMAIL_MATCHES } from '../webmail/sites';
import type { BackgroundDeps } from './deps';
import { createHandlers } from './handlers';

/** The background's real dependencies: this build's endpoints and the browser's identity API. */
function browserDeps(storageLocked: Promise<boolean>): BackgroundDeps {
  return {
    db: new MailboxCrmDatabase(),
    endpoints,
    redirectUris: oauthRedirectUrls(),
    flow: launchWebAuthFlow,
    chromeGoogle:
      endpoints.google.chromeClientId && hasChromeAuthToken() ? { getToken: getChromeAuthToken, removeToken: removeChromeAuthToken } : null,
    storageLocked,
  };
}

/**
 * Starts the background: storage closed to content scripts (tokens live there; sign-ins wait for
 * it and are refused if it fails), and the message protocol. Listeners are registered
 * synchronously so a waking worker gets its message.
 */
export function startBackground(): void {
  const storageLocked = restrictStorageToExtension().then(
    () => true,
    async (error: unknown) => {
      console.error('Could not restrict extension storage to extension pages; tokens are forgotten and sign-ins refused:', error instanceof Error ? error.message : error);
      await bestEffort('forget the tokens content scripts could read', forgetAllTokens());
      return false;
    },
  );
  onRuntimeMessage(
    protocolListener(createHandlers(browserDeps(storageLocked)), {
      extensionId: extensionId(),
      extensionOrigin: extensionOrigin(),
      contentScriptMatches: WEBMAIL_MATCHES,
    }),
  );
}
