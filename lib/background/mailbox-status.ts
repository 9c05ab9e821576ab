import { updateMailbox } from '../db';
import { ProviderError, type ProviderErrorCode } from '../domain';
import type { BackgroundDeps } from './deps';

/**
 * The errors that block a mailbox until the user acts (R12): sign in again, grant a permission,
 * or wait for the daily quota. Others are handled where they arise (an expired cursor falls back
 * to a bounded re-sync, R14) or were transient and already retried inside the clients.
 */
const BLOCKING: ReadonlySet<ProviderErrorCode> = new Set(['reauth_required', 'insufficient_permissions', 'quota_exhausted']);

/**
 * Runs provider work for a mailbox and keeps its state honest (R2, R12): a blocking error puts
 * the mailbox in "Reconnect needed" or "Provider error" with the plain message and the action
 * that fixes it. Success clears a previous error.
 */
export async function withMailboxState<T>(deps: BackgroundDeps, mailboxId: string, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    await updateMailbox(deps.db, mailboxId, (m) => (m.lastError ? { ...m, status: 'connected', lastError: null } : m));
    return result;
  } catch (error) {
    if (error instanceof ProviderError && BLOCKING.has(error.code)) {
      const status = error.data.action === 'reconnect' ? 'reconnect_needed' : 'error';
      await updateMailbox(deps.db, mailboxId, (m) => ({ ...m, status, lastError: error.toJSON() }));
    }
    throw error;
  }
}
