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
 * without repeats.
 */
export function toContact(contact: CrmContact): Contact {
  return {
    id: contact.id,
    name: contact.name,
    company: contact.company?.name ?? null,
    primaryEmail: contact.email,
    emails: [...new Set([contact.email, ...contact.additional_emails].map(normaliseAddress))],
    url: contact.url,
    updatedAt: Date.parse(contact.updated_at),
  };
}
