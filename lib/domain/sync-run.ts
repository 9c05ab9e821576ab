import { z } from 'zod';
import { providerErrorSchema } from './provider-error';

/** Why a message was not pushed (R11, R21). */
export const skipReasonSchema = z.enum([
  'no_contact',
  'internal_only',
  'excluded_category',
  'excluded_folder',
  'bulk',
  'blocked',
  'dont_sync',
  'personal_scope',
]);
export type SkipReason = z.infer<typeof skipReasonSchema>;

export const syncRunCountsSchema = z.object({
  fetched: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
  pushed: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  skipped: z.partialRecord(skipReasonSchema, z.number().int().nonnegative()),
  /** Messages pushed (or, for a preview, that would be) per contact id (R11, R24). */
  contacts: z.record(z.string(), z.number().int().nonnegative()).default({}),
});
export type SyncRunCounts = z.infer<typeof syncRunCountsSchema>;

/** One sync, backfill or preview run with its counts, for the sync history (R17). */
export const syncRunSchema = z.object({
  id: z.string().min(1),
  mailboxId: z.string().min(1),
  kind: z.enum(['sync', 'backfill', 'preview']),
  status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
  startedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  counts: syncRunCountsSchema,
  error: providerErrorSchema.nullable(),
  /** When an undo removed what the run pushed (R18); null when it was not undone. */
  undoneAt: z.number().int().nullable().default(null),
});
export type SyncRun = z.infer<typeof syncRunSchema>;


/** What a running job shows the UI (R10): counts so far, the provider's estimate, and an ETA. */
export const jobProgressSchema = z.object({
  jobId: z.string(),
  lane: z.string(),
  kind: z.string(),
  status: z.string(),
  done: z.number().int().nonnegative(),
  /** The provider's estimate of the whole, when it gave one. */
  total: z.number().int().nonnegative().nullable(),
  startedAt: z.number().int(),
  /** Milliseconds left at the pace so far; null until it can be told. */
  etaMs: z.number().int().nonnegative().nullable(),
  updatedAt: z.number().int(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;
