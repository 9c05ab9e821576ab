import type { Contact } from '../domain';
import { normaliseAddress } from '../matching/address';
import type { CrmContact } from './schemas';

/**
 * Where the contact mirror stopped (R20): the last contact seen, in the CRM's (`updated_at`, `id`)
 * order. Sent back as `updated_after` + `after_id`, it asks for what comes after that pair, so
 * contacts sharing a timestamp are never skipped. `updatedAfter` is kept as the CRM wrote it.
 */
export interface ContactCursor {
  updatedAfter: string;
  afterId: string;
}

/** The cursor that points just past `contact`. */
export function cursorAfter(contact: CrmContact): ContactCursor {
  return { updatedAfter: contact.updated_at, afterId: contact.id };
}

/**
 * A CRM contact as the local mirror keeps it (R19, R20): the company by name, the primary email
 * as typed (for display) and every address, primary and additional, normalised for matching and
 * without repeats. The link to the contact is kept only on the CRM's own origin (`crmOrigin`,
 * e.g. `https://crm.example.com`): the UI shows it as the CRM, so a link elsewhere (a look-alike
 * login page) is dropped.
 */
export function toContact(contact: CrmContact, crmOrigin: string): Contact {
  return {
    id: contact.id,
    name: contact.name,
    company: contact.company?.name ?? null,
    primaryEmail: contact.email,
    emails: [...new Set([contact.email, ...contact.additional_emails].map(normaliseAddress))],
    url: contactLink(contact.url, crmOrigin),
    updatedAt: Date.parse(contact.updated_at),
  };
}

/** The contact's link when it is on the CRM's origin (scheme, host and port), else null. */
export function contactLink(url: string, crmOrigin: string): string | null {
  try {
    return new URL(url).origin === new URL(crmOrigin).origin ? url : null;
  } catch {
    // Not a URL at all: no link.
    return null;
  }
}
