import { z } from 'zod';
import { type ContactCursor } from '../../crm';
import { advanceCheckpoint, atomically, clearContacts, contactsByIds, forgetOtherMirrorCheckpoints, getCheckpoint, listMailboxes, type MailboxCrmDatabase, messagesWithParticipants, putContacts, seqOf } from '../../db';
import type { Contact, Mailbox } from '../../domain';
import { normaliseAddress } from '../../matching/address';
import { reDecide } from '../re-decide';
import { type PolicySets, policySets } from '../../matching/skip-rules';
import type { EngineDeps } from '../engine-deps';
import { verdictsOf } from '../../db';

/** The checkpoint "mailbox" of the contact mirror of one CRM: a new CRM starts a new mirror. */
function mirrorLane(baseUrl: string): string {
  return `crm:${baseUrl}`;
}

const cursorSchema = z.object({ updatedAfter: z.string(), afterId: z.string() });

/** The mirror run in progress per database: runs in one worker take turns (see `mirrorContacts`). */
const mirrorRuns = new WeakMap<MailboxCrmDatabase, Promise<void>>();

/**
 * Mirrors the CRM's contacts (R20): the whole list once, then only what changed since
 * (`updated_after`), a page at a time, each page stored with its cursor in one transaction. A
 * contact that is new, or has gained an address, retro-matches the stored messages of every
 * mailbox (R21a): see `retroMatch`. Contacts are only read, never created (R25).
 *
 * The CRM lane's contacts job and a backfill's refresh both call this; two runs at once would
 * page from the same cursor and the second to commit would find it moved. So a run waits for the
 * one in progress (whose caller gets its outcome), then mirrors what changed since.
 */
export function mirrorContacts(deps: EngineDeps, signal?: AbortSignal): Promise<void> {
  const previous = mirrorRuns.get(deps.db);
  const run = (async () => {
    // Only the end of the previous run matters here; its outcome is its own caller's.
    if (previous) await Promise.allSettled([previous]);
    await mirrorOnce(deps, signal);
  })();
  mirrorRuns.set(deps.db, run);
  return run;
}

async function mirrorOnce(deps: EngineDeps, signal?: AbortSignal): Promise<void> {
  const crm = await deps.crm();
  if (!crm) return;
  const { db } = deps;
  const lane = mirrorLane(crm.baseUrl);
  await forgetOtherMirrors(db, lane);
  const stored = await getCheckpoint(db, lane, 'contacts');
  const from = stored?.cursor ? cursorSchema.parse(JSON.parse(stored.cursor)) : null;
  let seq = seqOf(stored);
  for await (const page of crm.client.contactsSince(from as ContactCursor | null, signal)) {
    // Read per page: rules saved while the mirror walks the CRM apply to the next page's retro-match.
    const context = await retroMatchContext(deps);
    await atomically(db, ['contacts', 'checkpoints', 'messages', 'verdicts', 'outbox', 'syncRuns', 'threadLinks', 'mailboxes'], async () => {
      const step = await advanceCheckpoint(db, { mailboxId: lane, job: 'contacts', cursor: JSON.stringify(page.cursor), progress: {} }, seq, context.now);
      if ('stale' in step) throw new Error('The contact mirror was advanced by another run at the same time.');
      seq = step.advanced.seq;
      await storeAndRetroMatch(db, page.contacts, context);
    });
  }
}

/**
 * Stores contacts the CRM has just answered outside the mirror's walk (one the user created, R25,
 * or the one the CRM says already has an address) and retro-matches every mailbox's stored
 * messages for the addresses they add (R21a), in one transaction. A copy older than the mirror's
 * is left out: the CRM may replay an earlier answer under the same idempotency key.
 *
 * The mirror's cursor stays where it is: it says every contact changed up to that point is
 * mirrored, and moving it to this contact would skip what others changed in between. The next
 * walk reads this contact again (its `updated_at` is after the cursor) and stores the same copy,
 * which gains no address, so nothing is retro-matched twice.
 */
export async function mirrorAnswered(deps: EngineDeps, contacts: readonly Contact[]): Promise<void> {
  const { db } = deps;
  const context = await retroMatchContext(deps);
  await atomically(db, ['contacts', 'messages', 'verdicts', 'outbox', 'syncRuns', 'threadLinks', 'mailboxes'], async () => {
    const stored = new Map((await contactsByIds(db, contacts.map((c) => c.id))).map((c) => [c.id, c]));
    await storeAndRetroMatch(db, contacts.filter((c) => (stored.get(c.id)?.updatedAt ?? Number.NEGATIVE_INFINITY) <= c.updatedAt), context);
  });
}

/** What a retro-match needs, read before the transaction: the privacy rules, the time and every mailbox. */
interface RetroMatchContext {
  policy: PolicySets;
  now: number;
  mailboxes: Mailbox[];
}

async function retroMatchContext(deps: EngineDeps): Promise<RetroMatchContext> {
  const [rules, mailboxes] = await Promise.all([deps.privacyRules(), listMailboxes(deps.db)]);
  return { policy: policySets(rules), now: deps.now(), mailboxes };
}

/** Stores contacts in the mirror and retro-matches every mailbox for the addresses they add; inside the caller's transaction. */
async function storeAndRetroMatch(db: MailboxCrmDatabase, contacts: readonly Contact[], { policy, now, mailboxes }: RetroMatchContext): Promise<void> {
  const gained = await gainedAddresses(db, contacts);
  await putContacts(db, contacts);
  for (const mailbox of mailboxes) await retroMatch(db, mailbox, gained, policy, now);
}

/** A new CRM (another base URL) replaces the mirror of the previous one. */
async function forgetOtherMirrors(db: MailboxCrmDatabase, lane: string): Promise<void> {
  await atomically(db, ['checkpoints', 'contacts'], async () => {
    if (await forgetOtherMirrorCheckpoints(db, lane)) await clearContacts(db);
  });
}

/** The addresses the page's contacts have that the mirror did not have for them. */
async function gainedAddresses(db: MailboxCrmDatabase, contacts: readonly Contact[]): Promise<string[]> {
  const before = new Map((await contactsByIds(db, contacts.map((c) => c.id))).map((c) => [c.id, c]));
  const gained = new Set<string>();
  contacts.forEach((contact) => {
    const old = new Set(before.get(contact.id)?.emails ?? []);
    for (const email of contact.emails) if (!old.has(email)) gained.add(normaliseAddress(email));
  });
  return [...gained];
}

/**
 * Retro-match (R21a): stored messages of `mailbox` with a participant among `addresses` that were
 * skipped for want of a contact are decided again (`reDecide`); those that now match are queued,
 * their content read again only when the visibility needs more than the stored metadata.
 */
async function retroMatch(db: MailboxCrmDatabase, mailbox: Mailbox, addresses: readonly string[], policy: PolicySets, now: number): Promise<void> {
  if (addresses.length === 0) return;
  const messages = await messagesWithParticipants(db, mailbox.id, addresses);
  if (messages.length === 0) return;
  const verdicts = await verdictsOf(db, mailbox.id, messages.map((m) => m.providerId));
  const unmatched = new Set(verdicts.filter((v) => v.reason === 'no_contact').map((v) => v.providerId));
  await reDecide(db, { mailbox, messages: messages.filter((m) => unmatched.has(m.providerId)), policy, now, revive: false });
}
