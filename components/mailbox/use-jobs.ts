import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { Job, JobProgress } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';

/** Jobs that are doing something now: polled every second while one exists. */
const ACTIVE: readonly Job['status'][] = ['running', 'queued'];
/** Jobs paused until `notBefore`: looked at now and then, to see them resume. */
const PAUSED: readonly Job['status'][] = ['waiting', 'blocked'];

/** Whether a job has not ended yet (running, queued, or waiting out a backoff or a quota). */
export function isOpenJob(job: Job): boolean {
  return ACTIVE.includes(job.status) || PAUSED.includes(job.status);
}

/**
 * The engine's jobs and their live progress (R10), polled about every second only while a job runs
 * (every 10 s while one waits). When running jobs end, what they changed is read again: the
 * mailboxes (status, last sync) and their sync history.
 */
export function useJobs() {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ['jobs'],
    queryFn: () => sendToBackground('getJobs', {}),
    refetchInterval: (q) => {
      const jobs = q.state.data?.jobs ?? [];
      if (jobs.some((j) => ACTIVE.includes(j.status))) return 1000;
      return jobs.some((j) => PAUSED.includes(j.status)) ? 10_000 : false;
    },
  });
  const active = (query.data?.jobs ?? []).filter((j) => ACTIVE.includes(j.status)).map((j) => j.id);
  const key = active.join('\n');
  const previous = useRef<string | null>(null);
  useEffect(() => {
    const before = previous.current;
    previous.current = key;
    if (before === null || before === '') return;
    const now = new Set(key.split('\n'));
    if (before.split('\n').some((id) => !now.has(id))) {
      void queryClient.invalidateQueries({ queryKey: ['overview'] });
      void queryClient.invalidateQueries({ queryKey: ['runs'] });
    }
  }, [key, queryClient]);
  return query;
}

/** An open job of a mailbox, with the progress it reported (null before its first page). */
export type LaneJob = { job: Job; progress: JobProgress | null };

/** A mailbox's share of the jobs: its open jobs, each with its progress when it reported one. */
export function laneJobs(data: { jobs: Job[]; progress: JobProgress[] } | undefined, mailboxId: string): LaneJob[] {
  if (!data) return [];
  return data.jobs.filter((j) => j.lane === mailboxId && isOpenJob(j)).map((job) => ({ job, progress: data.progress.find((p) => p.jobId === job.id) ?? null }));
}
