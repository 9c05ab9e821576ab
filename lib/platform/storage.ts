import { storage } from 'wxt/utils/storage';
import { type CrmConnection, crmConnectionSchema, type LastConnectFailure, lastConnectFailureSchema } from '../domain';

/**
 * Small settings kept in `chrome.storage`; lists live in Dexie. Each item has a version, and a
 * new version adds a migration plus a fixture test that replays it.
 */

/** The CRM the user connected in the options page (R8). The token is kept elsewhere. */
export const crmConnectionItem = storage.defineItem<CrmConnection | null>('local:crmConnection', {
  fallback: null,
  version: 1,
});

/** Reads the CRM connection; a stored value of the wrong shape is an error, not "absent". */
export async function readCrmConnection(): Promise<CrmConnection | null> {
  return crmConnectionSchema.nullable().parse(await crmConnectionItem.getValue());
}


/** See `lastConnectFailureSchema`: session storage, so it goes with the browser session. */
export const lastConnectFailureItem = storage.defineItem<LastConnectFailure | null>('session:lastConnectFailure', {
  fallback: null,
  version: 1,
});

/** The last connect failure, or null; a value of the wrong shape counts as none (it is only a notice). */
export async function readLastConnectFailure(): Promise<LastConnectFailure | null> {
  return lastConnectFailureSchema.nullable().catch(null).parse(await lastConnectFailureItem.getValue());
}
