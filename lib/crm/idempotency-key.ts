import { canonicalJson } from './canonical-json';
import type { CrmEmailInput } from './schemas';

/*
 * Idempotency keys for CRM writes (R15, R37). The CRM replays its stored answer for a repeat with
 * the same key and the same request, and answers 409 for the same key with another request. So a
 * key must be a function of exactly what is sent: a retry (after a timeout, a dropped connection,
 * or a worker restart mid-job, R13) sends the same request and gets the replay; anything changed
 * (another contact, another visibility level) gives another key and is applied afresh, never a 409.
 * Hashing uses WebCrypto (`crypto.subtle`), which the MV3 service worker has; Node's crypto is not there.
 */

/** Lower-case hex SHA-256 of the UTF-8 text. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * The item as it is sent: contact ids without repeats and in one order, so that the same links
 * listed in another order are the same request to the CRM (its fingerprint compares arrays in order).
 */
export function canonicalEmailItem(item: CrmEmailInput): CrmEmailInput {
  return { ...item, contact_ids: [...new Set(item.contact_ids)].sort() };
}

/**
 * The key of one `POST /emails/batch`: a hash over each item's Message-ID and a hash of the whole
 * item (after `canonicalEmailItem`), in order. `scope` (e.g. the sync run's id) is mixed in so that
 * a later, separate push of an identical batch, say after an undo removed it (R18), is applied
 * again instead of being answered by the replay of the first push within the CRM's 24 h window.
 */
export async function emailBatchKey(items: readonly CrmEmailInput[], scope = ''): Promise<string> {
  const lines = await Promise.all(items.map(async (item) => `${item.message_id} ${await sha256Hex(canonicalJson(canonicalEmailItem(item)))}`));
  return `emails-v1-${await sha256Hex(`${scope}\n${lines.join('\n')}`)}`;
}

/**
 * The key of `DELETE /emails/{id}` (undo R18, wrong contact R24): the email, the contact it is
 * unlinked from (all when none), and `scope` (e.g. the undone run or the review) so that deleting a
 * link again after it was re-made is not answered by the replay of the first delete.
 */
export async function deleteEmailKey(emailId: string, contactId: string | null, scope = ''): Promise<string> {
  return `email-delete-v1-${await sha256Hex(canonicalJson([emailId, contactId, scope]))}`;
}

/** The key of `POST /contacts` (R25): the body, so a retry never creates the contact twice. */
export async function createContactKey(body: object): Promise<string> {
  return `contact-create-v1-${await sha256Hex(canonicalJson(body))}`;
}
