import type { SidebarState } from '@/lib/webmail/channel';

/**
 * The sidebar frame's end of its channel to the webmail tab's content script, as the React app
 * sees it: the page state last received (null until the content script has spoken) and the one
 * thing the app asks the content script to do. `subscribe` follows `useSyncExternalStore`.
 */
export interface SidebarLink {
  getState(): SidebarState | null;
  subscribe(onChange: () => void): () => void;
  setCollapsed(collapsed: boolean): void;
}
