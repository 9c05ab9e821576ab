import { type CrmEmailInput, type CrmClient, EMAIL_BATCH_MAX } from '../../crm';
import { toCrmEmail } from '../../crm';
import {
  addRunCounts,
  atomically,
  batchEntries,
  dueOutboxEntries,
  getMailbox,
  getMessage,
  getRun,
  type MailboxCrmDatabase,
  type OutboxEntry,
  openBatchId,
  outboxEntries,
  pendingOutbox,
  putOutboxEntries,
  releaseBatch,
} from '../../db';
import { emptyCounts } from '../../db';
import { echoableToken, type Mailbox, ProviderError, providerError, VISIBILITY_RANK } from '../../domain';
import type { EngineDeps } from '../engine-deps';
import { checkCancelled, type JobContext, reportProgress } from '../job-context';

/** The item the CRM receives for an entry: its payload with the union of its contacts. */
function itemOf(entry: OutboxEntry): CrmEmailInput {
  return { ...entry.payload!, contact_ids: entry.contactIds };
}

/** A batch fixed for sending: its id (the idempotency scope) and its entries with what they send. */
interface Batch {
  id: string;
  entries: (OutboxEntry & { sending: NonNullable<OutboxEntry['sending']> })[];
}

const isSending = (entry: OutboxEntry): entry is Batch['entries'][number] => entry.sending !== null;

/**
 * Outbox drain (R13, R15): pending CRM writes, oldest first, in batches of up to 100. Each batch is
 * fixed before it is sent (its entries marked with a batch id, in one transaction), so a batch
 * resent after a stopped worker or a lost answer is the same request under the same idempotency
 * key, and the CRM replays its answer instead of writing twice. Entries whose content must be read
 * again (retro-match, a manual link, a source mailbox gone) are read first, at their mailbox's
 * visibility (R21a, R22). A CRM outage ends the job with the error; the error policy waits,
 * persisted, and the next attempt drains what is left.
 */
export async function runOutbox(ctx: JobContext): Promise<void> {
  const crm = await ctx.deps.crm();
  if (!crm) return;
  const { db } = ctx.deps;
  const startedAt = ctx.deps.now();
  let sent = 0;
  for (;;) {
    checkCancelled(ctx);
    const batch = (await inFlight(db)) ?? (await freezeNextBatch(ctx.deps, ctx.signal));
    if (!batch) return;
    let results: PushResults;
    try {
      results = await pushSplitting(crm.client, batch.entries.map((e) => e.sending.item), batch.id, ctx.signal);
    } catch (error) {
      // An answer came, and it was an error: the CRM did not apply the batch, so the next attempt
      // is built from the entries as they are then (a message moved to trash meanwhile is not
      // sent). Only without an answer (the connection lost) may the CRM have applied it: then the
      // batch stays fixed and is resent as it was, a replay.
      if (error instanceof ProviderError && error.code !== 'network') await releaseBatch(db, batch.id);
      throw error;
    }
    await recordResults(db, batch, results, ctx.deps.now());
    sent += batch.entries.length;
    await reportProgress(ctx, sent, sent + (await pendingOutbox(db, ctx.deps.now())).pending, startedAt);
  }
}

/**
 * A batch fixed before the worker stopped (or before its request failed), to send again exactly
 * as it was, whatever happened to its entries meanwhile: the CRM may have applied it already.
 */
async function inFlight(db: MailboxCrmDatabase): Promise<Batch | null> {
  const batchId = await openBatchId(db);
  if (!batchId) return null;
  const entries = (await batchEntries(db, batchId)).filter(isSending);
  if (entries.length === 0) {
    await releaseBatch(db, batchId);
    return inFlight(db);
  }
  return { id: batchId, entries };
}

/** The next batch: due entries, oldest first, their content read where needed, then fixed. */
async function freezeNextBatch(deps: EngineDeps, signal: AbortSignal): Promise<Batch | null> {
  const { db } = deps;
  const now = deps.now();
  const due = await dueOutboxEntries(db, now, EMAIL_BATCH_MAX);
  if (due.length === 0) return null;
  await readContent(deps, due.filter((e) => e.payload === null), signal);
  const id = crypto.randomUUID();
  const entries = await atomically(db, ['outbox'], async () => {
    const fresh = (await outboxEntries(db, due.map((e) => e.idempotencyKey))).filter((e) => e.status === 'pending' && e.payload !== null && e.batchId === null);
    const frozen = fresh.map((e) => ({ ...e, batchId: id, sending: { item: itemOf(e), visibility: e.visibility } }));
    await putOutboxEntries(db, frozen);
    return frozen.sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : 1));
  });
  return entries.length > 0 ? { id, entries } : freezeNextBatch(deps, signal);
}

/**
 * Fills in the payload of entries whose content is not at hand: from the stored metadata when
 * the visibility is metadata only, else read again from the provider (only those messages, R21a).
 * A message the provider no longer has is cancelled: it left the mailbox before it was pushed.
 */
async function readContent(deps: EngineDeps, entries: readonly OutboxEntry[], signal: AbortSignal): Promise<void> {
  const { db } = deps;
  const bySource = new Map<string, OutboxEntry[]>();
  for (const entry of entries) bySource.set(entry.mailboxId, [...(bySource.get(entry.mailboxId) ?? []), entry]);
  for (const [mailboxId, group] of bySource) {
    const mailbox = await getMailbox(db, mailboxId);
    let filled: Map<string, CrmEmailInput>;
    try {
      // A mailbox waiting for the user cannot be read; no source left (disconnected): nothing to read.
      if (mailbox && (mailbox.status === 'reconnect_needed' || mailbox.status === 'error')) throw providerError('reauth_required', mailbox.provider);
      filled = mailbox ? await contentOf(deps, mailbox, group, signal) : new Map();
    } catch (error) {
      if (signal.aborted) throw error;
      // One mailbox's reads failing holds back its own entries only: they wait, and the others
      // are pushed. Its sync shows the error and the fix (R12).
      await postpone(db, group, deps.now() + CONTENT_RETRY_MS);
      continue;
    }
    await atomically(db, ['mailboxes', 'outbox'], async () => {
      // Content read at a visibility changed meanwhile is not kept: the entries stay empty and are
      // read again at the new level next round (R22; see `rebuildOutboxForVisibility`).
      if (mailbox && (await getMailbox(db, mailboxId))?.visibility !== mailbox.visibility) return;
      const current = await outboxEntries(db, group.map((e) => e.idempotencyKey));
      const changed = current
        .filter((e) => e.status === 'pending' && e.payload === null && e.mailboxId === mailboxId)
        .map((e): OutboxEntry => {
          const payload = filled.get(e.idempotencyKey);
          if (payload && mailbox) return { ...e, payload, visibility: mailbox.visibility };
          // Gone from this mailbox: another mailbox's copy is read next, or, with none left, it is not pushed.
          const rest = e.mailboxIds.filter((id) => id !== mailboxId);
          if (rest.length > 0) return { ...e, mailboxIds: rest, mailboxId: rest[0]! };
          return { ...e, status: 'cancelled', lastError: 'The message is no longer in the mailbox.' };
        });
      await putOutboxEntries(db, changed);
    });
  }
}

/** How long entries wait whose mailbox could not be read: its own sync retries and shows why meanwhile. */
const CONTENT_RETRY_MS = 5 * 60_000;

/** Entries that wait until `at` before their content is read again. */
async function postpone(db: MailboxCrmDatabase, entries: readonly OutboxEntry[], at: number): Promise<void> {
  await atomically(db, ['outbox'], async () => {
    const current = await outboxEntries(db, entries.map((e) => e.idempotencyKey));
    await putOutboxEntries(db, current.filter((e) => e.status === 'pending' && e.payload === null).map((e) => ({ ...e, nextAttemptAt: at })));
  });
}

async function contentOf(deps: EngineDeps, mailbox: Mailbox, entries: readonly OutboxEntry[], signal: AbortSignal): Promise<Map<string, CrmEmailInput>> {
  const payloads = new Map<string, CrmEmailInput>();
  if (mailbox.visibility === 'metadata') {
    for (const entry of entries) {
      const message = await getMessage(deps.db, mailbox.id, entry.providerId);
      if (message) payloads.set(entry.idempotencyKey, toCrmEmail(message, entry.contactIds, 'metadata', mailbox.address));
    }
    return payloads;
  }
  const byId = new Map(entries.map((e) => [e.providerId, e]));
  const messages = await deps.provider(mailbox).getMessages({ ids: [...byId.keys()], visibility: mailbox.visibility, signal });
  for (const message of messages) {
    const entry = byId.get(message.providerId);
    if (entry) payloads.set(entry.idempotencyKey, toCrmEmail(message, entry.contactIds, mailbox.visibility, mailbox.address));
  }
  return payloads;
}

type PushResults = Awaited<ReturnType<CrmClient['pushEmails']>>;

/**
 * The CRM's answer, per entry, applied to the entry as it is NOW (a copy may have been merged or
 * withdrawn while the request was out), in one transaction with the runs' counts (R17):
 * - written: the CRM holds what was sent (`pushed`); an entry that gained contacts or a wider
 *   visibility meanwhile stays pending for the update, anything else is done, its content dropped;
 * - refused: the entry failed with the CRM's words, unless it changed meanwhile (then it is tried
 *   as it is now).
 */
async function recordResults(db: MailboxCrmDatabase, batch: Batch, results: PushResults, now: number): Promise<void> {
  await atomically(db, ['outbox', 'syncRuns'], async () => {
    const counts = new Map<string, ReturnType<typeof emptyCounts>>();
    const countsOf = (runId: string) => counts.get(runId) ?? counts.set(runId, emptyCounts()).get(runId)!;
    const current = new Map((await outboxEntries(db, batch.entries.map((e) => e.idempotencyKey))).map((e) => [e.idempotencyKey, e]));
    const next = batch.entries.flatMap((sent, index): OutboxEntry[] => {
      const entry = current.get(sent.idempotencyKey);
      if (!entry) return [];
      const result = results[index]!;
      const released = { ...entry, batchId: null, sending: null, attempts: entry.attempts + 1 };
      if (result.status === 'error') {
        countsOf(entry.runId).errors++;
        const unchanged = entry.visibility === sent.sending.visibility && entry.contactIds.join() === sent.sending.item.contact_ids.join();
        // The CRM's own words are not kept: a server chooses them, and the UI shows what is stored.
        // Nor is the content (R23): a later copy of the message brings it again.
        const refused = `The CRM refused this email${echoableToken(result.error.code) ? ` (${result.error.code})` : ''}.`;
        return [entry.status === 'pending' && unchanged ? { ...released, status: 'failed', payload: null, lastError: refused } : released];
      }
      if (!entry.pushed) countsOf(entry.runId).pushed++;
      const pushed = { contactIds: sent.sending.item.contact_ids, visibility: sent.sending.visibility, at: now };
      const more = entry.contactIds.some((id) => !pushed.contactIds.includes(id)) || VISIBILITY_RANK[entry.visibility] > VISIBILITY_RANK[pushed.visibility];
      if (entry.status === 'pending' && more) return [{ ...released, pushed, crmEmailId: result.email_id }];
      // Written: done, whatever happened meanwhile (what the CRM has stays; only an undo removes it).
      return [{ ...released, status: 'sent', payload: null, crmEmailId: result.email_id, pushed, lastError: null }];
    });
    await putOutboxEntries(db, next);
    for (const [runId, c] of counts) if (await getRun(db, runId)) await addRunCounts(db, runId, c);
  });
}

/**
 * Pushes a batch; when the CRM refuses it whole on its merits (a 4xx such as 413 or 422, which
 * asking again cannot change), the halves are pushed apart, down to single emails, so one email
 * the CRM will not take is refused alone and the others land. The halves' keys derive from the
 * batch's (`scope/0`, `scope/1`), so a resend after a stop splits the same way and replays.
 */
async function pushSplitting(client: CrmClient, items: readonly CrmEmailInput[], scope: string, signal: AbortSignal): Promise<PushResults> {
  try {
    return await client.pushEmails(items, { scope, signal });
  } catch (error) {
    if (!isFinalCrmError(error)) throw error;
    if (items.length === 1) return [{ message_id: items[0]!.message_id, status: 'error', error: { code: error.code, message: error.message } }];
    const half = Math.ceil(items.length / 2);
    return [...(await pushSplitting(client, items.slice(0, half), `${scope}/0`, signal)), ...(await pushSplitting(client, items.slice(half), `${scope}/1`, signal))];
  }
}

/** Whether a CRM error is the CRM refusing this batch on its merits (not an outage, not a sign-in). */
function isFinalCrmError(error: unknown): error is ProviderError {
  return error instanceof ProviderError && !error.retryable && error.code !== 'reauth_required' && error.code !== 'insufficient_permissions';
}
