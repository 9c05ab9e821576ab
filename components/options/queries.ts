import { useQuery } from '@tanstack/react-query';
import { type MessageOutput, sendToBackground } from '@/lib/messaging';

/** How often the page polls while it waits on the background (a test email coming back, an undo running). */
export const POLL_MS = 1_000;

/** A mailbox's sync history (R17), newest first. */
export function useRuns(mailboxId: string) {
  return useQuery({
    queryKey: ['runs', mailboxId],
    queryFn: async () => (await sendToBackground('getRuns', { mailboxId })).runs.toSorted((a, b) => b.startedAt - a.startedAt),
  });
}

/** The jobs and live progress; polled while `pollWhile` says, of the latest answer, that something is under way. */
export function useJobs(pollWhile: (latest: MessageOutput<'getJobs'> | undefined) => boolean) {
  return useQuery({ queryKey: ['jobs'], queryFn: () => sendToBackground('getJobs', {}), refetchInterval: (query) => (pollWhile(query.state.data) ? POLL_MS : false) });
}

/** The review prompts not dismissed (R33). */
export function usePrompts() {
  return useQuery({ queryKey: ['prompts'], queryFn: async () => (await sendToBackground('getReviewPrompts', {})).prompts });
}

/** The workspace's privacy rules (R21). */
export function usePrivacyRules() {
  return useQuery({ queryKey: ['privacyRules'], queryFn: () => sendToBackground('getPrivacyRules', {}) });
}

/** The labels (Gmail) or folders (Outlook) a mailbox's sync may be restricted to; read from the provider only once `enabled`. */
export function useFolders(mailboxId: string, enabled: boolean) {
  return useQuery({ queryKey: ['folders', mailboxId], queryFn: async () => (await sendToBackground('listFolders', { mailboxId })).folders, enabled });
}

/** The review sample of one run, per contact (R24); read only once the user opens the review. */
export function useRunSample(runId: string | null) {
  return useQuery({
    queryKey: ['runSample', runId],
    queryFn: async () => (await sendToBackground('getRunSample', { runId: runId!, perContact: 5 })).contacts,
    enabled: runId !== null,
  });
}

/**
 * The overview (mailboxes and the CRM connection), as the popup reads it. Polled while a test
 * email is out and not back yet (R31), so its "test receive" tick shows when sync brings it back.
 */
export function useOptionsOverview() {
  return useQuery({
    queryKey: ['overview'],
    queryFn: () => sendToBackground('getOverview', {}),
    refetchInterval: (query) => (query.state.data?.mailboxes.some((m) => m.testEmail !== null && m.testEmail.receivedAt === null) ? POLL_MS : false),
  });
}
