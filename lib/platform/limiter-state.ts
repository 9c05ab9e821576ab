import { storage } from 'wxt/utils/storage';

/** A value kept in `chrome.storage.session` under one key, read back as it was stored. */
export interface SessionStateStore {
  load(): Promise<unknown>;
  save(value: unknown): Promise<void>;
}

/**
 * Where one mailbox's rate limiter keeps its grants across MV3 worker restarts (R12): session
 * storage, in memory and gone with the browser session, like the quota windows it mirrors. The
 * value is checked by the limiter that reads it (`lib/http/limiter-state.ts`), not here.
 */
export function limiterStateStore(mailboxId: string): SessionStateStore {
  const key = `session:limiter.${mailboxId}` as const;
  return {
    load: () => storage.getItem<unknown>(key),
    save: (value) => storage.setItem(key, value),
  };
}
