import type { MailboxCrmDatabase } from '../database';
import { type Job, type JobKind, jobSchema } from '../rows';

/** The id of a lane's job of one kind: one at a time per lane and kind. */
export function jobId(lane: string, kind: JobKind): string {
  return `${lane}/${kind}`;
}

/** A job by id, validated. */
export async function getJob(db: MailboxCrmDatabase, id: string): Promise<Job | undefined> {
  const row = await db.jobs.get(id);
  return row && jobSchema.parse(row);
}

/** Saves a job, validated. */
export async function putJob(db: MailboxCrmDatabase, job: Job): Promise<Job> {
  const valid = jobSchema.parse(job);
  await db.jobs.put(valid);
  return valid;
}

/** Every job of a lane (a mailbox id, or `crm`). */
export async function jobsOfLane(db: MailboxCrmDatabase, lane: string): Promise<Job[]> {
  const rows = await db.jobs.where('lane').equals(lane).toArray();
  return rows.map((row) => jobSchema.parse(row));
}

/** The states of a job that is not finished: queued, running (or stopped with the worker), waiting or blocked (R13). */
const UNFINISHED_STATUSES: readonly Job['status'][] = ['queued', 'running', 'waiting', 'blocked'];

/** Jobs not finished (see `UNFINISHED_STATUSES`). */
export async function unfinishedJobs(db: MailboxCrmDatabase): Promise<Job[]> {
  const rows = await db.jobs.where('status').anyOf([...UNFINISHED_STATUSES]).toArray();
  return rows.map((row) => jobSchema.parse(row));
}

/** The jobs of a lane (a mailbox id, or `crm`) that are not finished: what a disconnect stops (R34). */
export async function unfinishedJobsOfLane(db: MailboxCrmDatabase, lane: string): Promise<Job[]> {
  return (await jobsOfLane(db, lane)).filter((job) => UNFINISHED_STATUSES.includes(job.status));
}

/**
 * Changes a stored job by reading and writing it in one transaction; nothing for a job that is
 * gone (its mailbox disconnected). Returns the stored job.
 */
export async function updateJob(db: MailboxCrmDatabase, id: string, change: (job: Job) => Job): Promise<Job | undefined> {
  return db.transaction('rw', db.jobs, async () => {
    const current = await getJob(db, id);
    return current && putJob(db, change(current));
  });
}

/** Deletes a job row. */
export async function deleteJob(db: MailboxCrmDatabase, id: string): Promise<void> {
  await db.jobs.delete(id);
}
