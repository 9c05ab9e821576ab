import { useQuery } from '@tanstack/react-query';
import { sendToBackground } from '@/lib/messaging';

/** The background's overview: mailboxes and the CRM connection. */
export function useOverview() {
  return useQuery({ queryKey: ['overview'], queryFn: () => sendToBackground('getOverview', {}) });
}
