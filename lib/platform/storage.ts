import { z } from 'zod';
import { browser } from 'wxt/browser';
import { storage } from 'wxt/utils/storage';

/**
 * Small settings kept in `chrome.storage`; lists live in Dexie. Each item has a version, and a
 * new version adds a migration plus a fixture test that replays it.
 */

/** The CRM the user connected in the options page (R8). The token is kept elsewhere. */
export const crmConnectionSchema = z.object({
  baseUrl: z.url(),
  authMethod: z.enum(['oauth', 'personal_token']),
});
export type CrmConnection = z.infer<typeof crmConnectionSchema>;

export const crmConnectionItem = storage.defineItem<CrmConnection | null>('local:crmConnection', {
  fallback: null,
  version: 1,
});

/** Reads the CRM connection; a stored value of the wrong shape is an error, not "absent". */
export async function readCrmConnection(): Promise<CrmConnection | null> {
  return crmConnectionSchema.nullable().parse(await crmConnectionItem.getValue());
}

/**
 * Keeps `chrome.storage` away from content scripts: session storage is trusted-only by default,
 * and Chromium also accepts the setting for local storage, where refresh tokens live. It rejects
 * in a browser that does not support it, and the background reports that at start.
 */
export async function restrictStorageToExtension(): Promise<void> {
  for (const area of [browser.storage.session, browser.storage.local]) {
    await area.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
  }
}
