import type { InboxSignal } from './thread';

/**
 * Whether the page shows new mail between two readings (R16): the unread count rose, or a
 * conversation appeared in the list above one that was listed before (new mail arrives at the
 * top). A list seen for the first time, a reorder, a removal, a conversation moving up from
 * below the first 20 to fill a gap (it lands below every listed one), or a list sharing no
 * conversation with the previous one (another page or folder) is not new mail.
 */
export function hasNewMail(previous: InboxSignal, next: InboxSignal): boolean {
  if (previous.unread !== null && next.unread !== null && next.unread > previous.unread) return true;
  if (previous.topKeys.length === 0) return false;
  const known = new Set(previous.topKeys);
  // New mail lands above the conversations already listed; with none of them left (another page or
  // folder) nothing can be told apart from a change of view.
  const lastKnown = next.topKeys.findLastIndex((key) => known.has(key));
  return lastKnown > 0 && next.topKeys.slice(0, lastKnown).some((key) => !known.has(key));
}
