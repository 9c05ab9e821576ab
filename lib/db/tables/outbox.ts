import Dexie from 'dexie';
import { type CrmEmailInput, type Visibility, VISIBILITY_RANK } from '../../domain';
import type { MailboxCrmDatabase } from '../database';
import { type OutboxEntry, outboxEntrySchema } from '../rows';

/** A pending or past CRM write by its key, validated. */
export async function getOutboxEntry(db: MailboxCrmDatabase, idempotencyKey: string): Promise<OutboxEntry | undefined> {
  const row = await db.outbox.get(idempotencyKey);
  return row && outboxEntrySchema.parse(row);
}

/** Pending writes whose next attempt is due at `now`, earliest first, at most `limit`. */
export async function dueOutboxEntries(db: MailboxCrmDatabase, now: number, limit: number): Promise<OutboxEntry[]> {
  const rows = await db.outbox.where('[status+nextAttemptAt]').between(['pending', Dexie.minKey], ['pending', now], true, true).limit(limit).toArray();
  return rows.map((row) => outboxEntrySchema.parse(row));
}

/** The entries of a batch being sent (see `OutboxEntry.batchId`), in key order. */
export async function batchEntries(db: MailboxCrmDatabase, batchId: string): Promise<OutboxEntry[]> {
  const rows = await db.outbox.where('batchId').equals(batchId).sortBy('idempotencyKey');
  return rows.map((row) => outboxEntrySchema.parse(row));
}

/** Every entry a run queued, validated (undo R18, review R24). */
export async function outboxOfRun(db: MailboxCrmDatabase, runId: string): Promise<OutboxEntry[]> {
  const rows = await db.outbox.where('runId').equals(runId).toArray();
  return rows.map((row) => outboxEntrySchema.parse(row));
}

/** Entries by key, validated; a key with none is left out. */
export async function outboxEntries(db: MailboxCrmDatabase, keys: readonly string[]): Promise<OutboxEntry[]> {
  const rows = await db.outbox.bulkGet([...keys]);
  return rows.filter((row) => row !== undefined).map((row) => outboxEntrySchema.parse(row));
}

/** Stores changed entries, validated. */
export async function putOutboxEntries(db: MailboxCrmDatabase, entries: readonly OutboxEntry[]): Promise<void> {
  await db.outbox.bulkPut(entries.map((entry) => outboxEntrySchema.parse(entry)));
}

/** One copy of a message that may be pushed, as a page (or a retro-match, or a link) found it. */
export interface OutboxOffer {
  idempotencyKey: string;
  mailboxId: string;
  providerId: string;
  messageId: string | null;
  contactIds: readonly string[];
  runId: string;
  visibility: Visibility;
  /** Built from the copy at `visibility`; null when its content must be read again first. */
  payload: CrmEmailInput | null;
}

/**
 * What became of an offer:
 * - `queued`: a new write, or one revived (cancelled or refused before, now allowed again);
 * - `merged`: another copy that adds contacts or a wider visibility to a write, pending or done:
 *   the CRM gets the union (one more write when it was already done);
 * - `seen`: the same copy read again, nothing new;
 * - `duplicate`: another mailbox's copy of a message already queued or pushed, nothing new (R15);
 * - `undone`: the user undid its push (R18); it is not pushed again unless they ask.
 */
export type OfferOutcome = 'queued' | 'merged' | 'seen' | 'duplicate' | 'undone';

/** Sorted union of contact ids. */
function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function fresh(offer: OutboxOffer, now: number): OutboxEntry {
  return {
    idempotencyKey: offer.idempotencyKey,
    mailboxId: offer.mailboxId,
    mailboxIds: [offer.mailboxId],
    providerId: offer.providerId,
    messageId: offer.messageId,
    contactIds: union([], offer.contactIds),
    runId: offer.runId,
    status: 'pending',
    payload: offer.payload,
    visibility: offer.visibility,
    batchId: null,
    sending: null,
    attempts: 0,
    nextAttemptAt: now,
    pushed: null,
    crmEmailId: null,
    lastError: null,
    createdAt: now,
  };
}

/** The offer's copy becomes the entry's source: its payload, its visibility. */
function takeSource(entry: OutboxEntry, offer: OutboxOffer): OutboxEntry {
  return { ...entry, mailboxId: offer.mailboxId, providerId: offer.providerId, payload: offer.payload, visibility: offer.visibility };
}

/** One offer against the entry stored under its key: the entry to store (or none) and the outcome. */
export function mergeOffer(entry: OutboxEntry | undefined, offer: OutboxOffer, now: number): { next: OutboxEntry | null; outcome: OfferOutcome } {
  if (!entry) return { next: fresh(offer, now), outcome: 'queued' };
  if (entry.status === 'undone') return { next: null, outcome: 'undone' };
  const mailboxIds = entry.mailboxIds.includes(offer.mailboxId) ? entry.mailboxIds : [...entry.mailboxIds, offer.mailboxId];
  const known = entry.mailboxIds.includes(offer.mailboxId) ? 'seen' : 'duplicate';
  if (entry.status === 'cancelled' || entry.status === 'failed') {
    return { next: { ...fresh(offer, now), mailboxIds, runId: offer.runId, createdAt: entry.createdAt, contactIds: union([], offer.contactIds) }, outcome: 'queued' };
  }
  if (entry.status === 'pending') {
    const contactIds = union(entry.contactIds, offer.contactIds);
    const wider = VISIBILITY_RANK[offer.visibility] > VISIBILITY_RANK[entry.visibility] || (offer.mailboxId === entry.mailboxId && offer.payload !== null && entry.payload === null);
    const base = wider ? takeSource(entry, offer) : entry;
    const changed = wider || contactIds.length !== entry.contactIds.length || mailboxIds !== entry.mailboxIds;
    return { next: changed ? { ...base, mailboxIds, contactIds } : null, outcome: contactIds.length !== entry.contactIds.length || VISIBILITY_RANK[offer.visibility] > VISIBILITY_RANK[entry.visibility] ? 'merged' : known };
  }
  // Sent: the CRM has `pushed`. A copy adding nothing is a duplicate; one adding contacts or a
  // wider visibility is written again, as an update of the same CRM email.
  const pushed = entry.pushed ?? { contactIds: entry.contactIds, visibility: entry.visibility, at: now };
  const contactIds = union(pushed.contactIds, offer.contactIds);
  const wider = VISIBILITY_RANK[offer.visibility] > VISIBILITY_RANK[pushed.visibility];
  if (!wider && contactIds.length === pushed.contactIds.length) {
    return { next: mailboxIds === entry.mailboxIds ? null : { ...entry, mailboxIds }, outcome: known };
  }
  // A narrower copy only adds contacts: the source's content is read again at its own visibility.
  const base = wider ? takeSource(entry, offer) : { ...entry, payload: null };
  return { next: { ...base, mailboxIds, contactIds, status: 'pending', attempts: 0, nextAttemptAt: now, lastError: null }, outcome: 'merged' };
}

/**
 * Offers CRM writes (R13, R15), in one transaction with the caller's: each is merged into the entry
 * of its key (see `mergeOffer`). Returns the outcome of each offer, in order.
 */
export async function offerOutboxEntries(db: MailboxCrmDatabase, offers: readonly OutboxOffer[], now: number): Promise<OfferOutcome[]> {
  return db.transaction('rw', db.outbox, async () => {
    const keys = [...new Set(offers.map((offer) => offer.idempotencyKey))];
    const stored = new Map<string, OutboxEntry | undefined>();
    (await db.outbox.bulkGet(keys)).forEach((row, index) => stored.set(keys[index]!, row && outboxEntrySchema.parse(row)));
    const changed = new Map<string, OutboxEntry>();
    const outcomes = offers.map((offer) => {
      const { next, outcome } = mergeOffer(stored.get(offer.idempotencyKey), offer, now);
      if (next) {
        stored.set(offer.idempotencyKey, next);
        changed.set(offer.idempotencyKey, next);
      }
      return outcome;
    });
    await putOutboxEntries(db, [...changed.values()]);
    return outcomes;
  });
}

/**
 * A mailbox's copies left what may be pushed (moved to trash, deleted, "don't sync"; R21): a write
 * not yet done loses that source, and is cancelled when no source is left. Done writes stay in the
 * CRM: only the user undoes a push. So a pending update of a write already done (`pushed`) whose
 * last source leaves goes back to `sent` as the CRM holds it, where undo still finds it (R18).
 * Returns how many writes were cancelled.
 */
export async function withdrawOutboxSources(db: MailboxCrmDatabase, mailboxId: string, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  return db.transaction('rw', db.outbox, async () => {
    let cancelled = 0;
    const entries = await outboxEntries(db, keys);
    const changed: OutboxEntry[] = [];
    for (const entry of entries) {
      if (entry.status !== 'pending' || !entry.mailboxIds.includes(mailboxId)) continue;
      const rest = entry.mailboxIds.filter((id) => id !== mailboxId);
      if (rest.length === 0 && entry.pushed) {
        changed.push({ ...entry, status: 'sent', contactIds: entry.pushed.contactIds, visibility: entry.pushed.visibility, payload: null });
      } else if (rest.length === 0) {
        changed.push({ ...entry, status: 'cancelled', payload: null });
        cancelled++;
      } else {
        changed.push(entry.mailboxId === mailboxId ? { ...entry, mailboxIds: rest, mailboxId: rest[0]!, payload: null } : { ...entry, mailboxIds: rest });
      }
    }
    await putOutboxEntries(db, changed);
    return cancelled;
  });
}

/** How many writes are pending, and how many of them are due at `now`. */
export async function pendingOutbox(db: MailboxCrmDatabase, now: number): Promise<{ pending: number; due: number }> {
  const index = db.outbox.where('[status+nextAttemptAt]');
  const [pending, due] = await Promise.all([
    index.between(['pending', Dexie.minKey], ['pending', Dexie.maxKey], true, true).count(),
    index.between(['pending', Dexie.minKey], ['pending', now], true, true).count(),
  ]);
  return { pending, due };
}

/** Every pending write, due or not, validated (privacy rules applied again, R21). */
export async function pendingOutboxEntries(db: MailboxCrmDatabase): Promise<OutboxEntry[]> {
  const rows = await db.outbox.where('[status+nextAttemptAt]').between(['pending', Dexie.minKey], ['pending', Dexie.maxKey], true, true).toArray();
  return rows.map((row) => outboxEntrySchema.parse(row));
}

/**
 * How many pending writes only this mailbox holds a copy of: a disconnect drops them unpushed,
 * while a write another mailbox also holds stays for it (see `deleteMailboxAndData`, R34).
 */
export async function pendingOnlyFrom(db: MailboxCrmDatabase, mailboxId: string): Promise<number> {
  return db.outbox
    .where('mailboxIds')
    .equals(mailboxId)
    .filter((entry) => entry.status === 'pending' && entry.mailboxIds.every((id) => id === mailboxId))
    .count();
}

/** The id of a batch fixed for sending and not yet answered, if any (see `OutboxEntry.batchId`). */
export async function openBatchId(db: MailboxCrmDatabase): Promise<string | null> {
  const row = await db.outbox.where('batchId').above('').first();
  return row?.batchId ?? null;
}

/** Releases a batch whose entries no longer need sending. */
export async function releaseBatch(db: MailboxCrmDatabase, batchId: string): Promise<void> {
  await db.outbox.where('batchId').equals(batchId).modify({ batchId: null, sending: null });
}

/**
 * A mailbox's visibility changed to `visibility` (R22): its writes not yet made follow the new
 * level. Every pending write whose content comes from this mailbox is rebuilt: its payload is
 * dropped and read again at the new level when it is drained (see `runOutbox`), so a lowered level
 * never sends what it no longer allows, and a raised one applies to everything pushed from then
 * on. A pending update of a write already done that adds nothing at the lower level goes back to
 * `sent` as the CRM holds it.
 *
 * Frozen batches (`batchId`) are replays of a request the CRM may already have applied. When the
 * level is lowered and a frozen batch would carry more of this mailbox's mail than the new level
 * allows, the batch is released and rebuilt rather than resent: what already reached the CRM is
 * there anyway, and what did not never leaves at the old level. (A request on the wire at this
 * moment has left; nothing can call it back.) Raising leaves frozen batches as they are: they
 * carry less, never more. Runs inside the caller's transaction when there is one. Returns how
 * many writes were rebuilt.
 */
export async function rebuildOutboxForVisibility(db: MailboxCrmDatabase, mailboxId: string, visibility: Visibility): Promise<number> {
  return db.transaction('rw', db.outbox, async () => {
    const above = (level: Visibility) => VISIBILITY_RANK[level] > VISIBILITY_RANK[visibility];
    const lowering = (entry: OutboxEntry) => above(entry.visibility) || (entry.sending !== null && above(entry.sending.visibility));
    const ofMailbox = async () => (await db.outbox.where('mailboxIds').equals(mailboxId).toArray()).map((row) => outboxEntrySchema.parse(row)).filter((e) => e.status === 'pending' && e.mailboxId === mailboxId);
    const tooWide = new Set((await ofMailbox()).flatMap((e) => (e.batchId !== null && e.sending !== null && above(e.sending.visibility) ? [e.batchId] : [])));
    for (const batchId of tooWide) await releaseBatch(db, batchId);
    const changed = (await ofMailbox())
      .filter((e) => e.visibility !== visibility && (e.batchId === null || lowering(e)))
      .map((e): OutboxEntry => {
        const pushed = e.pushed;
        const nothingMore = pushed !== null && e.contactIds.every((id) => pushed.contactIds.includes(id)) && VISIBILITY_RANK[visibility] <= VISIBILITY_RANK[pushed.visibility];
        if (nothingMore && e.batchId === null) return { ...e, status: 'sent', contactIds: pushed.contactIds, visibility: pushed.visibility, payload: null };
        return { ...e, payload: null, visibility };
      });
    await putOutboxEntries(db, changed);
    return changed.length;
  });
}
