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
import { type Mailbox, ProviderError } from '../../domain';
import type { EngineDeps } from '../engine-deps';
import { checkCancelled, type JobContext, reportProgress } from '../job-context';

/** The item the CRM receives for an entry: its payload with the union of its contacts. */
function itemOf(entry: OutboxEntry): CrmEmailInput {
  return { ...entry.payload!, contact_ids: entry.contactIds };
}

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
      results = await crm.client.pushEmails(batch.entries.map(itemOf), { scope: batch.id, signal: ctx.signal });
    } catch (error) {
      // The CRM refused the batch itself (a 4xx it will not change its mind on): each entry is
      // recorded as refused, with the CRM's words, rather than resent forever.
      if (!isFinalCrmError(error)) throw error;
      results = batch.entries.map((e) => ({ message_id: e.idempotencyKey, status: 'error' as const, error: { code: error.code, message: error.message } }));
    }
    await recordResults(db, batch.entries, results, ctx.deps.now());
    sent += batch.entries.length;
    await reportProgress(ctx, sent, sent + (await pendingOutbox(db, ctx.deps.now())).pending, startedAt);
  }
}

/** A batch fixed before the worker stopped, to send again as it was. */
async function inFlight(db: MailboxCrmDatabase): Promise<{ id: string; entries: OutboxEntry[] } | null> {
  const batchId = await openBatchId(db);
  if (!batchId) return null;
  const entries = (await batchEntries(db, batchId)).filter((e) => e.status === 'pending' && e.payload !== null);
  if (entries.length === 0) {
    await releaseBatch(db, batchId);
    return inFlight(db);
  }
  return { id: batchId, entries };
}

/** The next batch: due entries, oldest first, their content read where needed, then fixed. */
async function freezeNextBatch(deps: EngineDeps, signal: AbortSignal): Promise<{ id: string; entries: OutboxEntry[] } | null> {
  const { db } = deps;
  const now = deps.now();
  const due = await dueOutboxEntries(db, now, EMAIL_BATCH_MAX);
  if (due.length === 0) return null;
  await readContent(deps, due.filter((e) => e.payload === null), signal);
  const id = crypto.randomUUID();
  const entries = await atomically(db, ['outbox'], async () => {
    const fresh = (await outboxEntries(db, due.map((e) => e.idempotencyKey))).filter((e) => e.status === 'pending' && e.payload !== null && e.batchId === null);
    await putOutboxEntries(db, fresh.map((e) => ({ ...e, batchId: id })));
    return fresh.sort((a, b) => (a.idempotencyKey < b.idempotencyKey ? -1 : 1));
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
    // No source left to read from (disconnected meanwhile): nothing can be pushed for it.
    const filled = mailbox ? await contentOf(deps, mailbox, group, signal) : new Map<string, CrmEmailInput>();
    await atomically(db, ['outbox'], async () => {
      const current = await outboxEntries(db, group.map((e) => e.idempotencyKey));
      const changed = current
        .filter((e) => e.status === 'pending' && e.payload === null && e.mailboxId === mailboxId)
        .map((e): OutboxEntry => {
          const payload = filled.get(e.idempotencyKey);
          return payload && mailbox ? { ...e, payload, visibility: mailbox.visibility } : { ...e, status: 'cancelled', lastError: 'The message is no longer in the mailbox.' };
        });
      await putOutboxEntries(db, changed);
    });
  }
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

/** The CRM's answer, per entry, in one transaction with the runs' counts (R17). */
async function recordResults(db: MailboxCrmDatabase, entries: readonly OutboxEntry[], results: PushResults, now: number): Promise<void> {
  await atomically(db, ['outbox', 'syncRuns'], async () => {
    const counts = new Map<string, ReturnType<typeof emptyCounts>>();
    const countsOf = (runId: string) => counts.get(runId) ?? counts.set(runId, emptyCounts()).get(runId)!;
    const next = entries.map((entry, index): OutboxEntry => {
      const result = results[index]!;
      if (result.status === 'error') {
        countsOf(entry.runId).errors++;
        return { ...entry, status: 'failed', batchId: null, attempts: entry.attempts + 1, lastError: result.error.message.slice(0, 500) };
      }
      if (!entry.pushed) countsOf(entry.runId).pushed++;
      return { ...entry, status: 'sent', batchId: null, payload: null, attempts: entry.attempts + 1, crmEmailId: result.email_id, pushed: { contactIds: entry.contactIds, visibility: entry.visibility, at: now }, lastError: null };
    });
    await putOutboxEntries(db, next);
    for (const [runId, c] of counts) if (await getRun(db, runId)) await addRunCounts(db, runId, c);
  });
}

/** Whether a CRM error is the CRM refusing this batch on its merits (not an outage, not a sign-in). */
function isFinalCrmError(error: unknown): error is ProviderError {
  return error instanceof ProviderError && !error.retryable && error.code !== 'reauth_required' && error.code !== 'insufficient_permissions';
}
