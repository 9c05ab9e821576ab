import { type Handlers, MessagingError } from '../messaging';
import { crmCareHandlers } from './crm-care-handlers';
import type { BackgroundDeps } from './deps';

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

function notBuilt(): never {
  throw MessagingError.of('handler_failed', 'Not built yet.');
}

/** The background's answers to the mailbox-care messages (R5–R8, R21, R24, R31–R35). */
export function careHandlers(deps: BackgroundDeps): CareHandlers {
  return {
    updateMailbox: notBuilt,
    confirmChecklistItem: notBuilt,
    sendTestEmail: notBuilt,
    markSampleReviewed: notBuilt,
    ...crmCareHandlers(deps),
  };
}
