import { mailboxSchema } from '../domain';
import type { Handlers } from '../messaging';
import { lastConnectFailureItem, readCrmConnection, readLastConnectFailure } from '../platform';
import { connectCrm, disconnectCrm } from './crm-connection';
import type { BackgroundDeps } from './deps';
import { connectMailbox, disconnectMailbox, reconnectMailbox } from './mailboxes';

/** The background's answers to the protocol. */
export function createHandlers(deps: BackgroundDeps): Handlers {
  const { db } = deps;
  return {
    async getOverview() {
      const [rows, crm, lastConnectFailure] = await Promise.all([db.mailboxes.orderBy('id').toArray(), readCrmConnection(), readLastConnectFailure()]);
      return {
        // Rows are validated on the way out: IndexedDB content is a boundary like any other.
        mailboxes: rows.map((row) => mailboxSchema.parse(row)),
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
    reconnectMailbox: ({ id }) => reconnectMailbox(deps, id),
    disconnectMailbox: ({ id }) => disconnectMailbox(deps, id),
    connectCrm: (input) => connectCrm(deps, input),
    async disconnectCrm() {
      await disconnectCrm(deps);
      return {};
    },
  };
}
