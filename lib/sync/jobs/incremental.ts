import { z } from 'zod';
import { advanceCheckpoint, getCheckpoint, updateMailbox } from '../../db';
import { type Mailbox, providerError } from '../../domain';
import type { EngineDeps } from '../engine-deps';
import { decideOnError } from '../error-policy';
import { checkCancelled, ensureRun, type JobContext } from '../job-context';
import { decideAndCommit, requireMailbox } from '../page';

/**
 * How far before the last successful sync a bounded re-sync reaches (R14): mail stamped a little
 * before it (clock skew, delivery delays) is read again rather than lost; what was already stored
 * is recognised by provider id and not pushed twice.
 */
export const RESYNC_MARGIN_MS = 60 * 60_000;

/**
 * The incremental checkpoint's cursor: the provider's change cursor, or, after the provider forgot
 * it, a bounded re-sync of the window since the last successful sync, with the change cursor taken
 * before it started (`next`), where changes resume afterwards.
 */
const incrementalCursorSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('changes'), cursor: z.string().min(1) }),
  z.object({ mode: z.literal('resync'), since: z.number().int(), page: z.string().nullable(), next: z.string().min(1) }),
]);
type IncrementalCursor = z.infer<typeof incrementalCursorSchema>;

function readCursor(stored: string | null): IncrementalCursor | null {
  if (stored === null) return null;
  try {
    const parsed = incrementalCursorSchema.safeParse(JSON.parse(stored));
    return parsed.success ? parsed.data : null;
  } catch {
    // Not JSON: read as unreadable, which the caller turns into a re-sync.
    return null;
  }
}

/**
 * Takes the provider's "now" cursor when the mailbox has none, so that incremental sync covers
 * everything from this moment (a backfill takes it before its first page, a test email before it
 * is sent). Two callers racing take one cursor: the second finds the first's checkpoint stored.
 */
export async function ensureIncrementalCursor(deps: EngineDeps, mailbox: Mailbox, signal?: AbortSignal): Promise<void> {
  const { db } = deps;
  if (await getCheckpoint(db, mailbox.id, 'incremental')) return;
  const cursor = await deps.provider(mailbox).currentCursor(signal);
  await advanceCheckpoint(db, { mailboxId: mailbox.id, job: 'incremental', cursor: JSON.stringify({ mode: 'changes', cursor }), progress: {} }, 0, deps.now());
}

/**
 * Incremental sync (R9, R16): pages of changes since the stored cursor (Gmail history, Graph delta
 * per folder), each committed with its cursor (R13). Messages that left what may be pushed are
 * forgotten and their pending writes withdrawn. When the provider forgot the cursor (R14), the job
 * falls back to a bounded re-sync from the last successful sync, not a full re-import.
 * A run is recorded only when the sync found something: an empty poll every half minute would
 * bury the history (R17); the mailbox's `lastSyncedAt` says it ran.
 */
export async function runIncremental(ctx: JobContext): Promise<void> {
  const { db } = ctx.deps;
  let mailbox = await requireMailbox(ctx);
  let checkpoint = await getCheckpoint(db, mailbox.id, 'incremental');
  if (!checkpoint) {
    await ensureIncrementalCursor(ctx.deps, mailbox, ctx.signal);
    checkpoint = await getCheckpoint(db, mailbox.id, 'incremental');
  }
  let runId = ctx.job.runId;
  for (;;) {
    checkCancelled(ctx);
    mailbox = await requireMailbox(ctx);
    const cursor = readCursor(checkpoint!.cursor);
    if (!cursor) {
      checkpoint = await startResync(ctx, mailbox, checkpoint!.seq);
      continue;
    }
    const provider = ctx.deps.provider(mailbox);
    if (cursor.mode === 'resync') {
      const page = await provider.listWindow({ since: cursor.since, cursor: cursor.page, visibility: mailbox.visibility, only: mailbox.syncOnly, signal: ctx.signal });
      runId ??= (await ensureRun(ctx, 'sync')).id;
      const next: IncrementalCursor = page.nextCursor === null ? { mode: 'changes', cursor: cursor.next } : { ...cursor, page: page.nextCursor };
      const result = await decideAndCommit(ctx, mailbox, { job: 'incremental', fromSeq: checkpoint!.seq, cursor: JSON.stringify(next), progress: checkpoint!.progress, messages: page.messages, runId });
      if (!result.committed) throw providerError('bad_response', mailbox.provider, { detail: 'Another sync of this mailbox moved on meanwhile.' });
      checkpoint = result.checkpoint;
      continue;
    }
    let page;
    try {
      page = await provider.changes({ cursor: cursor.cursor, visibility: mailbox.visibility, only: mailbox.syncOnly, signal: ctx.signal });
    } catch (error) {
      // The error policy decides (R14): an expired cursor falls back to a bounded re-sync here;
      // anything else goes back to the engine, which applies the same policy to the job.
      if (decideOnError(error, ctx.job, ctx.deps.now()).action !== 'resync') throw error;
      checkpoint = await startResync(ctx, mailbox, checkpoint!.seq);
      continue;
    }
    const next = JSON.stringify({ mode: 'changes', cursor: page.cursor } satisfies IncrementalCursor);
    if (page.messages.length === 0 && page.removed.length === 0) {
      const step = await advanceCheckpoint(db, { mailboxId: mailbox.id, job: 'incremental', cursor: next, progress: checkpoint!.progress }, checkpoint!.seq, ctx.deps.now());
      if ('stale' in step) throw providerError('bad_response', mailbox.provider, { detail: 'Another sync of this mailbox moved on meanwhile.' });
      checkpoint = step.advanced;
    } else {
      runId ??= (await ensureRun(ctx, 'sync')).id;
      const result = await decideAndCommit(ctx, mailbox, { job: 'incremental', fromSeq: checkpoint!.seq, cursor: next, progress: checkpoint!.progress, messages: page.messages, removed: page.removed, runId });
      if (!result.committed) throw providerError('bad_response', mailbox.provider, { detail: 'Another sync of this mailbox moved on meanwhile.' });
      checkpoint = result.checkpoint;
    }
    if (!page.more) break;
  }
  await updateMailbox(db, mailbox.id, (m) => ({ ...m, lastSyncedAt: ctx.deps.now() }));
}

/** R14: the change cursor expired; re-read the window since the last successful sync, then resume changes from a fresh cursor. */
async function startResync(ctx: JobContext, mailbox: Mailbox, fromSeq: number) {
  const { db } = ctx.deps;
  const next = await ctx.deps.provider(mailbox).currentCursor(ctx.signal);
  const lastSync = mailbox.lastSyncedAt ?? mailbox.createdAt;
  const cursor: IncrementalCursor = { mode: 'resync', since: lastSync - RESYNC_MARGIN_MS, page: null, next };
  const step = await advanceCheckpoint(db, { mailboxId: mailbox.id, job: 'incremental', cursor: JSON.stringify(cursor), progress: { resyncs: 1 } }, fromSeq, ctx.deps.now());
  if ('stale' in step) throw providerError('bad_response', mailbox.provider, { detail: 'Another sync of this mailbox moved on meanwhile.' });
  return step.advanced;
}
