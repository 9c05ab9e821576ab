import { bestEffort } from '../async';
import { endpoints } from '../config/current';
import { MailboxCrmDatabase } from '../db';
import { protocolListener } from '../messaging';
import { INCREMENTAL_EVERY_MS } from '../sync';
import {
  ensureAlarm,
  extensionId,
  extensionOrigin,
  forgetAllTokens,
  getChromeAuthToken,
  hasChromeAuthToken,
  launchWebAuthFlow,
  oauthRedirectUrls,
  onAlarm,
  onRuntimeMessage,
  removeChromeAuthToken,
  restrictStorageToExtension,
} from '../platform';
import { WEBMAIL_MATCHES } from '../webmail/sites';
import type { BackgroundDeps } from './deps';
import { engineOf, resumeEngine, TICK_ALARM, WAKE_ALARM } from './engine';
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
  const deps = browserDeps(storageLocked);
  onRuntimeMessage(
    protocolListener(createHandlers(deps), {
      extensionId: extensionId(),
      extensionOrigin: extensionOrigin(),
      contentScriptMatches: WEBMAIL_MATCHES,
    }),
  );
  startEngine(deps);
}

/**
 * The sync engine's part of a worker start (R13, R16): the alarms' listeners first (a worker woken
 * by an alarm must hear it), the periodic alarm created if missing (Chrome may drop alarms on a
 * browser restart), then interrupted disconnects finished and every unfinished job resumed; waits
 * that ended while the worker slept run now.
 */
function startEngine(deps: BackgroundDeps): void {
  const engine = engineOf(deps);
  const tick = () => void bestEffort('run the sync engine on its alarm', engine.tick());
  onAlarm(TICK_ALARM, tick);
  onAlarm(WAKE_ALARM, tick);
  void bestEffort('create the sync alarm', ensureAlarm(TICK_ALARM, INCREMENTAL_EVERY_MS / 60_000));
  void bestEffort('resume the sync engine', resumeEngine(deps, engine));
}
