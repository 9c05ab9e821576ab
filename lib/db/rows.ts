import { z } from 'zod';

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
 * One pending CRM write. The idempotency key is derived from the Message-ID (R15), so a
 * message seen in two mailboxes, or retried after a crash, is one entry and one CRM email.
 */
export const outboxEntrySchema = z.object({
  idempotencyKey: z.string().min(1),
  mailboxId: z.string().min(1),
  providerId: z.string().min(1),
  messageId: z.string().nullable(),
  contactIds: z.array(z.string()).min(1),
  runId: z.string().min(1),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.number().int(),
  /** The CRM's id for the email once pushed; undo and "wrong contact" delete by it (R18, R24). */
  crmEmailId: z.string().nullable(),
  createdAt: z.number().int(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

export const checkpointJobSchema = z.enum(['backfill', 'incremental', 'contacts']);
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
