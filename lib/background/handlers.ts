import { listMailboxes } from '../db';
import type { Handlers } from '../messaging';
import { lastConnectFailureItem, readCrmConnection, readLastConnectFailure } from '../platform';
import { connectCrm, disconnectCrm } from './crm-connection';
import type { BackgroundDeps } from './deps';
import { connectMailbox, disconnectMailbox, reconnectMailbox } from './mailboxes';
import { careHandlers } from './care-handlers';
import { sidebarHandlers } from './sidebar-handlers';
import { syncHandlers } from './sync-handlers';
import { engineOf } from './engine';

/** The background's answers to the protocol. */
export function createHandlers(deps: BackgroundDeps): Handlers {
  const engine = engineOf(deps);
  return {
    async getOverview() {
      const [mailboxes, crm, lastConnectFailure] = await Promise.all([listMailboxes(deps.db), readCrmConnection(), readLastConnectFailure()]);
      return {
        mailboxes,
        crm: { baseUrl: crm?.baseUrl ?? null, authMethod: crm?.authMethod ?? null, defaultBaseUrl: deps.endpoints.crm.defaultBaseUrl },
        oauthRedirectUrls: deps.redirectUris,
        lastConnectFailure,
      };
    },
    // The outcome is kept for the popup: Chrome closes it while the sign-in window has focus.
    async connectMailbox(input) {
      try {
        const mailbox = await connectMailbox(deps, input);
        await lastConnectFailureItem.setValue(null);
        return mailbox;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await lastConnectFailureItem.setValue({ provider: input.provider, message, at: Date.now() });
        throw error;
      }
    },
    async dismissConnectFailure() {
      await lastConnectFailureItem.setValue(null);
      return {};
    },
    async reconnectMailbox({ id }) {
      const mailbox = await reconnectMailbox(deps, id);
      engine.tickSoon();
      return mailbox;
    },
    // Its jobs stop, and none starts, until it is revoked and its data is gone (R34).
    disconnectMailbox: ({ id }) => engine.withLaneStopped(id, () => disconnectMailbox(deps, id)),
    async connectCrm(input) {
      const connected = await connectCrm(deps, input);
      await engine.resumeCrm();
      return connected;
    },
    disconnectCrm: () => disconnectCrm(deps),
    ...syncHandlers(deps),
    ...sidebarHandlers(deps),
    ...careHandlers(deps),
  };
}
