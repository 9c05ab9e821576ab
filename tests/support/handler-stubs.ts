import type { SyncMessageName } from '@/lib/background/sync-handlers';
import type { Handlers } from '@/lib/messaging';

export type { SyncMessageName } from '@/lib/background/sync-handlers';

/** Every engine handler as `handler`, for protocol tests that do not exercise the engine itself. */
export function syncHandlerStubs(handler: () => Promise<never>): Pick<Handlers, SyncMessageName> {
  return {
    syncNow: handler,
    requestSync: handler,
    backfill: handler,
    preview: handler,
    cancelJob: handler,
    undoRun: handler,
    getJobs: handler,
    getRuns: handler,
    getRunSample: handler,
    lookupMessages: handler,
    getThreadState: handler,
    setThreadDecision: handler,
    listFolders: handler,
    setSyncOnly: handler,
    getReviewPrompts: handler,
    dismissReviewPrompt: handler,
  };
}
