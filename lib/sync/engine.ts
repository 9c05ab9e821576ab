import {
  atomically,
  deleteJob,
  getJob,
  getMailbox,
  type Job,
  type JobKind,
  jobId,
  jobsOfLane,
  listMailboxes,
  pendingOutbox,
  putJob,
  unfinishedJobs,
  updateJob,
  updateMailbox,
  finishRun,
  getRun,
} from '../db';
import { DAY_MS, type Mailbox, ProviderError, providerError } from '../domain';
import { bestEffort } from '../async';
import { MessagingError } from '../messaging';
import type { EngineDeps } from './engine-deps';
import { BASE_BACKOFF_MS, decideOnError, exhausted, MAX_QUOTA_WAIT_MS } from './error-policy';
import { type JobContext, JobStopped } from './job-context';
import { CONFIRM_ABOVE_DAYS, FIRST_BACKFILL_MAX_DAYS, runBackfill } from './jobs/backfill';
import { mirrorContacts } from './jobs/contacts';
import { runIncremental } from './jobs/incremental';
import { runOutbox } from './jobs/outbox';
import { runPreview } from './jobs/preview';
import { runUndo } from './jobs/undo';
import { applyPrivacyRules } from './privacy';

/** The CRM's lane: the contact mirror and the outbox are the CRM's, not a mailbox's. */
export const CRM_LANE = 'crm';
/** How often incremental sync polls each mailbox (R16); the alarm fires at most this often (Chrome 120+). */
export const INCREMENTAL_EVERY_MS = 30_000;
/** How often the contact mirror asks the CRM for changes (R20). */
export const CONTACTS_EVERY_MS = 5 * 60_000;
/** A job in one of these states is not over: another of its kind on its lane is not queued. */
const UNFINISHED: readonly Job['status'][] = ['queued', 'running', 'waiting', 'blocked'];
/** Syncs a webmail page asks for start at least this far apart (R16): a debounce, whatever the page sends. */
export const REQUEST_SYNC_GAP_MS = 10_000;
/** A blocked CRM lane (sign-in refused) is tried again this often, in case the user fixed it elsewhere. */
const CRM_BLOCK_RETRY_MS = 30 * 60_000;

const RUNNERS: Record<JobKind, (ctx: JobContext) => Promise<void>> = {
  backfill: runBackfill,
  incremental: runIncremental,
  preview: runPreview,
  undo: runUndo,
  contacts: (ctx) => mirrorContacts(ctx.deps, ctx.signal),
  outbox: runOutbox,
};

/** A backfill the engine will not start without the user confirming the provider's estimate (R10). */
export interface NeedsConfirmation {
  confirm: { days: number; estimate: number | null };
}

/**
 * The sync engine (R9–R18): jobs that outlive the worker in IndexedDB, run by this worker as long
 * as it lives, resumed by the next from their last committed page (R13). Waits longer than a
 * request's retries are persisted as a job's `notBefore` and an alarm wakes the worker for them.
 */
export class SyncEngine {
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  /**
   * Lanes, and single jobs by id, that must not start now, with how many holds keep each stopped
   * (two disconnects at once both hold the outbox; see `withLaneStopped`).
   */
  private readonly stopped = new Map<string, number>();
  private ticking: Promise<void> | null = null;
  private again = false;

  constructor(private readonly deps: EngineDeps) {}

  /**
   * Worker start: every job this worker does not run was stopped with the previous worker, so a
   * `running` one is queued again; then a tick runs what is due, including waits that ended while
   * the worker slept.
   */
  async start(): Promise<void> {
    for (const job of await unfinishedJobs(this.deps.db)) {
      if (job.status === 'running' && !this.running.has(job.id)) await updateJob(this.deps.db, job.id, (j) => ({ ...j, status: 'queued' }));
    }
    await this.tick();
  }

  /**
   * Queues what is due and runs every runnable job, then asks to be woken for the earliest wait.
   * Ticks do not overlap: one asked for while another runs runs once after it.
   */
  tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        await this.tickOnce();
      } while (this.again);
    })().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const { db } = this.deps;
    const now = this.deps.now();
    const mailboxes = await this.endQuotaWaits(await listMailboxes(db), now);
    for (const mailbox of mailboxes) {
      if (!syncsOnItsOwn(mailbox) || this.stopped.has(mailbox.id)) continue;
      // Half the period: the last sync ended a little after the previous alarm, and the next alarm
      // must not find it "not yet 30 s old" and skip it, which would poll every 60 s.
      if ((mailbox.lastSyncedAt ?? 0) + INCREMENTAL_EVERY_MS / 2 <= now) await this.queue(mailbox.id, 'incremental', {});
    }
    if (await this.deps.crm()) {
      const contacts = await getJob(db, jobId(CRM_LANE, 'contacts'));
      if (!contacts || (!UNFINISHED.includes(contacts.status) && contacts.updatedAt + CONTACTS_EVERY_MS <= now)) await this.queue(CRM_LANE, 'contacts', {});
      if ((await pendingOutbox(db, now)).due > 0) await this.queue(CRM_LANE, 'outbox', {});
    }
    const byId = new Map(mailboxes.map((m) => [m.id, m]));
    let wake = Number.POSITIVE_INFINITY;
    // Read again: the jobs just queued are stamped with a later clock than the tick's start, and
    // must run now, not wait for the next alarm (at least 30 s away).
    const due = this.deps.now();
    for (const job of await unfinishedJobs(db)) {
      if (this.running.has(job.id) || this.stopped.has(job.lane) || this.stopped.has(job.id)) continue;
      const runnable = this.runnable(job, job.lane === CRM_LANE ? undefined : byId.get(job.lane), due);
      if (runnable === true) this.launch(job);
      else if (runnable !== false) wake = Math.min(wake, runnable);
    }
    if (Number.isFinite(wake)) await this.deps.wakeAt(wake);
  }

  /**
   * True to run now, a time to wake for, or false: a mailbox job waits while its mailbox needs the
   * user (reconnect, grant access, or "Sync now" after repeated failures); a blocked one runs again
   * once the mailbox is connected.
   */
  private runnable(job: Job, mailbox: Mailbox | undefined, now: number): boolean | number {
    if (job.lane !== CRM_LANE && (!mailbox || mailbox.status === 'reconnect_needed' || mailbox.status === 'error' || mailbox.disconnectingSince !== null)) return false;
    if (job.status === 'blocked' && job.lane !== CRM_LANE) return true;
    return job.notBefore <= now ? true : job.notBefore;
  }

  /** Mailboxes whose daily quota wait is over leave their error state (R12: "wait for quota"). */
  private async endQuotaWaits(mailboxes: readonly Mailbox[], now: number): Promise<Mailbox[]> {
    return Promise.all(
      mailboxes.map(async (mailbox) => {
        const error = mailbox.lastError;
        if (mailbox.status !== 'error' || error?.code !== 'quota_exhausted' || error.at + Math.min(error.retryAfterMs ?? 0, MAX_QUOTA_WAIT_MS) > now) return mailbox;
        return (await this.setMailboxState(mailbox.id, (m) => ({ ...m, status: 'connected', lastError: null }))) ?? mailbox;
      }),
    );
  }

  /** Queues a job unless one of that kind is already unfinished on the lane. Returns the job. */
  private async queue(lane: string, kind: JobKind, params: Job['params'], notBefore?: number): Promise<Job> {
    const { db } = this.deps;
    const now = this.deps.now();
    return atomically(db, ['jobs'], async () => {
      const existing = await getJob(db, jobId(lane, kind));
      if (existing && UNFINISHED.includes(existing.status)) return existing;
      return putJob(db, { id: jobId(lane, kind), lane, kind, status: 'queued', runId: null, params, notBefore: Math.max(now, notBefore ?? now), failures: 0, lastError: null, createdAt: now, updatedAt: now });
    });
  }

  private launch(job: Job): void {
    const abort = new AbortController();
    const promise = this.execute(job, abort).finally(() => {
      this.running.delete(job.id);
      this.tickSoon();
    });
    this.running.set(job.id, { promise, abort });
  }

  private async execute(job: Job, abort: AbortController): Promise<void> {
    const { db } = this.deps;
    const started = await updateJob(db, job.id, (j) => ({ ...j, status: 'running', updatedAt: this.deps.now() }));
    if (!started) return;
    const ctx: JobContext = { deps: this.deps, job: started, signal: abort.signal, committed: () => this.drainSoon() };
    try {
      await RUNNERS[job.kind](ctx);
      await this.finish(ctx.job, 'done', null);
      if (job.kind === 'incremental' || job.kind === 'backfill') await this.setMailboxState(job.lane, (m) => (m.lastError ? { ...m, status: 'connected', lastError: null } : m));
      if (job.kind === 'backfill') await updateMailbox(db, job.lane, (m) => ({ ...m, lastSyncedAt: this.deps.now() }));
    } catch (thrown) {
      // A request cut short by a cancel or a disconnect fails with whatever the client makes of
      // the abort: it is the stop, not a provider failure.
      const error = abort.signal.aborted && !(thrown instanceof JobStopped) ? new JobStopped('cancelled') : thrown;
      if (error instanceof JobStopped) {
        if (error.why === 'mailbox_gone') await deleteJob(db, job.id);
        else if (abort.signal.reason instanceof JobHeld) await updateJob(db, job.id, (j) => ({ ...j, status: 'queued', updatedAt: this.deps.now() }));
        else await this.finish(ctx.job, 'cancelled', null);
        return;
      }
      // Recording the failure must not fail silently: a job left `running` would be started again by
      // the next tick at once, in a loop. If it cannot be recorded, the job waits the first backoff.
      await this.onError(ctx.job, error).catch(async (recording: unknown) => {
        console.error('[mailbox-crm] could not record a failed job:', recording instanceof Error ? recording.name : typeof recording);
        await updateJob(db, job.id, (j) => ({ ...j, status: 'waiting', notBefore: this.deps.now() + BASE_BACKOFF_MS, updatedAt: this.deps.now() }));
      });
    } finally {
      await this.deps.progress({ jobId: job.id, cleared: true });
    }
  }

  /** The job's end: its row, and its run's status. */
  private async finish(job: Job, status: 'done' | 'cancelled' | 'failed', error: ProviderError | null): Promise<void> {
    const { db } = this.deps;
    const now = this.deps.now();
    await updateJob(db, job.id, (j) => ({ ...j, status, failures: status === 'failed' ? j.failures : 0, lastError: error?.toJSON() ?? null, updatedAt: now }));
    if (job.runId && (await getRun(db, job.runId))?.status === 'running') {
      await finishRun(db, job.runId, { status: status === 'done' ? 'succeeded' : status, finishedAt: now, error: error?.toJSON() ?? null });
    }
  }

  /** Applies the error policy's decision to the job, its mailbox and its run (R12, R14). */
  private async onError(job: Job, error: unknown): Promise<void> {
    const { db } = this.deps;
    const now = this.deps.now();
    const decision = decideOnError(error, job, now);
    const mailboxLane = job.lane !== CRM_LANE;
    switch (decision.action) {
      case 'retry':
        await updateJob(db, job.id, (j) => ({ ...j, status: 'waiting', notBefore: decision.notBefore, failures: decision.failures, lastError: decision.error.toJSON(), updatedAt: now }));
        return;
      case 'block':
        await updateJob(db, job.id, (j) => ({
          ...j,
          status: 'blocked',
          notBefore: decision.notBefore ?? (mailboxLane ? now : now + CRM_BLOCK_RETRY_MS),
          lastError: decision.error.toJSON(),
          updatedAt: now,
        }));
        if (mailboxLane) await this.setMailboxState(job.lane, (m) => ({ ...m, status: decision.status, lastError: decision.error.toJSON() }));
        return;
      case 'resync':
        // `runIncremental` acts on this decision itself (a bounded re-sync, R14) before it gets here.
        await this.finish(job, 'failed', decision.error);
        return;
      case 'fail': {
        const failed = job.failures > 0 ? exhausted(decision.error, job.failures + 1) : decision.error;
        await this.finish(job, 'failed', failed);
        // Only the mailbox's sync stops it: a failed preview or undo fails alone, with its error.
        if (job.kind === 'incremental' || job.kind === 'backfill') await this.setMailboxState(job.lane, (m) => ({ ...m, status: 'error', lastError: failed.toJSON() }));
      }
    }
  }

  /** After a page is committed, the outbox starts draining, so the CRM fills while a long job runs. */
  private drainSoon(): void {
    if (this.running.has(jobId(CRM_LANE, 'outbox'))) return;
    this.tickSoon();
  }

  /** A tick nobody waits for: a failure (IndexedDB closing under a stopping worker) is recorded, and the next alarm tries again. */
  tickSoon(): void {
    void bestEffort('run the sync engine', this.tick());
  }

  /** "Sync now" (R9): clears a failed sync's error, runs incremental sync at once and retries waiting CRM writes. */
  async syncNow(mailboxId: string): Promise<Job> {
    const mailbox = await this.usableMailbox(mailboxId);
    const job = await this.queue(mailbox.id, 'incremental', {});
    // The user asked: CRM writes waiting out a backoff are tried now too, not at the backoff's end.
    const outbox = await getJob(this.deps.db, jobId(CRM_LANE, 'outbox'));
    if (outbox) await this.retryNow(outbox);
    await this.retryNow(job);
    return (await getJob(this.deps.db, job.id)) ?? job;
  }

  /**
   * The open webmail shows new mail (R16): an incremental sync is queued for the mailbox unless one
   * is unfinished already (a page asking again joins it), and starts no sooner than
   * `REQUEST_SYNC_GAP_MS` after the last one ended, so a page cannot make the extension poll
   * without pause. A wait the engine persisted stands, and a mailbox in an error state stays
   * there: null then. Only the user's "Sync now" overrides those.
   */
  async requestSync(mailboxId: string): Promise<Job | null> {
    const mailbox = await getMailbox(this.deps.db, mailboxId);
    if (!mailbox || !syncsOnItsOwn(mailbox)) return null;
    const last = await getJob(this.deps.db, jobId(mailbox.id, 'incremental'));
    const notBefore = last && !UNFINISHED.includes(last.status) ? last.updatedAt + REQUEST_SYNC_GAP_MS : this.deps.now();
    const job = await this.queue(mailbox.id, 'incremental', {}, notBefore);
    const wait = job.notBefore - this.deps.now();
    // A wait this short is slept (well under the worker's 30 s); the persisted `notBefore` and the
    // alarm cover a worker stopped meanwhile.
    if (wait > 0) setTimeout(() => this.tickSoon(), wait);
    else this.tickSoon();
    return job;
  }

  /**
   * Backfill (R10) of the last `days` days. Refused while a provider error is unresolved (R12), a
   * retryable one included (its retry is "Sync now"), and
   * above 14 days until matching is verified; above 60 days it needs the user's confirmation
   * (`confirmed`), else it answers the provider's estimate of the window to confirm.
   */
  async backfill(mailboxId: string, input: { days: number; confirmed?: boolean }): Promise<Job | NeedsConfirmation> {
    // The seed: no backfill while a provider error is unresolved, even one a retry may clear: "Sync now" is that retry.
    const current = await this.mailbox(mailboxId);
    if (current.status === 'error' && (current.lastError === null || current.lastError.action === 'retry')) {
      throw MessagingError.of('handler_failed', `Backfill is blocked: ${current.lastError?.message ?? 'the last sync failed.'} Run Sync now first; backfill once it succeeds.`);
    }
    const mailbox = await this.usableMailbox(mailboxId);
    if (input.days > FIRST_BACKFILL_MAX_DAYS && mailbox.checklist.matching_verified === undefined) {
      throw MessagingError.of('handler_failed', `Backfill is held to ${FIRST_BACKFILL_MAX_DAYS} days until you confirm matching looks right (launch checklist: "matching verified").`);
    }
    if (input.days > CONFIRM_ABOVE_DAYS && !input.confirmed) return { confirm: { days: input.days, estimate: await this.estimate(mailbox, input.days) } };
    return this.startWindowJob(mailbox, 'backfill', input.days);
  }

  /** Preview (R11): a dry run of the window. */
  async preview(mailboxId: string, days: number): Promise<Job> {
    return this.startWindowJob(await this.usableMailbox(mailboxId), 'preview', days);
  }

  /** Undo (R18): removes from the CRM what one run pushed. */
  async undo(mailboxId: string, runId: string): Promise<Job> {
    const mailbox = await this.mailbox(mailboxId);
    const run = await getRun(this.deps.db, runId);
    if (!run || run.mailboxId !== mailbox.id) throw MessagingError.of('handler_failed', 'That run is not in this mailbox’s sync history.');
    if (run.undoneAt !== null) throw MessagingError.of('handler_failed', 'That run was already undone.');
    if (run.status === 'running') throw MessagingError.of('handler_failed', 'That run is still going: cancel it or wait for it to finish, then undo it.');
    const unfinished = await getJob(this.deps.db, jobId(mailbox.id, 'undo'));
    if (unfinished && UNFINISHED.includes(unfinished.status)) throw MessagingError.of('handler_failed', 'Another undo of this mailbox is still running; wait for it to finish.');
    await deleteJob(this.deps.db, jobId(mailbox.id, 'undo'));
    const job = await this.queue(mailbox.id, 'undo', { runId });
    this.tickSoon();
    return job;
  }

  /** Cancels a running or waiting job; what it committed stays (R10). */
  async cancel(id: string): Promise<Job | undefined> {
    this.running.get(id)?.abort.abort();
    const job = await updateJob(this.deps.db, id, (j) => (UNFINISHED.includes(j.status) && j.status !== 'running' ? { ...j, status: 'cancelled', updatedAt: this.deps.now() } : j));
    if (job?.status === 'cancelled' && job.runId && (await getRun(this.deps.db, job.runId))?.status === 'running') {
      await finishRun(this.deps.db, job.runId, { status: 'cancelled', finishedAt: this.deps.now(), error: null });
    }
    return job;
  }

  /** The CRM was connected again (R8): its contact mirror and writes waiting out a refusal run now. */
  async resumeCrm(): Promise<void> {
    for (const kind of ['contacts', 'outbox'] as const) {
      const job = await getJob(this.deps.db, jobId(CRM_LANE, kind));
      if (job) await this.retryNow(job);
    }
    this.tickSoon();
  }

  /**
   * Runs `work` (a mailbox's disconnect: revoke, then purge, R34) with its lane stopped: the
   * lane's jobs running in this worker are aborted and awaited first, and until `work` ends no tick
   * queues or starts another (the revocation takes a round trip, and a job started meanwhile would
   * read the mailbox with a grant being revoked). Its job rows go with its data.
   *
   * The CRM lane's outbox is stopped the same way: a batch it holds may carry the mailbox's writes,
   * and its client retries a failed push in memory, so after the purge it would still send what
   * the purge removed. Aborting it ends those retries (a request already on the wire may land: it
   * left before the disconnect answered); it starts again once `work` ended, and rebuilds its
   * batch from what is left.
   */
  async withLaneStopped<T>(lane: string, work: () => Promise<T>): Promise<T> {
    const outbox = jobId(CRM_LANE, 'outbox');
    const held = [lane, outbox];
    for (const key of held) this.stopped.set(key, (this.stopped.get(key) ?? 0) + 1);
    try {
      const stopping = [...this.running].filter(([id]) => id.startsWith(`${lane}/`) || id === outbox);
      // The mailbox's jobs are cancelled (their rows go with its data); the outbox is only held.
      for (const [id, run] of stopping) run.abort.abort(id === outbox ? new JobHeld() : undefined);
      await Promise.all(stopping.map(([, run]) => run.promise));
      return await work();
    } finally {
      for (const key of held) {
        const holds = (this.stopped.get(key) ?? 1) - 1;
        if (holds > 0) this.stopped.set(key, holds);
        else this.stopped.delete(key);
      }
      // The outbox was held, not ended: what it has left to push goes now, not at the next alarm.
      this.tickSoon();
    }
  }

  /** The privacy rules were saved (R21): pending writes they now exclude are withdrawn (see `applyPrivacyRules`). Returns how many were cancelled. */
  privacyRulesChanged(): Promise<number> {
    return applyPrivacyRules(this.deps);
  }

  /** Every job of every lane, for the UI. */
  async jobs(): Promise<Job[]> {
    const lanes = [CRM_LANE, ...(await listMailboxes(this.deps.db)).map((m) => m.id)];
    return (await Promise.all(lanes.map((lane) => jobsOfLane(this.deps.db, lane)))).flat();
  }

  /** Resolves when no job runs and no tick is pending (tests, and a clean worker stop). */
  async idle(): Promise<void> {
    while (this.ticking || this.running.size > 0) {
      await this.ticking;
      await Promise.all([...this.running.values()].map((r) => r.promise));
    }
  }

  /** The provider's estimate of the messages in a window (R10): the first page of its listing. */
  private async estimate(mailbox: Mailbox, days: number): Promise<number | null> {
    const page = await this.deps.provider(mailbox).listWindow({ since: this.deps.now() - days * DAY_MS, cursor: null, visibility: 'metadata', only: mailbox.syncOnly });
    return page.estimate ?? (page.nextCursor === null ? page.messages.length : null);
  }

  /** Starts a backfill or preview afresh; one already unfinished is refused, not replaced. */
  private async startWindowJob(mailbox: Mailbox, kind: 'backfill' | 'preview', days: number): Promise<Job> {
    const { db } = this.deps;
    const id = jobId(mailbox.id, kind);
    const existing = await getJob(db, id);
    if (existing && UNFINISHED.includes(existing.status)) {
      throw MessagingError.of('handler_failed', `A ${kind} of this mailbox is already running; cancel it first to start another.`);
    }
    await deleteJob(db, id);
    const job = await this.queue(mailbox.id, kind, { days });
    this.tickSoon();
    return job;
  }

  /** A waiting job asked for by the user runs now, not at its backoff's end. */
  private async retryNow(job: Job): Promise<void> {
    if (job.status === 'waiting' || job.status === 'blocked') await updateJob(this.deps.db, job.id, (j) => ({ ...j, status: 'queued', notBefore: this.deps.now() }));
    this.tickSoon();
  }

  private async mailbox(id: string): Promise<Mailbox> {
    const mailbox = await getMailbox(this.deps.db, id);
    if (!mailbox) throw MessagingError.of('handler_failed', 'That mailbox is no longer connected. Reopen the popup to see the current list.');
    if (mailbox.disconnectingSince !== null) throw MessagingError.of('handler_failed', 'That mailbox is being disconnected. Reopen the popup to see the current list.');
    return mailbox;
  }

  /**
   * Changes a mailbox's state; when its status changed, the background hears of it
   * (`mailboxStatusChanged`: the CRM's record follows, R37). Returns the stored mailbox.
   */
  private async setMailboxState(id: string, change: (mailbox: Mailbox) => Mailbox): Promise<Mailbox | undefined> {
    let before: Mailbox['status'] | undefined;
    const after = await updateMailbox(this.deps.db, id, (m) => {
      before = m.status;
      return change(m);
    });
    const hook = this.deps.mailboxStatusChanged;
    if (after && hook && after.status !== before) await bestEffort("update the CRM's record of a mailbox whose status changed", hook(after));
    return after;
  }

  /**
   * The mailbox a user's action is for, unless a provider error the user must fix blocks it (R12).
   * An error the user may retry past (repeated transient failures) is cleared: the action is the retry.
   */
  private async usableMailbox(id: string): Promise<Mailbox> {
    const mailbox = await this.mailbox(id);
    if (mailbox.status === 'reconnect_needed' || (mailbox.status === 'error' && mailbox.lastError && mailbox.lastError.action !== 'retry')) {
      throw new ProviderError(mailbox.lastError ?? providerError('reauth_required', mailbox.provider).toJSON());
    }
    if (mailbox.status !== 'error') return mailbox;
    return (await this.setMailboxState(mailbox.id, (m) => ({ ...m, status: 'connected', lastError: null }))) ?? mailbox;
  }
}

/** The abort reason of a job stopped only for a while (see `withLaneStopped`): it is queued again, not cancelled. */
class JobHeld extends Error {
  override readonly name = 'JobHeld';
}

/** A mailbox the engine syncs on its own (alarms, webmail pages): an OAuth one, not blocked on the user, not being disconnected. */
function syncsOnItsOwn(mailbox: Mailbox): boolean {
  return mailbox.provider !== 'imap' && mailbox.status !== 'reconnect_needed' && mailbox.status !== 'error' && mailbox.disconnectingSince === null;
}
