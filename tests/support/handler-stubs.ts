import type { Handlers } from '@/lib/messaging';

/** The engine's messages (issue 9): what the popup, options page and sidebar ask the background. */
export type SyncMessageName =
  | 'syncNow'
  | 'requestSync'
  | 'backfill'
  | 'preview'
  | 'cancelJob'
  | 'undoRun'
  | 'getJobs'
  | 'getRuns'
  | 'getRunSample'
  | 'lookupMessages'
  | 'getThreadState'
  | 'setThreadDecision'
  | 'listFolders'
  | 'setSyncOnly'
  | 'getReviewPrompts'
  | 'dismissReviewPrompt';

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
