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

/** What the sidebar frame tells the content script. */
export const fromSidebarSchema = z.discriminatedUnion('type', [
  /** The frame accepted the port and listens. */
  z.object({ type: z.literal('ready') }),
  /** The rep collapsed or expanded the sidebar; the content script resizes the frame and remembers it. */
  z.object({ type: z.literal('setCollapsed'), collapsed: z.boolean() }),
]);
export type FromSidebar = z.infer<typeof fromSidebarSchema>;

export { SIDEBAR_PORT_PREFIX } from './channel-constants';
