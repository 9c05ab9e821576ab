import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { type EmulatorUrls, type RunningEmulators, startEmulators } from '@/emulators';
import type { ExpectedCrmEmail, GroundTruth } from '@/emulators/seed/ground-truth';
import type { Policy } from '@/emulators/seed/policy';
import { connectCrm } from '@/lib/background/crm-connection';
import type { BackgroundDeps } from '@/lib/background/deps';
import { engineDeps } from '@/lib/background/engine';
import { connectMailbox } from '@/lib/background/mailboxes';
import { type Job, MailboxCrmDatabase, unfinishedJobs } from '@/lib/db';
import type { JobProgress, Mailbox, Scope } from '@/lib/domain';
import { savePrivacyRules } from '@/lib/platform';
import { type EngineDeps, SyncEngine } from '@/lib/sync';
import { type CrmEmailRecord, crmMismatches, readCrmEmails, readGroundTruth } from './crm-expectations';
import { emulatorAdmin } from './emulator-admin';
import { emulatorBackgroundDeps } from './emulator-endpoints';

/** A job seen waiting for a persisted time (`notBefore`) or blocked, at the end of a round of `settle`. */
export interface SeenWait {
  jobId: string;
  status: Job['status'];
  notBefore: number;
  /** The harness clock when it was seen. */
  at: number;
  code: string | null;
}

/**
 * The engine against running emulators, with the real providers, CRM client, IndexedDB (fake-
 * indexeddb) and extension storage (WXT's fake browser), and a clock the test moves: persisted
 * waits (`notBefore`) end when the test says so, not after real minutes.
 */
export class EngineHarness {
  readonly deps: BackgroundDeps;
  readonly engineDeps: EngineDeps;
  readonly engine: SyncEngine;
  readonly wakes: number[] = [];
  readonly progress: JobProgress[] = [];
  /** Every job seen `waiting` or `blocked` between rounds: the persisted waits the engine used. */
  readonly waits: SeenWait[] = [];
  /** Called with each progress update, after it is recorded (a test's hook into "during a job"). */
  onProgress: ((update: JobProgress) => Promise<void>) | null = null;
  clock = Date.now();
  readonly google;
  readonly microsoft;
  readonly crm;

  /**
   * `databaseName` opens an existing database (another engine's, for a worker restart); by
   * default a new one.
   */
  constructor(
    readonly urls: EmulatorUrls,
    databaseName?: string,
  ) {
    const deps = emulatorBackgroundDeps(urls);
    this.deps = databaseName === undefined ? deps : { ...deps, db: new MailboxCrmDatabase(databaseName) };
    const real = engineDeps(this.deps);
    this.engineDeps = {
      ...real,
      now: () => this.clock,
      wakeAt: async (at) => {
        this.wakes.push(at);
      },
      progress: async (update) => {
        await real.progress(update);
        if ('cleared' in update) return;
        this.progress.push(update);
        await this.onProgress?.(update);
      },
    };
    this.engine = new SyncEngine(this.engineDeps);
    this.google = emulatorAdmin(urls.google);
    this.microsoft = emulatorAdmin(urls.microsoft);
    this.crm = emulatorAdmin(urls.crm);
  }

  /** Resets the emulators' world and this browser; connects the CRM with a pasted token and copies the emulator's policy into the privacy rules. */
  async setUp(reset: { seed: number; size: 'demo' | '10k' }): Promise<void> {
    fakeBrowser.reset();
    vi.spyOn(fakeBrowser.permissions, 'contains').mockImplementation(async () => true);
    await this.google.post('/reset', reset);
    await connectCrm(this.deps, { baseUrl: this.urls.crm, authMethod: 'personal_token', token: 'crm_pat_demo' });
    const policy = await this.google.get<Policy>('/policy');
    await savePrivacyRules({
      workspaceDomains: [...policy.workspaceDomains],
      blockedAddresses: [...policy.blockedAddresses],
      blockedDomains: [...policy.blockedDomains],
      excludedCategories: [...policy.excludedCategories],
    });
  }

  /** Connects the emulator's first mailbox of `provider` (Gmail: riley, Outlook: support). */
  async connect(provider: 'gmail' | 'outlook', scope: Scope = provider === 'gmail' ? 'sales' : 'support', verified = true): Promise<Mailbox> {
    const mailbox = await connectMailbox(this.deps, { provider, scope, kind: 'personal', owner: null, recoveryNote: null, backfillDays: 14 });
    if (!verified) return mailbox;
    const checklist = { ...mailbox.checklist, matching_verified: this.clock };
    await this.deps.db.mailboxes.update(mailbox.id, { checklist });
    return { ...mailbox, checklist };
  }

  /**
   * Runs the engine until nothing is left to do: every persisted wait is skipped by moving the
   * clock to it. Fails after `maxRounds` rounds, so an endless loop is a failing test.
   */
  async settle(maxRounds = 200): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      const next = await this.round();
      if (next === null) return;
      this.clock = Math.max(this.clock, next);
    }
    throw new Error(`The engine did not settle in ${maxRounds} rounds: ${JSON.stringify(await unfinishedJobs(this.deps.db))}`);
  }

  /**
   * One scheduler tick, run until the engine is idle; records the persisted waits it left.
   * Returns when the engine next has work (the earliest wait), or null when it has none.
   */
  async round(): Promise<number | null> {
    await this.engine.tick();
    await this.engine.idle();
    const pending = (await unfinishedJobs(this.deps.db)).filter((j) => j.status !== 'blocked' || j.lane === 'crm');
    for (const job of pending) {
      if (job.status === 'waiting' || job.status === 'blocked') this.waits.push({ jobId: job.id, status: job.status, notBefore: job.notBefore, at: this.clock, code: job.lastError?.code ?? null });
    }
    const outbox = await this.deps.db.outbox.where('status').equals('pending').count();
    if (pending.length === 0 && outbox === 0) return null;
    return Math.min(...pending.map((j) => j.notBefore), ...(outbox > 0 ? [this.clock + 60_000] : []));
  }

  /** A second worker on this one's database and emulators: new engine, provider clients and clock reading, same storage. */
  restarted(): EngineHarness {
    const next = new EngineHarness(this.urls, this.deps.db.name);
    next.clock = this.clock;
    return next;
  }

  /** The emulators' verdicts for the mailboxes asked about, from `since`. */
  truth(mailboxes: readonly string[], since?: number): Promise<GroundTruth> {
    return readGroundTruth(this.google, mailboxes, since);
  }

  crmEmails(): Promise<CrmEmailRecord[]> {
    return readCrmEmails(this.crm);
  }

  /** The CRM holds exactly the expected emails: none missing, none extra, each written once, right contacts, allowed fields only. */
  async expectCrmMatches(expected: readonly ExpectedCrmEmail[]): Promise<void> {
    const { missing, extra, wrong } = crmMismatches(await this.crmEmails(), expected);
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    expect(wrong).toEqual([]);
  }
}

/**
 * The usual life of a test file of the engine: emulators of a seeded demo world for the file, and
 * for each test a fresh harness on a reset world with no faults left, handed to `use`.
 */
export function useEngineHarness(seed: number, use: (harness: EngineHarness) => void): void {
  let emulators: RunningEmulators;
  beforeAll(async () => {
    emulators = await startEmulators({ size: 'demo', seed });
  });
  afterAll(() => emulators.stop());
  beforeEach(async () => {
    const harness = new EngineHarness(emulators.urls);
    await harness.setUp({ seed, size: 'demo' });
    await harness.google.delete('/faults');
    use(harness);
  });
}
