import type { MailboxCrmDatabase } from '../db';
import { mailboxSchema } from '../domain';
import type { Handlers } from '../messaging';
import { oauthRedirectUrl, readCrmConnection } from '../platform';

/** The background's answers to the protocol. */
export function createHandlers(db: MailboxCrmDatabase): Handlers {
  return {
    async getOverview() {
      const [rows, crm] = await Promise.all([db.mailboxes.orderBy('id').toArray(), readCrmConnection()]);
      return {
        // Rows are validated on the way out: IndexedDB content is a boundary like any other.
        mailboxes: rows.map((row) => mailboxSchema.parse(row)),
        crm: { baseUrl: crm?.baseUrl ?? null },
        oauthRedirectUrl: oauthRedirectUrl(),
      };
    },
  };
}
