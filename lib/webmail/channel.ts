import { z } from 'zod';
import { CHANNEL_LIMITS as L } from './channel-constants';

/**
 * The channel between a webmail tab's content script and the sidebar frame it hosts (an extension
 * page in an iframe, so the page can neither read nor script the sidebar). It runs over an
 * extension port the content script opens with a per-frame secret as its name, so neither the
 * page nor a sidebar frame the page embeds itself can join it.
 *
 * The content script keeps `bytes` small: it imports only the types of this file; the sidebar
 * frame checks every message with these schemas, since what it carries was read from the page.
 */
const pageParticipantSchema = z.object({ name: z.string().max(L.name), address: z.string().max(L.address) });

/** What the content script tells the sidebar frame. */
export const toSidebarSchema = z.discriminatedUnion('type', [
  /** The page as it stands now: which webmail, the open thread (null on a list or settings page), and whether the sidebar is collapsed. */
  z.object({
    type: z.literal('state'),
    webmail: z.enum(['gmail', 'outlook']),
    thread: z
      .object({
        threadKey: z.string().min(1).max(L.threadKey),
        subject: z.string().max(L.subject),
        participants: z.array(pageParticipantSchema).max(L.participants),
        missing: z.array(z.string().max(L.missingName)).max(L.missing),
      })
      .nullable(),
    collapsed: z.boolean(),
  }),
  /** The webmail shows new mail (R16); the frame asks the background for an incremental sync. */
  z.object({ type: z.literal('newMail') }),
]);
export type ToSidebar = z.infer<typeof toSidebarSchema>;
export type SidebarState = Extract<ToSidebar, { type: 'state' }>;

/**
 * What the sidebar frame tells the content script. A type only: the content script, which has no
 * zod, checks these by hand (`readFromSidebar` in components/sidebar/host/sidebar-host.ts).
 */
export type FromSidebar =
  /** The frame accepted the port and listens. */
  | { type: 'ready' }
  /** The rep collapsed or expanded the sidebar; the content script resizes the frame (the frame stores the preference). */
  | { type: 'setCollapsed'; collapsed: boolean };

export { SIDEBAR_PORT_PREFIX } from './channel-constants';
