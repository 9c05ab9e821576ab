import { storage } from 'wxt/utils/storage';
import { z } from 'zod';
import { type DisconnectRecord, disconnectRecordSchema } from '../domain';

/** How many disconnects are remembered: only the latest one a mailbox saw matters (R35). */
export const DISCONNECTS_KEPT = 20;

/**
 * Every mailbox disconnected (R35), oldest first: the review prompts ask each mailbox connected
 * then, and the replacement connected next, for a test email after the latest of them.
 */
export const disconnectsItem = storage.defineItem<DisconnectRecord[]>('local:mailboxDisconnects', {
  fallback: [],
  version: 1,
});

/** The remembered disconnects; a value of the wrong shape is an error, never "none" (a prompt would be lost). */
export async function readDisconnects(): Promise<DisconnectRecord[]> {
  return z.array(disconnectRecordSchema).parse(await disconnectsItem.getValue());
}

/** Remembers a disconnect, keeping the latest `DISCONNECTS_KEPT`. */
export async function recordDisconnect(record: DisconnectRecord): Promise<void> {
  const valid = disconnectRecordSchema.parse(record);
  await disconnectsItem.setValue([...(await readDisconnects()), valid].slice(-DISCONNECTS_KEPT));
}
