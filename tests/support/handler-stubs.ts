import type { CareMessageName } from '@/lib/background/care-handlers';
import type { SidebarMessageName } from '@/lib/background/sidebar-handlers';
import type { SyncMessageName } from '@/lib/background/sync-handlers';
import type { Handlers } from '@/lib/messaging';

export type { SyncMessageName } from '@/lib/background/sync-handlers';
export type { CareMessageName } from '@/lib/background/care-handlers';
export type { SidebarMessageName } from '@/lib/background/sidebar-handlers';

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
    setThreadDecision: handler,
    listFolders: handler,
    setSyncOnly: handler,
    getReviewPrompts: handler,
    dismissReviewPrompt: handler,
  };
}

/** Every mailbox-care handler as `handler`, for protocol tests that do not exercise them. */
export function careHandlerStubs(handler: () => Promise<never>): Pick<Handlers, CareMessageName> {
  return {
    updateMailbox: handler,
    confirmChecklistItem: handler,
    sendTestEmail: handler,
    markSampleReviewed: handler,
    wrongContact: handler,
    getDisconnectImpact: handler,
    testCrmConnection: handler,
    getPrivacyRules: handler,
    savePrivacyRules: handler,
  };
}

/** Every sidebar handler as `handler`, for protocol tests that do not exercise them. */
export function sidebarHandlerStubs(handler: () => Promise<never>): Pick<Handlers, SidebarMessageName> {
  return {
    getThreadView: handler,
    searchContacts: handler,
    createContact: handler,
    unlinkThreadContact: handler,
    getContactTimeline: handler,
  };
}
