import type { Handlers } from '../messaging';
import { crmCareHandlers } from './crm-care-handlers';
import type { BackgroundDeps } from './deps';
import { confirmChecklistItem, markSampleReviewed, sendTestEmail, updateMailboxDetails } from './mailbox-care';

/** Mailbox care (issue 10): details, checklist, test send, review, disconnect impact, CRM test, privacy rules. */
export type CareMessageName =
  | 'updateMailbox'
  | 'confirmChecklistItem'
  | 'sendTestEmail'
  | 'markSampleReviewed'
  | 'wrongContact'
  | 'getDisconnectImpact'
  | 'testCrmConnection'
  | 'getPrivacyRules'
  | 'savePrivacyRules';

type CareHandlers = Pick<Handlers, CareMessageName>;

/** The background's answers to the mailbox-care messages (R5–R8, R21, R24, R31–R35). */
export function careHandlers(deps: BackgroundDeps): CareHandlers {
  return {
    updateMailbox: ({ id, ...details }) => updateMailboxDetails(deps, id, details),
    confirmChecklistItem: ({ id, item }) => confirmChecklistItem(deps, id, item),
    sendTestEmail: ({ mailboxId, to }) => sendTestEmail(deps, mailboxId, to),
    markSampleReviewed: ({ mailboxId, runId }) => markSampleReviewed(deps, mailboxId, runId),
    ...crmCareHandlers(deps),
  };
}
