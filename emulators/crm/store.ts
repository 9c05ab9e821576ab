import type { SeedCompany, SeedContact, World } from '../seed/types';
import { canonicalJson } from './canonical';
import type { EmailInput, MailboxInput } from './schemas';

/** A CRM user: one per personal mailbox of the world (the reps). */
export interface CrmUser {
  id: string;
  name: string;
  email: string;
}

export type CompanyRecord = Pick<SeedCompany, 'id' | 'name'>;
export type ContactRecord = SeedContact;

export interface EmailRecord {
  id: string;
  /** The item exactly as the last upsert sent it. */
  fields: EmailInput;
  /** Starts as `fields.contact_ids`; a `DELETE ?contact_id=` removes one. */
  contactIds: string[];
  createdAt: number;
  updatedAt: number;
}

export interface MailboxRecord {
  address: string;
  input: MailboxInput;
  createdAt: number;
  updatedAt: number;
}

export interface NamedRef {
  id: string;
  name: string;
}
export interface Dependencies {
  workflows: NamedRef[];
  templates: NamedRef[];
}

export type UpsertOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; email: EmailRecord }
  | { status: 'error'; unknownContacts: string[] };

const lower = (value: string) => value.toLowerCase();
/** Ids order by code units: one total order shared by sorting and `after_id`. */
export const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Everything the CRM holds for one world. */
export class CrmStore {
  users: CrmUser[] = [];
  workspace = { id: 'ws-acme', name: 'Acme Sales', domains: [] as string[] };
  readonly companies = new Map<string, CompanyRecord>();
  readonly contacts = new Map<string, ContactRecord>();
  readonly emails = new Map<string, EmailRecord>();
  private readonly emailByMessageId = new Map<string, string>();
  /** Batch items applied per Message-ID, kept across deletes: "pushed once" reads 1. */
  readonly pushes = new Map<string, number>();
  readonly mailboxes = new Map<string, MailboxRecord>();
  readonly dependencies = new Map<string, Dependencies>();
  private nextId = { contact: 1, company: 1, email: 1 };

  /** Loads the world's users, companies and contacts; emails and mailbox records start over. */
  reset(world: World): void {
    this.users = world.mailboxes.filter((m) => m.kind === 'personal').map((m) => ({ id: `usr-${m.id}`, name: m.displayName, email: m.address }));
    this.workspace = { ...this.workspace, domains: [...world.policy.workspaceDomains] };
    for (const map of [this.companies, this.contacts, this.emails, this.emailByMessageId, this.pushes, this.mailboxes, this.dependencies]) map.clear();
    for (const company of world.companies) this.companies.set(company.id, { id: company.id, name: company.name });
    for (const contact of world.contacts) this.contacts.set(contact.id, structuredClone(contact));
    this.nextId = { contact: world.contacts.length + 1, company: world.companies.length + 1, email: 1 };
    this.seedSharedMailboxes(world);
  }

  /** The world's shared inboxes are already known to the CRM, with workflows that rely on them (R34). */
  private seedSharedMailboxes(world: World): void {
    const owner = this.users[0]?.email ?? null;
    for (const mailbox of world.mailboxes.filter((m) => m.kind === 'shared')) {
      const at = world.options.now - 90 * 86_400_000;
      this.mailboxes.set(lower(mailbox.address), {
        address: mailbox.address,
        input: {
          purpose: mailbox.scope,
          kind: 'shared',
          owner,
          status: 'connected',
          recovery_note: 'Password and recovery codes are in the team vault; IT resets access.',
          display_name: mailbox.displayName,
          provider: mailbox.provider,
        },
        createdAt: at,
        updatedAt: at,
      });
      this.dependencies.set(lower(mailbox.address), {
        workflows: [
          { id: `wf-${mailbox.id}-1`, name: `Auto-reply to new ${mailbox.scope} requests` },
          { id: `wf-${mailbox.id}-2`, name: 'Escalate unanswered mail after 24 h' },
        ],
        templates: [{ id: `tpl-${mailbox.id}-1`, name: `${mailbox.displayName}: first response` }],
      });
    }
  }

  userByEmail(email: string): CrmUser | undefined {
    return this.users.find((u) => lower(u.email) === lower(email));
  }

  /** Contacts having `email` as primary or additional address, ignoring case. */
  contactsWithEmail(email: string): ContactRecord[] {
    const wanted = lower(email.trim());
    return [...this.contacts.values()].filter((c) => lower(c.primaryEmail) === wanted || c.additionalEmails.some((e) => lower(e) === wanted));
  }

  /** The company of that name (ignoring case), created when there is none. */
  companyNamed(name: string): CompanyRecord {
    const found = [...this.companies.values()].find((c) => lower(c.name) === lower(name));
    if (found) return found;
    const company = { id: `co-${this.nextId.company++}`, name };
    this.companies.set(company.id, company);
    return company;
  }

  addContact(fields: Pick<ContactRecord, 'name' | 'primaryEmail' | 'additionalEmails' | 'companyId'>, now: number): ContactRecord {
    const contact: ContactRecord = { id: `ct-${this.nextId.contact++}`, ...fields, createdAt: now, updatedAt: now };
    this.contacts.set(contact.id, contact);
    return contact;
  }

  /** Stores one batch item by Message-ID; unknown contacts make it an error that stores nothing. */
  upsertEmail(input: EmailInput, now: number): UpsertOutcome {
    const unknownContacts = input.contact_ids.filter((id) => !this.contacts.has(id));
    if (unknownContacts.length > 0) return { status: 'error', unknownContacts };
    this.pushes.set(input.message_id, (this.pushes.get(input.message_id) ?? 0) + 1);

    const existingId = this.emailByMessageId.get(input.message_id);
    const existing = existingId ? this.emails.get(existingId) : undefined;
    if (!existing) {
      const email: EmailRecord = { id: `em-${this.nextId.email++}`, fields: input, contactIds: [...input.contact_ids], createdAt: now, updatedAt: now };
      this.emails.set(email.id, email);
      this.emailByMessageId.set(input.message_id, email.id);
      return { status: 'created', email };
    }
    const current = canonicalJson({ ...existing.fields, contact_ids: existing.contactIds });
    if (current === canonicalJson(input)) return { status: 'unchanged', email: existing };
    existing.fields = input;
    existing.contactIds = [...input.contact_ids];
    existing.updatedAt = now;
    return { status: 'updated', email: existing };
  }

  /** Deletes an email, or only its link to `contactId` (the email goes with its last link). */
  deleteEmail(id: string, contactId?: string): boolean {
    const email = this.emails.get(id);
    if (!email) return false;
    if (contactId !== undefined) {
      if (!email.contactIds.includes(contactId)) return false;
      email.contactIds = email.contactIds.filter((c) => c !== contactId);
      if (email.contactIds.length > 0) return true;
    }
    this.emails.delete(id);
    this.emailByMessageId.delete(email.fields.message_id);
    return true;
  }

  /** The contact's emails, newest first. */
  timeline(contactId: string, limit: number): EmailRecord[] {
    return [...this.emails.values()]
      .filter((e) => e.contactIds.includes(contactId))
      .sort((a, b) => Date.parse(b.fields.date) - Date.parse(a.fields.date) || compareIds(b.id, a.id))
      .slice(0, limit);
  }

  putMailbox(address: string, input: MailboxInput, now: number): { mailbox: MailboxRecord; created: boolean } {
    const existing = this.mailboxes.get(lower(address));
    const mailbox = { address: existing?.address ?? address, input, createdAt: existing?.createdAt ?? now, updatedAt: now };
    this.mailboxes.set(lower(address), mailbox);
    return { mailbox, created: !existing };
  }

  mailbox(address: string): MailboxRecord | undefined {
    return this.mailboxes.get(lower(address));
  }

  deleteMailbox(address: string): boolean {
    return this.mailboxes.delete(lower(address));
  }

  dependenciesOf(address: string): Dependencies {
    return this.dependencies.get(lower(address)) ?? { workflows: [], templates: [] };
  }
}
