import { crmNotConnected } from '../crm';
import type { Handlers } from '../messaging';
import { contactRef, createCrmContact, crmOrigin, searchMirror, threadView, unlinkThreadContact } from '../sync';
import type { BackgroundDeps } from './deps';
import { engineDeps, engineOf } from './engine';

/** The sidebar's messages (issue 11): what the sidebar in Gmail and Outlook on the web asks the background. */
export type SidebarMessageName = 'getThreadView' | 'searchContacts' | 'createContact' | 'unlinkThreadContact' | 'getContactTimeline';

type SidebarHandlers = Pick<Handlers, SidebarMessageName>;

/** The background's answers to the sidebar (R26–R30): wiring only, the logic is the engine's (`lib/sync`). */
export function sidebarHandlers(deps: BackgroundDeps): SidebarHandlers {
  const engine = engineOf(deps);
  const parts = engineDeps(deps);
  return {
    getThreadView: (input) => threadView(parts, input),
    searchContacts: async ({ text, limit }) => searchMirror(deps.db, text, limit, await crmOrigin(parts)),
    async createContact(input) {
      try {
        const contact = await createCrmContact(parts, input);
        return { contact: contactRef(contact, await crmOrigin(parts)) };
      } finally {
        // The retro-match queued the thread's past messages (an "already a contact" refusal
        // queues them too): push them now, not at the next poll.
        engine.tickSoon();
      }
    },
    async unlinkThreadContact(input) {
      const messages = await unlinkThreadContact(parts, input);
      engine.tickSoon();
      return { messages };
    },
    async getContactTimeline({ contactId, limit }) {
      const crm = await parts.crm();
      if (!crm) throw crmNotConnected('open the contact’s timeline');
      // The CRM's answer is not trusted to honour the limit.
      const emails = (await crm.client.timeline(contactId, limit)).slice(0, limit);
      return { emails: emails.map((e) => ({ id: e.id, subject: e.subject, date: Date.parse(e.date), direction: e.direction })) };
    },
  };
}
