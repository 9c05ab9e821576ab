import { bestEffort, debounce } from '@/lib/async';
import { acceptSidebarPort, readSidebarCollapsed, sidebarCollapsedItem, type SidebarPort } from '@/lib/platform';
import { type FromSidebar, type SidebarState, toSidebarSchema, type Webmail } from '@/lib/webmail';
import type { SidebarLink } from './sidebar-link';

/** How long the frame waits for its content script's port; after that it takes none (a frame the page embeds itself). */
export const PORT_WAIT_MS = 5_000;
/** New mail is forwarded once the page has been quiet this long (R16)… */
export const NEW_MAIL_QUIET_MS = 1_000;
/** …and at the latest this long after the first sign, so a busy inbox still syncs within the 5 s budget. */
export const NEW_MAIL_MAX_WAIT_MS = 2_500;

export interface FrameLinkDeps {
  /** Asks the background for an incremental sync of that webmail's mailboxes (`requestSync`). */
  requestSync(provider: Webmail): Promise<unknown>;
}

/**
 * The sidebar frame's end of the channel (`SidebarLink`): takes the one port named with this
 * frame's `secret` (its `window.name`), checks every message with `toSidebarSchema` (the content
 * script read it from an untrusted page; a message that fails is dropped), and keeps the state
 * last received. The collapsed preference lives here, since content scripts cannot reach
 * extension storage: it is sent before `ready`, and again whenever the rep changes it.
 */
export function startFrameLink(secret: string, deps: FrameLinkDeps): SidebarLink {
  let state: SidebarState | null = null;
  let port: SidebarPort | null = null;
  const listeners = new Set<() => void>();
  const setState = (next: SidebarState | null) => {
    state = next;
    for (const listener of listeners) listener();
  };
  const send = (message: FromSidebar) => port?.postMessage(message);
  const sync = debounce(
    () => {
      if (state) void bestEffort('ask for a sync on new mail', deps.requestSync(state.webmail));
    },
    NEW_MAIL_QUIET_MS,
    NEW_MAIL_MAX_WAIT_MS,
  );

  const stop = acceptSidebarPort(secret, (accepted) => {
    clearTimeout(giveUp);
    port = accepted;
    accepted.onMessage.addListener((raw: unknown) => {
      const message = toSidebarSchema.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === 'state') setState(message.data);
      else sync.trigger();
    });
    accepted.onDisconnect.addListener(() => {
      port = null;
      sync.cancel();
      setState(null);
    });
    // An unreadable preference still lets the sidebar start, expanded.
    void bestEffort('read the collapsed preference', readSidebarCollapsed()).then((collapsed) => {
      send({ type: 'setCollapsed', collapsed: collapsed ?? false });
      send({ type: 'ready' });
    });
  });
  const giveUp = setTimeout(stop, PORT_WAIT_MS);

  return {
    getState: () => state,
    subscribe(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    setCollapsed(collapsed) {
      send({ type: 'setCollapsed', collapsed });
      void bestEffort('remember the collapsed preference', sidebarCollapsedItem.setValue(collapsed));
    },
  };
}
