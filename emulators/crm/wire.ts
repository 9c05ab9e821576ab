import type { CrmStore, ContactRecord, CrmUser, EmailRecord, MailboxRecord } from './store';

// The CRM's JSON for its resources: schemas User, Contact, Email and Mailbox of the contract.

const iso = (ms: number) => new Date(ms).toISOString();

/** `GET /me`'s user, with the workspace and its own domains (R21). */
export function userJson(store: CrmStore, user: CrmUser) {
  return { id: user.id, name: user.name, email: user.email, workspace: store.workspace };
}

/** A contact; `origin` makes the contact's link (the sidebar shows it, R26). */
export function contactJson(store: CrmStore, contact: ContactRecord, origin: string) {
  const company = contact.companyId ? store.companies.get(contact.companyId) : undefined;
  return {
    id: contact.id,
    name: contact.name,
    company: company ? { id: company.id, name: company.name } : null,
    email: contact.primaryEmail,
    additional_emails: contact.additionalEmails,
    url: `${origin}/contacts/${encodeURIComponent(contact.id)}`,
    created_at: iso(contact.createdAt),
    updated_at: iso(contact.updatedAt),
  };
}

/** A stored email; fields the client did not send are null. */
export function emailJson(email: EmailRecord) {
  const f = email.fields;
  const address = (a: { address: string; name?: string | null }) => ({ address: a.address, name: a.name ?? null });
  return {
    id: email.id,
    message_id: f.message_id,
    mailbox: f.mailbox,
    direction: f.direction,
    // The mailbox's visibility level decides what was sent (R22).
    subject: f.subject ?? null,
    snippet: f.snippet ?? null,
    body: f.body ?? null,
    from: address(f.from),
    to: f.to.map(address),
    cc: (f.cc ?? []).map(address),
    date: iso(Date.parse(f.date)),
    thread_key: f.thread_key ?? null,
    contact_ids: email.contactIds,
    created_at: iso(email.createdAt),
    updated_at: iso(email.updatedAt),
  };
}

/** A mailbox record; optional fields never sent are null. */
export function mailboxJson(mailbox: MailboxRecord) {
  const m = mailbox.input;
  return {
    address: mailbox.address,
    purpose: m.purpose,
    kind: m.kind,
    owner: m.owner ?? null,
    status: m.status,
    recovery_note: m.recovery_note ?? null,
    display_name: m.display_name ?? null,
    provider: m.provider ?? null,
    created_at: iso(mailbox.createdAt),
    updated_at: iso(mailbox.updatedAt),
  };
}
