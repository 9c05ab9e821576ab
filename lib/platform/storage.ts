import { storage } from 'wxt/utils/storage';
import { z } from 'zod';
import {
  type CrmConnection,
  crmConnectionSchema,
  defaultPrivacyRules,
  type LastConnectFailure,
  lastConnectFailureSchema,
  type JobProgress as JobProgressValue,
  jobProgressSchema,
  type PrivacyRules,
  privacyRulesFromV1,
  type PrivacyRulesInput,
  privacyRulesSchema,
  PrivacyRulesUnreadableError,
  storedPrivacyRulesSchema,
} from '../domain';

/**
 * Small settings kept in `chrome.storage`; lists live in Dexie. Each item has a version, and a
 * new version adds a migration plus a fixture test that replays it.
 */

/** The CRM the user connected in the options page (R8). The token is kept elsewhere. */
export const crmConnectionItem = storage.defineItem<CrmConnection | null>('local:crmConnection', {
  fallback: null,
  version: 1,
});

/** Reads the CRM connection; a stored value of the wrong shape is an error, not "absent". */
export async function readCrmConnection(): Promise<CrmConnection | null> {
  return crmConnectionSchema.nullable().parse(await crmConnectionItem.getValue());
}

/** See `lastConnectFailureSchema`: session storage, so it goes with the browser session. */
export const lastConnectFailureItem = storage.defineItem<LastConnectFailure | null>('session:lastConnectFailure', {
  fallback: null,
  version: 1,
});

/** The last connect failure, or null; a value of the wrong shape counts as none (it is only a notice). */
export async function readLastConnectFailure(): Promise<LastConnectFailure | null> {
  return lastConnectFailureSchema.nullable().catch(null).parse(await lastConnectFailureItem.getValue());
}

/**
 * The workspace's privacy rules (R21); the options page edits them, the engine reads them.
 * Version 2 keeps them normalised and strictly valid (`privacyRulesSchema`); a version 1 value is
 * migrated once, when the background or a page first loads this module (`privacyRulesFromV1`).
 */
export const privacyRulesItem = storage.defineItem<PrivacyRules>('local:privacyRules', {
  fallback: defaultPrivacyRules(),
  version: 2,
  migrations: { 2: privacyRulesFromV1 },
});

/**
 * The privacy rules; a stored value of the wrong shape is a `PrivacyRulesUnreadableError` (plain
 * words, and the way out), never "no rules".
 */
export async function readPrivacyRules(): Promise<PrivacyRules> {
  const read = storedPrivacyRulesSchema.safeParse(await privacyRulesItem.getValue());
  if (read.success) return read.data;
  throw new PrivacyRulesUnreadableError({ cause: read.error });
}

/** Saves the privacy rules after validating and normalising them; returns what was stored. */
export async function savePrivacyRules(rules: PrivacyRulesInput): Promise<PrivacyRules> {
  const valid = privacyRulesSchema.parse(rules);
  await privacyRulesItem.setValue(valid);
  return valid;
}

/**
 * Progress of running jobs by job id (session storage: it means nothing after the browser closes).
 * Written after every page of a job: open pages watch it, and each write is an extension API call
 * that keeps the MV3 worker alive through a long job.
 */
export const jobProgressItem = storage.defineItem<Record<string, JobProgressValue>>('session:jobProgress', {
  fallback: {},
  version: 1,
});

/** Sets or clears one job's progress. */
export async function writeJobProgress(update: JobProgressValue | { jobId: string; cleared: true }): Promise<void> {
  const all = { ...(await jobProgressItem.getValue()) };
  if ('cleared' in update) delete all[update.jobId];
  else all[update.jobId] = update;
  await jobProgressItem.setValue(all);
}

/** Every running job's progress; a value of the wrong shape counts as none (it is only a display). */
export async function readJobProgress(): Promise<Record<string, JobProgressValue>> {
  return z.record(z.string(), jobProgressSchema).catch({}).parse(await jobProgressItem.getValue());
}

const promptMemorySchema = z.object({ dismissed: z.record(z.string(), z.number()), owners: z.record(z.string(), z.string().nullable()) });
type PromptMemoryValue = z.infer<typeof promptMemorySchema>;

/** What review prompts remember (R33): dismissed prompts, and owners as last reviewed. */
export const promptMemoryItem = storage.defineItem<PromptMemoryValue>('local:reviewPromptMemory', {
  fallback: { dismissed: {}, owners: {} },
  version: 1,
});

/** The prompts' memory; a value of the wrong shape starts afresh (prompts show again, nothing is lost). */
export async function readPromptMemory(): Promise<PromptMemoryValue> {
  return promptMemorySchema.catch({ dismissed: {}, owners: {} }).parse(await promptMemoryItem.getValue());
}

/**
 * Whether the rep collapsed the webmail sidebar to its tab (R27). The sidebar frame reads and
 * writes it: content scripts cannot reach `chrome.storage` (`restrictStorageToExtension`).
 */
export const sidebarCollapsedItem = storage.defineItem<boolean>('local:sidebarCollapsed', { fallback: false, version: 1 });

/** The collapsed preference; a value of the wrong shape counts as expanded (it is only a layout). */
export async function readSidebarCollapsed(): Promise<boolean> {
  return z.boolean().catch(false).parse(await sidebarCollapsedItem.getValue());
}
