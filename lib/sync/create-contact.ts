import { bestEffort } from '../async';
import { crmNotConnected, emailTaken } from '../crm';
import { contactsByIds, contactsWithAnyEmail, listMailboxes } from '../db';
import type { Contact } from '../domain';
import { normaliseAddress } from '../matching/address';
import { addressRole, policySets, workspaceOwnAddresses } from '../matching/skip-rules';
import { MessagingError } from '../messaging';
import type { EngineDeps } from './engine-deps';
import { mirrorAnswered } from './jobs/contacts';

/** What the user typed to create a contact (R25, R27). */
export interface NewContact {
  name: string;
  email: string;
  company?: string;
}

/** Why an address must not become a contact, in the words of the form's email field. */
const REFUSED_ROLE = {
  self: 'This is the address of a connected mailbox (or one of its aliases); it cannot be a contact.',
  internal: 'This address is in one of your workspace’s own domains: a colleague, not a contact.',
  blocked: 'This address is blocked by the privacy rules, so it cannot be a contact.',
} as const;

/** The refusal of an address that already is a contact's, naming that contact. */
function alreadyAContact(name: string): MessagingError {
  const taken = `This address is already a contact in the CRM (${name}). Use “Link to contact” instead.`;
  return MessagingError.invalid(`No contact was created: ${taken}`, { email: taken });
}

/**
 * Creates the CRM contact the user asked for (R25, R27): in the CRM (the client sends it under an
 * idempotency key derived from the body, so a retry cannot create it twice), then in the mirror
 * with a retro-match of every mailbox's stored messages for its address (`mirrorAnswered`), so
 * the thread's past messages are queued; the caller wakes the engine to push them, whether this
 * answers or refuses (a refusal may have queued them too).
 *
 * Refused in plain words, before the CRM is asked, without a CRM, for an address of a connected
 * mailbox, of the workspace's domains or blocked, and for one the mirror already has on a contact
 * once normalised (a Gmail dot or +tag variant is the same mailbox) (`invalid_payload` on
 * `email`). When the CRM refuses because the address is already a contact's (its "email has
 * already been taken", `emailTaken`), the mirror catches up with that contact (and retro-matches)
 * before the refusal says so: the sidebar then shows the match. Any other refusal, or a failure
 * of that lookup, is thrown as the CRM's own error. Returns the mirror's copy of the contact.
 */
export async function createCrmContact(deps: EngineDeps, input: NewContact): Promise<Contact> {
  const crm = await deps.crm();
  if (!crm) throw crmNotConnected('create the contact');
  const [mailboxes, rules] = await Promise.all([listMailboxes(deps.db), deps.privacyRules()]);
  const address = normaliseAddress(input.email);
  const role = addressRole(address, workspaceOwnAddresses(mailboxes), policySets(rules));
  if (role !== null) throw MessagingError.invalid(`No contact was created: ${REFUSED_ROLE[role]}`, { email: REFUSED_ROLE[role] });
  const [mirrored] = (await contactsWithAnyEmail(deps.db, [address])).sort((a, b) => (a.id < b.id ? -1 : 1));
  if (mirrored) throw alreadyAContact(mirrored.name);
  const company = input.company?.trim();
  let contact: Contact;
  try {
    contact = await crm.client.createContact({ name: input.name, email: input.email, ...(company ? { companyName: company } : {}) });
  } catch (error) {
    if (!emailTaken(error)) throw error;
    // The lookup only explains the refusal: when it fails, the refusal itself is the answer.
    const existing = (await bestEffort('look up the contact that has the address', crm.client.listContacts({ email: input.email, perPage: 1 })))?.contacts ?? [];
    if (existing.length === 0) throw error;
    await mirrorAnswered(deps, existing);
    throw alreadyAContact(existing[0]!.name);
  }
  await mirrorAnswered(deps, [contact]);
  // The mirror's copy: a replayed answer may be older than what the mirror has since read.
  const [stored] = await contactsByIds(deps.db, [contact.id]);
  return stored ?? contact;
}
