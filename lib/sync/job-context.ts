import { addRun, atomically, emptyCounts, getRun, type Job, updateJob } from '../db';
import type { SyncRun } from '../domain';
import type { EngineDeps } from './engine-deps';

/** What a job's code gets: the engine's parts, its job row, and a cancel signal. */
export interface JobContext {
  deps: EngineDeps;
  job: Job;
  signal: AbortSignal;
  /** Called after a page is committed: its CRM writes can start. */
  committed: () => void;
}

/** Thrown inside a job to stop it where it stands: cancelled by the user, or its mailbox gone. */
export class JobStopped extends Error {
  override readonly name = 'JobStopped';
  constructor(readonly why: 'cancelled' | 'mailbox_gone') {
    super(why);
  }
}

/** Throws `JobStopped` when the job was cancelled (in this worker or a stored cancel). */
export function checkCancelled(ctx: JobContext): void {
  if (ctx.signal.aborted) throw new JobStopped('cancelled');
}

/** The job's run, recorded when it is not yet (a resumed job keeps its run). */
export async function ensureRun(ctx: JobContext, kind: SyncRun['kind']): Promise<SyncRun> {
  const { db } = ctx.deps;
  const runId = ctx.job.runId ?? crypto.randomUUID();
  return atomically(db, ['syncRuns', 'jobs'], async () => {
    const existing = await getRun(db, runId);
    if (existing) return existing;
    const run: SyncRun = { id: runId, mailboxId: ctx.job.lane, kind, status: 'running', startedAt: ctx.deps.now(), finishedAt: null, counts: emptyCounts(), error: null, undoneAt: null };
    await addRun(db, run);
    const job = await updateJob(db, ctx.job.id, (j) => ({ ...j, runId }));
    if (job) ctx.job = job;
    return run;
  });
}

/** Publishes the job's progress (and, in the browser, keeps the worker alive; see `EngineDeps.progress`). */
export async function reportProgress(ctx: JobContext, done: number, total: number | null, startedAt: number): Promise<void> {
  const now = ctx.deps.now();
  const elapsed = now - startedAt;
  const etaMs = total !== null && total > done && done > 0 && elapsed > 0 ? Math.round((elapsed / done) * (total - done)) : null;
  await ctx.deps.progress({ jobId: ctx.job.id, lane: ctx.job.lane, kind: ctx.job.kind, status: 'running', done, total, startedAt, etaMs, updatedAt: now });
}
