import { PrivacyRulesUnreadableError } from '../domain';
import { type Handlers, MessagingError } from '../messaging';
import { readPrivacyRules, savePrivacyRules } from '../platform';
import { markWrongContact } from '../sync';
import { testCrmConnection } from './crm-connection';
import type { BackgroundDeps } from './deps';
import { disconnectImpact } from './disconnect-impact';
import { engineDeps, engineOf } from './engine';

/** The mailbox-care messages about the CRM, the review and the workspace's rules. */
export type CrmCareMessageName = 'wrongContact' | 'getDisconnectImpact' | 'testCrmConnection' | 'getPrivacyRules' | 'savePrivacyRules';

/** The background's answers to "wrong contact" (R24), the disconnect impact (R34), "Test connection" (R8) and the privacy rules (R21). */
export function crmCareHandlers(deps: BackgroundDeps): Pick<Handlers, CrmCareMessageName> {
  const engine = engineOf(deps);
  return {
    async wrongContact(input) {
      const message = await markWrongContact(engineDeps(deps), input);
      engine.tickSoon();
      return { message };
    },
    getDisconnectImpact: ({ id }) => disconnectImpact(deps, id),
    testCrmConnection: () => testCrmConnection(deps),
    // An unreadable stored value reaches the page in its own plain words, with the way out.
    async getPrivacyRules() {
      try {
        return await readPrivacyRules();
      } catch (error) {
        if (error instanceof PrivacyRulesUnreadableError) throw MessagingError.of('handler_failed', error.message);
        throw error;
      }
    },
    // Saved first, then applied: a page decided meanwhile reads the new rules, or is re-decided here.
    async savePrivacyRules(rules) {
      const saved = await savePrivacyRules(rules);
      await engine.privacyRulesChanged();
      return saved;
    },
  };
}
