import type { Page } from '@playwright/test';
import type { GroundTruth } from '../../emulators/seed/ground-truth';
import type { CrmEmailRecord } from '../support/crm-expectations';
import type { Policy } from '../../emulators/seed/policy';
import type { Job, JobProgress, Mailbox, SyncRun } from '../../lib/domain';
import type { MessageName } from '../../lib/messaging/protocol';
import { E2E_EMULATOR_PORT } from './global-setup';
import { emulatorAdmin } from '../support/emulator-admin';

/** The admin API of the e2e emulators (the Google server's; reset, config and truth act on all three). */
export const admin = emulatorAdmin(`http://127.0.0.1:${E2E_EMULATOR_PORT}`);
export const CRM_URL = `http://127.0.0.1:${E2E_EMULATOR_PORT + 2}`;
export const DAY_MS = 24 * 60 * 60_000;

/** Something that runs a function inside an extension page: a Playwright page, or a `CdpBrowser` page. */
export interface InExtensionPage {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}

/** A Playwright page as an `InExtensionPage`. */
export function playwrightPage(page: Page): InExtensionPage {
  return { evaluate: (fn, arg) => page.evaluate(fn as never, arg) };
}

/**
 * Sends one protocol message from the page, in the wire format of `lib/messaging/channel.ts`, and
 * returns the answer's value; a refusal or failure throws with its code. A stopped worker is
 * started by the message.
 */
export async function call<T>(page: InExtensionPage, type: MessageName, data: unknown): Promise<T> {
  const answer = await page.evaluate(
    (message) => chrome.runtime.sendMessage({ id: Date.now(), timestamp: Date.now(), ...message }) as Promise<{ res?: { ok: boolean; value?: unknown; error?: { code: string; message: string } } } | undefined>,
    { type, data },
  );
  const envelope = answer?.res;
  if (!envelope) throw new Error(`${type}: no answer`);
  if (!envelope.ok) throw new Error(`${type} failed: ${envelope.error?.code} ${envelope.error?.message}`);
  return envelope.value as T;
}

/**
 * Connects Gmail (the emulator signs riley in, consent allowed) and the CRM with a personal access
 * token, through the same protocol messages as the popup and the options page, and copies the
 * emulator's policy into the privacy rules the engine reads, so the ground truth applies.
 */
export async function connectRileyAndCrm(page: InExtensionPage): Promise<string> {
  await admin.put('/config', { consent: 'allow' });
  const mailbox = await call<{ id: string }>(page, 'connectMailbox', { provider: 'gmail', scope: 'sales' });
  await connectCrmWithPolicy(page);
  return mailbox.id;
}

/**
 * Connects the CRM with a personal access token (the demo one unless told), as the options page
 * does, and saves the emulator's policy as the privacy rules through the protocol (the options
 * page's save), so the ground truth applies.
 */
export async function connectCrmWithPolicy(page: InExtensionPage, token = 'crm_pat_demo'): Promise<void> {
  await call(page, 'connectCrm', { baseUrl: CRM_URL, authMethod: 'personal_token', token });
  const policy = await admin.get<Policy>('/policy');
  await call(page, 'savePrivacyRules', {
    workspaceDomains: [...policy.workspaceDomains],
    blockedAddresses: [...policy.blockedAddresses],
    blockedDomains: [...policy.blockedDomains],
    excludedCategories: [...policy.excludedCategories],
  });
}

/** A CRM contact at an outside address (not the workspace's, not blocked): mail with it is pushed. */
export async function outsideCrmContact(): Promise<{ id: string; name: string; email: string }> {
  const policy = await admin.get<Policy>('/policy');
  const inside = new Set([...policy.workspaceDomains, ...policy.blockedDomains]);
  const response = await fetch(`${CRM_URL}/public/v1/contacts?per_page=100`, { headers: { authorization: 'Bearer crm_pat_demo' } });
  if (!response.ok) throw new Error(`CRM contacts: HTTP ${response.status}`);
  const { data } = (await response.json()) as { data: { id: string; name: string; email: string }[] };
  const contact = data.find((c) => !inside.has(c.email.split('@')[1]!.toLowerCase()) && !policy.blockedAddresses.includes(c.email.toLowerCase()));
  if (!contact) throw new Error('The CRM has no contact at an outside address');
  return contact;
}

/**
 * Ticks "matching verified" on the mailbox's launch checklist (R32), which lifts the first
 * backfill's 14-day limit (R10), the way a rep does: a customer writes in, "Sync now" pushes it
 * to the CRM, and the rep marks that sync run's sample reviewed ("Looks right" in the options
 * page's history). The sync job ends done, so no backfill job is left behind; the one customer
 * email it pushes is part of the emulators' live ground truth.
 */
export async function markMatchingVerified(page: InExtensionPage, mailboxId: string): Promise<void> {
  // The customer must be in the extension's mirror of the CRM's contacts to be matched, and mail
  // delivered only after the mailbox's first sync, which sets where the next one starts.
  await until('the CRM contact mirror', async () => ((await jobs(page)).jobs.find((j) => j.id === 'crm/contacts')?.status === 'done' ? true : undefined), 90_000, 500);
  const mailbox = await until(
    'the mailbox\'s first sync',
    async () => (await call<{ mailboxes: Mailbox[] }>(page, 'getOverview', {})).mailboxes.find((m) => m.id === mailboxId && m.lastSyncedAt !== null),
    120_000,
    500,
  );
  const contact = await outsideCrmContact();
  const peer = mailbox.provider === 'gmail' ? 'google' : 'microsoft';
  await admin.post(`/${peer}/deliver`, { from: { name: contact.name, address: contact.email }, to: mailbox.address, subject: `Checking in ${Date.now().toString(36)}`, body: 'Any news on the order?' });
  await call(page, 'syncNow', { mailboxId });
  let runs: SyncRun[] = [];
  const run = await until(
    'a sync run that pushed the customer email',
    async () => {
      runs = (await call<{ runs: SyncRun[] }>(page, 'getRuns', { mailboxId })).runs;
      return runs.find((r) => r.kind === 'sync' && r.status === 'succeeded' && r.counts.pushed > 0);
    },
    60_000,
    500,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; the runs: ${JSON.stringify(runs.map((r) => ({ kind: r.kind, status: r.status, counts: r.counts, error: r.error?.code })))}`);
  });
  await call(page, 'markSampleReviewed', { mailboxId, runId: run.id });
}

/** Resolves once the CRM outbox has nothing queued, running or waiting: every push it took has been answered. */
export async function outboxSettled(page: InExtensionPage, timeoutMs = 60_000): Promise<void> {
  await until(
    'the outbox to settle',
    async () => ((await jobs(page)).jobs.some((j) => j.kind === 'outbox' && ['queued', 'running', 'waiting'].includes(j.status)) ? undefined : true),
    timeoutMs,
    500,
  );
}

/** The jobs and live progress, as the UI polls them (a message: it wakes a stopped worker). */
export function jobs(page: InExtensionPage): Promise<{ jobs: Job[]; progress: JobProgress[] }> {
  return call(page, 'getJobs', {});
}

/** What the CRM must hold for riley's mail from `since` on, from the emulators' live ground truth. */
export async function rileyTruth(since: number): Promise<GroundTruth> {
  return admin.get<GroundTruth>(`/ground-truth?mailboxes=riley&since=${since}`);
}

/** What the CRM holds now, as its admin API lists it. */
export async function crmEmails(): Promise<CrmEmailRecord[]> {
  return (await admin.get<{ emails: CrmEmailRecord[] }>('/crm/emails')).emails;
}

/** Resolves with `probe()`'s value once it is not undefined; checks every `everyMs`, fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
