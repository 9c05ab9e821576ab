import { mailboxSchema } from '../domain';
import type { Handlers } from '../messaging';
import { readCrmConnection } from '../platform';
import type { BackgroundDeps } from './deps';
import { connectCrm, disconnectCrm } from './crm-connection';
import { connectMailbox, disconnectMailbox, reconnectMailbox } from './mailboxes';

/** The background's answers to the protocol. */
export function createHandlers(deps: BackgroundDeps): Handlers {
  const { db } = deps;
  return {
    async getOverview() {
      const [rows, crm] = await Promise.all([db.mailboxes.orderBy('id').toArray(), readCrmConnection()]);
      return {
        // Rows are validated on the way out: IndexedDB content is a boundary like any other.
        mailboxes: rows.map((row) => mailboxSchema.parse(row)),
        crm: { baseUrl: crm?.baseUrl ?? null, authMethod: crm?.authMethod ?? null, defaultBaseUrl: deps.endpoints.crm.defaultBaseUrl },
        oauthRedirectUrl: deps.redirectUri,
      };
    },
    connectMailbox: (input) => connectMailbox(deps, input),
    reconnectMailbox: ({ id }) => reconnectMailbox(deps, id),
    async disconnectMailbox({ id }) {
      await disconnectMailbox(deps, id);
      return { id };
    },
    connectCrm: (input) => connectCrm(deps, input),
    async disconnectCrm() {
      await disconnectCrm(deps);
      return {};
    },
  };
}
