import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { type MessageOutput, sendToBackground } from '@/lib/messaging';
import type { SidebarState } from '@/lib/webmail/channel';

export type ThreadView = MessageOutput<'getThreadView'>;
export type PageThread = NonNullable<SidebarState['thread']>;

/** How often the view is read again while the engine is at work on the thread (a message waiting, a mailbox syncing). */
const POLL_MS = 2_000;

/** The key of a thread's view; every action on the thread invalidates `['threadView']`. */
function threadViewKey(webmail: SidebarState['webmail'], thread: PageThread) {
  return ['threadView', webmail, thread.threadKey, thread.participants] as const;
}

/** True while the engine will change the view by itself soon. */
function busy(view: ThreadView | undefined): boolean {
  return !!view?.mailboxes.some((m) => m.status === 'syncing' || m.messages.some((message) => message.state === 'waiting'));
}

/**
 * What the sidebar shows for the open thread (R26, R28), from the local mirror. When the page
 * shows more of the thread's participants (a message expanded), the view on screen stays until
 * the new one arrives; it is polled while a sync or a push is under way.
 */
export function useThreadView(webmail: SidebarState['webmail'], thread: PageThread) {
  return useQuery({
    queryKey: threadViewKey(webmail, thread),
    queryFn: () => sendToBackground('getThreadView', { provider: webmail, threadKey: thread.threadKey, participants: thread.participants }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (busy(query.state.data) ? POLL_MS : false),
  });
}

/** Reads every thread view again: after an action changed what the engine pushes. */
export function useRefreshThreadView(): () => Promise<void> {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['threadView'] });
}

/** The contact's recent emails in the CRM, newest first; read only once the user opens the timeline. */
export function useContactTimeline(contactId: string, enabled: boolean) {
  return useQuery({
    queryKey: ['timeline', contactId],
    queryFn: async () => (await sendToBackground('getContactTimeline', { contactId, limit: 5 })).emails,
    enabled,
  });
}

/**
 * Contacts of the local mirror whose name, company or address holds `text`, and whether the search
 * stopped at its cap (`truncated`); nothing is asked while `text` is null.
 */
export function useContactSearch(text: string | null) {
  return useQuery({
    queryKey: ['contactSearch', text],
    queryFn: () => sendToBackground('searchContacts', { text: text!, limit: 10 }),
    enabled: text !== null,
  });
}
