import { bestEffort } from '../async';
import { type CrmMailboxInput } from '../crm';
import { updateMailbox } from '../db';
import { type Mailbox, ProviderError } from '../domain';
import { readCrmConnection } from '../platform';
import { crmApi } from './crm-connection';
import type { BackgroundDeps } from './deps';

/** An owner written as an address; the CRM's record takes only an address (`owner`, format email). */
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the CRM's mailbox record holds for a mailbox (R5, R6, R7, R37): `PUT /mailboxes/{address}`. */
export function crmMailboxInput(mailbox: Mailbox): CrmMailboxInput {
  return {
    purpose: mailbox.scope,
    kind: mailbox.kind,
    status: mailbox.status === 'error' || mailbox.status === 'reconnect_needed' ? 'error' : 'connected',
    owner: mailbox.owner && ADDRESS.test(mailbox.owner) ? mailbox.owner : null,
    recovery_note: mailbox.recoveryNote,
    display_name: mailbox.identity?.displayName || null,
    provider: mailbox.provider,
  };
}

/**
 * Keeps the CRM's record of a mailbox in step with its local details, on connect, reconnect and
 * every edit, when a CRM is connected. A CRM that fails or refuses does not undo the local change:
 * the failure is logged (`bestEffort`) and kept in plain words on the mailbox (`crmRecordError`),
 * where the popup and options page show it, until a later write succeeds. A shared mailbox whose
 * owner is a name, not an address, is not sent: the CRM would refuse it, and the note says why.
 * Returns the mailbox as stored afterwards (undefined when it was disconnected meanwhile).
 */
export async function keepCrmRecordInStep(deps: BackgroundDeps, mailbox: Mailbox): Promise<Mailbox | undefined> {
  // A mailbox being disconnected is having its record removed; writing it would bring it back.
  if (mailbox.disconnectingSince !== null) return mailbox;
  const connection = await readCrmConnection();
  let error: string | null = null;
  if (connection && mailbox.kind === 'shared' && crmMailboxInput(mailbox).owner === null) {
    // The CRM would refuse it (R6: a shared mailbox's owner is an address there): say what to change.
    error = "The CRM's record of this mailbox was not updated: the CRM keeps the owner of a shared mailbox as an email address. Enter the owner's address (for example dana@example.com); your other changes here are saved.";
  } else if (connection) {
    const write = crmApi(deps, connection).putMailbox(mailbox.address, crmMailboxInput(mailbox));
    const written = await bestEffort('update the CRM record of a mailbox', write);
    if (!written) error = recordFailure(await write.catch((thrown: unknown) => thrown));
  }
  return updateMailbox(deps.db, mailbox.id, (m) => (m.crmRecordError === error ? m : { ...m, crmRecordError: error }));
}

/**
 * Removes the CRM's record of a disconnected mailbox (R34: `DELETE /mailboxes/{address}`, the
 * contract's "forget a mailbox"; its pushed emails stay): the CRM then no longer shows it as a
 * connected mailbox its workflows may send from or watch. Best effort, like the revocation: a CRM
 * that fails does not keep the mailbox here. Returns null when the record is gone (or there was
 * none, or no CRM is connected), else plain words for the user: the record is still in the CRM.
 */
export async function forgetCrmRecord(deps: BackgroundDeps, address: string): Promise<string | null> {
  const connection = await readCrmConnection();
  if (!connection) return null;
  const removal = crmApi(deps, connection).deleteMailbox(address);
  if ((await bestEffort("remove the CRM's record of a disconnected mailbox", removal)) !== undefined) return null;
  const error = await removal.catch((thrown: unknown) => thrown);
  const why = error instanceof ProviderError ? error.message : 'the request failed.';
  return `The CRM still lists ${address} as a connected mailbox: ${why} Its data is gone from this browser; remove the mailbox in the CRM so nothing there relies on it.`;
}

/** Plain words for a failed record write: a typed error's own, else fixed words (an untyped message may quote a URL). */
function recordFailure(error: unknown): string {
  const why = error instanceof ProviderError ? error.message : 'the request failed.';
  return `The CRM's record of this mailbox was not updated: ${why} Your changes here are saved; they are sent to the CRM again with your next change or reconnect.`;
}
