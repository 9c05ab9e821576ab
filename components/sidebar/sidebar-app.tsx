import { useSyncExternalStore } from 'react';
import type { SidebarLink } from './sidebar-link';

/** The sidebar frame's app (R26–R30). Placeholder until the sidebar UI lands. */
export function SidebarApp(props: { link: SidebarLink }) {
  const state = useSyncExternalStore(props.link.subscribe, props.link.getState);
  return <aside aria-label="CRM sidebar">{state?.thread ? state.thread.subject : null}</aside>;
}
