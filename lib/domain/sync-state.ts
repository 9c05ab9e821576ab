import { z } from 'zod';
import { providerErrorSchema } from './provider-error';
import { skipReasonSchema } from './sync-run';

/** The engine's jobs (R10–R14, R18, R20): per mailbox, or on the CRM's lane. */
export const jobKindSchema = z.enum(['backfill', 'incremental', 'preview', 'undo', 'contacts', 'outbox']);
export type JobKind = z.infer<typeof jobKindSchema>;

/**
 * A job as it outlives the worker (R13). `notBefore` is a wait persisted instead of slept: the
 * scheduler's alarm picks the job up then. `failures` counts transient failures in a row, for the
 * error policy.
 */
export const jobSchema = z.object({
  /** `<lane>/<kind>`: one job of a kind per lane at a time. */
  id: z.string().min(1),
  /** A mailbox id, or `crm` for the contacts mirror and the outbox. */
  lane: z.string().min(1),
  kind: jobKindSchema,
  status: z.enum(['queued', 'running', 'waiting', 'blocked', 'failed', 'done', 'cancelled']),
  runId: z.string().nullable(),
  /** Days for a backfill or preview; the run to undo. */
  params: z.object({ days: z.number().int().optional(), runId: z.string().optional() }),
  notBefore: z.number().int(),
  failures: z.number().int().nonnegative(),
  lastError: providerErrorSchema.nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Job = z.infer<typeof jobSchema>;

/** A contact as the UI names it. */
export const contactRefSchema = z.object({ id: z.string(), name: z.string(), company: z.string().nullable(), url: z.string().nullable() });
export type ContactRef = z.infer<typeof contactRefSchema>;

/**
 * Where one stored message stands with the CRM (R17, R28), in what the UI says:
 * - `pushed`: the CRM has it, attached to `contacts`, since `at`;
 * - `waiting`: it will be pushed (queued, or waiting for the CRM);
 * - `skipped`: not pushed, for `reason` (R21a);
 * - `failed`: the CRM refused it (`error`);
 * - `undone`: an undo removed it from the CRM (R18).
 */
export const messageSyncStateSchema = z.object({
  providerId: z.string(),
  date: z.number().int(),
  direction: z.enum(['sent', 'received']),
  state: z.enum(['pushed', 'waiting', 'skipped', 'failed', 'undone']),
  reason: skipReasonSchema.nullable(),
  contacts: z.array(contactRefSchema),
  at: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type MessageSyncState = z.infer<typeof messageSyncStateSchema>;

/** One contact's share of a run, for the review after import (R24). */
export const contactSampleSchema = z.object({
  contact: z.object({ id: z.string(), name: z.string().nullable(), company: z.string().nullable(), url: z.string().nullable() }),
  /** Messages of the run attached to the contact. */
  total: z.number().int(),
  messages: z.array(messageSyncStateSchema.extend({ subject: z.string().nullable(), from: z.string().nullable(), crmEmailId: z.string().nullable() })),
});
export type ContactSample = z.infer<typeof contactSampleSchema>;

/** A message found by "why wasn't this logged?" (R17). */
export const lookupResultSchema = messageSyncStateSchema.extend({ subject: z.string().nullable(), threadKey: z.string() });
export type LookupResult = z.infer<typeof lookupResultSchema>;

/** A review prompt raised by the engine (R33), with the action that answers it. */
export const reviewPromptSchema = z.object({
  id: z.string(),
  mailboxId: z.string(),
  /** `replacement_test`: a mailbox was disconnected; send a test from this one before the team resumes (R35). */
  kind: z.enum(['stale_sync', 'provider_access', 'duplicates', 'owner_account', 'owner_changed', 'replacement_test']),
  message: z.string(),
  action: z.enum(['sync_now', 'reconnect', 'grant_permission', 'review_run', 'review_owner', 'send_test']),
  runId: z.string().nullable(),
});
export type ReviewPrompt = z.infer<typeof reviewPromptSchema>;
