import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { EmulatorUrls } from '../../../emulators';
import type { ExpectedCrmEmail, GroundTruth } from '../../../emulators/seed/ground-truth';
import type { Policy } from '../../../emulators/seed/policy';
import type { SizeName } from '../../../emulators/seed/types';
import { connectCrm } from '../../../lib/background/crm-connection';
import type { BackgroundDeps } from '../../../lib/background/deps';
import { engineDeps } from '../../../lib/background/engine';
import { connectMailbox } from '../../../lib/background/mailboxes';
import { getCheckpoint, getJob, getRun, type Job, jobId, unfinishedJobs } from '../../../lib/db';
import type { Mailbox, SyncRun } from '../../../lib/domain';
import { savePrivacyRules } from '../../../lib/platform';
import { type EngineDeps, SyncEngine } from '../../../lib/sync';
import { type EmulatorAdmin, emulatorAdmin } from '../../support/emulator-admin';
import { emulatorBackgroundDeps } from '../../support/emulator-endpoints';
import { type CrmEmailRecord, crmMismatches, readCrmEmails, readGroundTruth } from '../../support/crm-expectations';
import { grantHostPermissions } from './extension-globals';

/** A persisted wait the engine chose while the benchmark ran: what a user would see as "waiting". */
export interface SeenWait {
  jobId: string;
  at: number;
  notBefore: number;
  error: Job['lastError'];
}

/** The CRM's emails against the ground truth's: what is missing, extra, written more than once, or on the wrong contacts. */
export interface CrmCheck {
  expected: number;
  received: number;
  missing: number;
  extra: number;
  rewritten: number;
  wrongContacts: number;
}

/** A wait longer than this means the engine is stuck behind something a benchmark does not model. */
const MAX_BENCH_WAIT_MS = 120_000;

/**
 * The engine as the background runs it (real providers, CRM client, fake-indexeddb, WXT's fake
 * browser for storage and alarms) against emulators running in this process, on the real clock:
 * unlike `EngineHarness` (tests), a benchmark lets every wait take its real time, since the
 * time is what it measures. It records when each job ended (`ended`, epoch ms) and every
 * persisted wait it saw (`waits`).
 */
export class BenchEngine {
  readonly deps: BackgroundDeps;
  readonly engineDeps: EngineDeps;
  readonly engine: SyncEngine;
  readonly google: EmulatorAdmin;
  readonly microsoft: EmulatorAdmin;
  readonly crm: EmulatorAdmin;
  readonly ended = new Map<string, number>();
  readonly waits: SeenWait[] = [];

  constructor(readonly urls: EmulatorUrls) {
    this.deps = emulatorBackgroundDeps(urls);
    const real = engineDeps(this.deps);
    this.engineDeps = {
      ...real,
      progress: async (update) => {
        if ('cleared' in update) this.ended.set(update.jobId, Date.now());
        await real.progress(update);
      },
    };
    this.engine = new SyncEngine(this.engineDeps);
    this.google = emulatorAdmin(urls.google);
    this.microsoft = emulatorAdmin(urls.microsoft);
    this.crm = emulatorAdmin(urls.crm);
  }

  /** Resets the emulators' world and this browser; connects the CRM with a pasted token and copies the emulator's policy into the privacy rules. */
  async setUp(reset: { seed: number; size: SizeName | number; now?: number }): Promise<void> {
    fakeBrowser.reset();
    grantHostPermissions();
    await this.google.post('/reset', reset);
    await connectCrm(this.deps, { baseUrl: this.urls.crm, authMethod: 'personal_token', token: 'crm_pat_demo' });
    const policy = await this.policy();
    await savePrivacyRules({
      workspaceDomains: [...policy.workspaceDomains],
      blockedAddresses: [...policy.blockedAddresses],
      blockedDomains: [...policy.blockedDomains],
      excludedCategories: [...policy.excludedCategories],
    });
  }

  policy(): Promise<Policy> {
    return this.google.get<Policy>('/policy');
  }

  /** Connects the emulator's first mailbox of `provider` (Gmail: riley, Outlook: support), matching verified so a long backfill is allowed. */
  async connect(provider: 'gmail' | 'outlook'): Promise<Mailbox> {
    const mailbox = await connectMailbox(this.deps, { provider, scope: provider === 'gmail' ? 'sales' : 'support', kind: 'personal', owner: null, recoveryNote: null, backfillDays: 14 });
    const checklist = { ...mailbox.checklist, matching_verified: Date.now() };
    await this.deps.db.mailboxes.update(mailbox.id, { checklist });
    return { ...mailbox, checklist };
  }

  /**
   * Connects the mailbox, lets its first incremental sync and the contact mirror run (as after a
   * connect), clears the request log, then times a backfill of `days` to its end: what both
   * backfill benchmarks measure.
   */
  async timedBackfill(provider: 'gmail' | 'outlook', days: number): Promise<{ mailbox: Mailbox; started: number; backfillEnded: number; job: Job; run: SyncRun; since: number }> {
    const mailbox = await this.connect(provider);
    await this.settle();
    await this.google.delete('/requests');
    const started = Date.now();
    const job = await this.engine.backfill(mailbox.id, { days, confirmed: true });
    if ('confirm' in job) throw new Error(`The backfill asked for a confirmation: ${JSON.stringify(job)}`);
    await this.settle();
    const { db } = this.deps;
    const finished = (await getJob(db, jobId(mailbox.id, 'backfill')))!;
    return {
      mailbox,
      started,
      backfillEnded: this.ended.get(finished.id)!,
      job: finished,
      run: (await getRun(db, finished.runId!))!,
      since: (await getCheckpoint(db, mailbox.id, 'backfill'))!.progress.since!,
    };
  }

  /**
   * Runs the engine until no job is left and the outbox is empty. A persisted wait (a job's
   * `notBefore`, an outbox entry's `nextAttemptAt`) is recorded and slept through in real time.
   */
  async settle(maxRounds = 500): Promise<void> {
    const { db } = this.deps;
    for (let round = 0; round < maxRounds; round++) {
      await this.engine.tick();
      await this.engine.idle();
      const now = Date.now();
      const pending = (await unfinishedJobs(db)).filter((j) => j.status !== 'blocked' || j.lane === 'crm');
      const outbox = await db.outbox.where('status').equals('pending').toArray();
      if (pending.length === 0 && outbox.length === 0) return;
      for (const job of pending) if (job.notBefore > now) this.waits.push({ jobId: job.id, at: now, notBefore: job.notBefore, error: job.lastError });
      const next = Math.min(...pending.map((j) => j.notBefore), ...outbox.map((e) => e.nextAttemptAt));
      if (next - now > MAX_BENCH_WAIT_MS) throw new Error(`The engine waits ${Math.round((next - now) / 1000)} s: ${JSON.stringify(pending)}`);
      if (next > now) await new Promise((resolve) => setTimeout(resolve, next - now));
    }
    throw new Error(`The engine did not settle in ${maxRounds} rounds: ${JSON.stringify(await unfinishedJobs(db))}`);
  }

  /** The emulators' verdicts for the mailboxes asked about, from `since`. */
  truth(mailboxes: readonly string[], since?: number): Promise<GroundTruth> {
    return readGroundTruth(this.google, mailboxes, since);
  }

  crmEmails(): Promise<CrmEmailRecord[]> {
    return readCrmEmails(this.crm);
  }

  /** The CRM's emails against `expected` (`crmMismatches`, as `EngineHarness.expectCrmMatches` checks them), counted rather than asserted. */
  async checkCrm(expected: readonly ExpectedCrmEmail[]): Promise<CrmCheck> {
    const emails = await this.crmEmails();
    const { missing, extra, wrong } = crmMismatches(emails, expected);
    return {
      expected: expected.length,
      received: emails.length,
      missing: missing.length,
      extra: extra.length,
      rewritten: wrong.filter((w) => w.writes !== 1).length,
      wrongContacts: wrong.filter((w) => JSON.stringify(w.contacts) !== JSON.stringify(w.expected) || w.leaked.length > 0).length,
    };
  }

}
