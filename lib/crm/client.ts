import type { AccessTokenSource } from '../auth/access-token';
import { type Contact, ProviderError, providerError } from '../domain';
import { type HttpPeer, requestJson, send } from '../http/request';
import type { RetryOptions } from '../http/retry';
import { type ContactCursor, cursorAfter, toContact } from './contacts';
import { classifyCrmError } from './errors';
import { canonicalEmailItem, createContactKey, deleteEmailKey, emailBatchKey } from './idempotency-key';
import {
  batchResponseSchema,
  contactEnvelopeSchema,
  contactPageSchema,
  type CrmContact,
  type CrmEmail,
  type CrmEmailInput,
  type CrmEmailResult,
  type CrmMailbox,
  type CrmMailboxDependencies,
  type CrmMailboxInput,
  type CrmUser,
  dependenciesResponseSchema,
  mailboxEnvelopeSchema,
  meResponseSchema,
  timelineResponseSchema,
} from './schemas';

/** The contract's batch limit for `POST /emails/batch`. */
export const EMAIL_BATCH_MAX = 100;
/** The contract's page size limit, used for mirroring. */
export const CONTACT_PAGE_MAX = 100;

export interface CrmClientOptions {
  /** The CRM's origin, e.g. `https://crm.example.com` (R8); `/public/v1` is added. */
  baseUrl: string;
  /** OAuth tokens or a personal access token (`staticToken`). */
  tokens: AccessTokenSource;
  retry?: Partial<RetryOptions>;
}

export interface ListContactsQuery {
  /** With `afterId`, the keyset cursor of the mirror (see `ContactCursor`). */
  updatedAfter?: string;
  afterId?: string;
  perPage?: number;
  /** Contacts whose primary or additional email is this one, ignoring case. */
  email?: string;
  signal?: AbortSignal;
}

/** One page of contacts, in (`updated_at`, `id`) order. */
export interface ContactsPage {
  contacts: Contact[];
  /** Points past the page's last contact; null for an empty page. */
  cursor: ContactCursor | null;
  /** Whether the CRM has more pages for this query. */
  hasMore: boolean;
  total: number;
}

/** One step of the mirror: contacts to store, and the cursor to store with them (R13, R20). */
export interface MirrorPage {
  contacts: Contact[];
  cursor: ContactCursor;
}

/** How one pushed item fared, in the order the items were given. */
export type PushResult = CrmEmailResult;

export interface PushOptions {
  /**
   * Mixed into each batch's key; pass the sync run's id. Retries within the run replay; a later
   * run pushing the same items (say after an undo, R18) is applied afresh. See `emailBatchKey`.
   */
  scope?: string;
  signal?: AbortSignal;
}

export interface DeleteEmailOptions {
  /** Unlink from this contact only (R24); without it the email goes for every contact (R18). */
  contactId?: string;
  /** Mixed into the key, e.g. the undone run's id or the review's; see `deleteEmailKey`. */
  scope?: string;
  signal?: AbortSignal;
}

/** The CRM API of the contract (R37), as the background uses it. */
export interface CrmClient {
  /** The user behind the token and the workspace's own domains. */
  me(signal?: AbortSignal): Promise<CrmUser>;
  /** One page of contacts, sorted by `updated_at` then `id`, ascending. */
  listContacts(query?: ListContactsQuery): Promise<ContactsPage>;
  /**
   * Every contact after `cursor` (all of them when null), a page of up to 100 at a time, each
   * with the cursor to store once the page is stored (R20: full list once, then increments).
   * Pages are fetched by keyset (`updated_after` + `after_id`), not by page number, so contacts
   * changed while the walk runs are neither skipped nor served twice in one walk.
   */
  contactsSince(cursor: ContactCursor | null, signal?: AbortSignal): AsyncGenerator<MirrorPage, void, undefined>;
  /** Creates a contact the user asked for (R25); never called automatically. */
  createContact(input: { name: string; email: string; companyName?: string }, signal?: AbortSignal): Promise<Contact>;
  getContact(id: string, signal?: AbortSignal): Promise<Contact>;
  /**
   * Upserts emails by Message-ID in batches of up to 100, each under a key derived from its
   * items (R15), and answers one result per item, in order. Items naming an unknown contact come
   * back as `status: 'error'`; the others are stored.
   */
  pushEmails(items: readonly CrmEmailInput[], options?: PushOptions): Promise<PushResult[]>;
  /** Deletes an email or one contact's link to it; false when the CRM has no such email or link. */
  deleteEmail(emailId: string, options?: DeleteEmailOptions): Promise<boolean>;
  /** The contact's recent emails, newest first (sidebar). `limit` is 1–100. */
  timeline(contactId: string, limit: number, signal?: AbortSignal): Promise<CrmEmail[]>;
  /** Creates or replaces the CRM's record of a mailbox (R5, R6). */
  putMailbox(address: string, input: CrmMailboxInput, signal?: AbortSignal): Promise<CrmMailbox>;
  /** Forgets the mailbox's record (R34); false when the CRM had none. Pushed emails stay. */
  deleteMailbox(address: string, signal?: AbortSignal): Promise<boolean>;
  /** What in the CRM relies on the mailbox, shown before a disconnect (R34). */
  mailboxDependencies(address: string, signal?: AbortSignal): Promise<CrmMailboxDependencies>;
}

/**
 * A client for any CRM that implements `lib/crm/openapi.yaml`. Every request goes through the
 * shared `send`: bearer token, one renewal on 401, retries with backoff and `Retry-After`, and
 * `classifyCrmError` for the rest. Every write carries an `Idempotency-Key`.
 */
export function createCrmClient(options: CrmClientOptions): CrmClient {
  const root = `${options.baseUrl.replace(/\/+$/, '')}/public/v1`;
  const origin = new URL(options.baseUrl).origin;
  const contact = (data: CrmContact) => toContact(data, origin);
  const peer: HttpPeer = { source: 'crm', tokens: options.tokens, classify: classifyCrmError, retry: options.retry };
  const url = (path: string, query: Record<string, string | number | undefined> = {}) => {
    const target = new URL(`${root}${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) target.searchParams.set(name, String(value));
    return target.toString();
  };
  const jsonBody = (key: string, body: unknown) => ({
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  });
  /** A write with no answer body (204); a 404 means there was nothing to remove. */
  const remove = async (target: string, key: string, signal?: AbortSignal) => {
    try {
      await send(peer, { url: target, method: 'DELETE', headers: { 'idempotency-key': key }, signal });
      return true;
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found') return false;
      throw error;
    }
  };

  const listContacts: CrmClient['listContacts'] = async (query = {}) => {
    const page = await requestJson(peer, {
      url: url('/contacts', {
        sort_by: 'updated_at',
        sort_direction: 'asc',
        updated_after: query.updatedAfter,
        after_id: query.afterId,
        email: query.email,
        per_page: query.perPage,
      }),
      schema: contactPageSchema,
      signal: query.signal,
    });
    const last = page.data.at(-1);
    return { contacts: page.data.map(contact), cursor: last ? cursorAfter(last) : null, hasMore: page.links.next !== null, total: page.meta.total };
  };

  return {
    me: async (signal) => (await requestJson(peer, { url: url('/me'), schema: meResponseSchema, signal })).data,

    listContacts,

    async *contactsSince(cursor, signal) {
      let from = cursor;
      for (;;) {
        const page = await listContacts({ updatedAfter: from?.updatedAfter, afterId: from?.afterId, perPage: CONTACT_PAGE_MAX, signal });
        if (!page.cursor) return;
        from = page.cursor;
        yield { contacts: page.contacts, cursor: page.cursor };
        if (!page.hasMore) return;
      }
    },

    async createContact(input, signal) {
      const body = { name: input.name, email: input.email, ...(input.companyName ? { company_name: input.companyName } : {}) };
      const answer = await requestJson(peer, { url: url('/contacts'), method: 'POST', ...jsonBody(await createContactKey(body), body), schema: contactEnvelopeSchema, signal });
      return contact(answer.data);
    },

    getContact: async (id, signal) => contact((await requestJson(peer, { url: url(`/contacts/${encodeURIComponent(id)}`), schema: contactEnvelopeSchema, signal })).data),

    async pushEmails(items, pushOptions = {}) {
      const results: PushResult[] = [];
      for (let start = 0; start < items.length; start += EMAIL_BATCH_MAX) {
        const batch = items.slice(start, start + EMAIL_BATCH_MAX).map(canonicalEmailItem);
        const key = await emailBatchKey(batch, pushOptions.scope);
        const answer = await requestJson(peer, { url: url('/emails/batch'), method: 'POST', ...jsonBody(key, { emails: batch }), schema: batchResponseSchema, signal: pushOptions.signal });
        // Results are matched to items by position, and undo deletes by the ids they carry: an
        // answer out of order would attach ids to the wrong emails.
        if (answer.results.length !== batch.length || answer.results.some((result, index) => result.message_id !== batch[index]!.message_id)) {
          throw providerError('bad_response', 'crm', { detail: `It answered ${answer.results.length} results for ${batch.length} emails, not one per email in order.` });
        }
        results.push(...answer.results);
      }
      return results;
    },

    async deleteEmail(emailId, deleteOptions = {}) {
      const key = await deleteEmailKey(emailId, deleteOptions.contactId ?? null, deleteOptions.scope);
      return remove(url(`/emails/${encodeURIComponent(emailId)}`, { contact_id: deleteOptions.contactId }), key, deleteOptions.signal);
    },

    timeline: async (contactId, limit, signal) =>
      (await requestJson(peer, { url: url(`/contacts/${encodeURIComponent(contactId)}/emails`, { limit }), schema: timelineResponseSchema, signal })).data,

    // Mailbox writes get a fresh key per call: a replace or a delete is idempotent by nature, and a
    // key derived from the content would, within the CRM's 24 h window, answer "connected → paused
    // → connected" with the stored answer of the first call and leave the record paused.
    async putMailbox(address, input, signal) {
      const answer = await requestJson(peer, { url: url(`/mailboxes/${encodeURIComponent(address)}`), method: 'PUT', ...jsonBody(`mailbox-put-${crypto.randomUUID()}`, input), schema: mailboxEnvelopeSchema, signal });
      return answer.data;
    },

    deleteMailbox: (address, signal) => remove(url(`/mailboxes/${encodeURIComponent(address)}`), `mailbox-delete-${crypto.randomUUID()}`, signal),

    mailboxDependencies: async (address, signal) =>
      (await requestJson(peer, { url: url(`/mailboxes/${encodeURIComponent(address)}/dependencies`), schema: dependenciesResponseSchema, signal })).data,
  };
}
