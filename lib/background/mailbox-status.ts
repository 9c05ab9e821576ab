import { type Mailbox, mailboxSchema, ProviderError } from '../domain';
import type { BackgroundDeps } from './deps';

/**
 * Runs provider work for a mailbox and keeps its state honest (R2, R12): an error that needs the
 * user (sign in again, grant a permission, a used-up daily quota) puts the mailbox in
 * "Reconnect needed" or "Provider error" with the plain message, and blocks further sync until
 * fixed. Transient errors were already retried inside the clients and leave the state alone.
 * Success clears a previous error.
 */
export async function withMailboxState<T>(deps: BackgroundDeps, mailboxId: string, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work();
    await update(deps, mailboxId, (m) => (m.lastError ? { ...m, status: 'connected', lastError: null } : m));
    return result;
  } catch (error) {
    if (error instanceof ProviderError && !error.retryable) {
      const status = error.data.action === 'reconnect' ? 'reconnect_needed' : 'error';
      await update(deps, mailboxId, (m) => ({ ...m, status, lastError: error.toJSON() }));
    }
    throw error;
  }
}

async function update(deps: BackgroundDeps, id: string, change: (mailbox: Mailbox) => Mailbox): Promise<void> {
  await deps.db.transaction('rw', deps.db.mailboxes, async () => {
    const row = await deps.db.mailboxes.get(id);
    if (!row) return;
    const next = change(mailboxSchema.parse(row));
    if (next !== row) await deps.db.mailboxes.put(mailboxSchema.parse(next));
  });
}
