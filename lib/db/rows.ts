import { z } from 'zod';
import { crmEmailInputSchema, skipReasonSchema, visibilitySchema } from '../domain';

/**
 * Rows of the tables that exist only locally. Domain objects (Mailbox, Message, Contact,
 * SyncRun) are stored as their domain schemas; these are the engine's own bookkeeping.
 */

/** Manual decisions about one thread: linked contacts (override matching, R27) or "don't sync". */
export const threadLinkSchema = z.object({
  mailboxId: z.string().min(1),
  threadKey: z.string().min(1),
  contactIds: z.array(z.string()),
  dontSync: z.boolean(),
  updatedAt: z.number().int(),
});
export type ThreadLink = z.infer<typeof threadLinkSchema>;

/**
 * One CRM email to write, keyed by the message's CRM key (`crmMessageKey`: the normalised
 * Message-ID, R15), so a message seen in two mailboxes, or read again after a crash, is one entry
 * and one CRM email. `mailboxIds` lists every mailbox holding a copy that may be pushed; the
 * payload is built from `mailboxId`'s copy at that mailbox's visibility (R22), with the union of
 * the copies' contacts.
 *
 * - `pending`: to write. `payload` null means its content must be read again from the provider
 *   first (retro-match, a manual link, or a source mailbox disconnected; R21a).
 * - `sent`: the CRM has it as `pushed` says; the payload is dropped, nothing of the mail is kept.
 * - `failed`: the CRM refused the item itself (`lastError`); counted as an error of its run.
 * - `undone`: removed from the CRM by an undo (R18); not pushed again unless the user asks.
 * - `cancelled`: no longer pushable before it was written (moved to trash, "don't sync").
 */
export const outboxEntrySchema = z.object({
  idempotencyKey: z.string().min(1),
  mailboxId: z.string().min(1),
  mailboxIds: z.array(z.string().min(1)).min(1),
  providerId: z.string().min(1),
  messageId: z.string().nullable(),
  contactIds: z.array(z.string()).min(1),
  runId: z.string().min(1),
  status: z.enum(['pending', 'sent', 'failed', 'undone', 'cancelled']),
  payload: crmEmailInputSchema.nullable(),
  /** The visibility of `mailboxId`'s copy, which the payload (or its next read) follows. */
  visibility: visibilitySchema,
  /** The batch it is being sent in: a batch resent after a crash is the same request (R13). */
  batchId: z.string().nullable(),
  /**
   * Exactly what was sent in that batch, kept until the CRM answers: a copy merged or withdrawn
   * meanwhile changes the entry, never the request, so a resend stays a replay.
   */
  sending: z.object({ item: crmEmailInputSchema, visibility: visibilitySchema }).nullable(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.number().int(),
  /** What the CRM holds, once written: compared with later copies of the message. */
  pushed: z.object({ contactIds: z.array(z.string()), visibility: visibilitySchema, at: z.number().int() }).nullable(),
  /** The CRM's id for the email once pushed; undo and "wrong contact" delete by it (R18, R24). */
  crmEmailId: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.number().int(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/**
 * What the engine decided about one stored message (R11, R17, R21a): pushed to `contactIds`
 * (reason null) or skipped with exactly one reason. `key` is the CRM key it is pushed under.
 */
export const verdictSchema = z.object({
  mailboxId: z.string().min(1),
  providerId: z.string().min(1),
  threadKey: z.string().min(1),
  key: z.string().min(1),
  reason: skipReasonSchema.nullable(),
  contactIds: z.array(z.string()),
  runId: z.string().min(1),
  decidedAt: z.number().int(),
});
export type Verdict = z.infer<typeof verdictSchema>;

export { type Job, type JobKind, jobKindSchema, jobSchema } from '../domain';

export const checkpointJobSchema = z.enum(['backfill', 'incremental', 'contacts', 'preview']);
export type CheckpointJob = z.infer<typeof checkpointJobSchema>;

/**
 * Where a job stopped: committed with the page it describes, in one transaction (R13). `seq`
 * counts the pages committed under it; a page commit names the `seq` it started from, so a page
 * read from an older checkpoint can never move the cursor back (see `commitPage`).
 */
export const checkpointSchema = z.object({
  mailboxId: z.string().min(1),
  job: checkpointJobSchema,
  /** Provider cursor: a Gmail page token or historyId, a Graph next or delta link. */
  cursor: z.string().nullable(),
  /** Job-specific progress, e.g. counts done so far, for the ETA. */
  progress: z.record(z.string(), z.number()),
  /** Pages committed under this checkpoint; 0 means none, so a stored checkpoint starts at 1. */
  seq: z.number().int().positive(),
  updatedAt: z.number().int(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;
