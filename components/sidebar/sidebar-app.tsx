import { useSyncExternalStore } from 'react';
import '../ui/theme.css';
import './sidebar.css';
import type { SidebarLink } from './sidebar-link';
import { ThreadPanel } from './thread-panel';

/**
 * The sidebar frame's app (R26–R30): the open thread's CRM view, or a thin "CRM" tab while
 * collapsed. The page state arrives over the link from the content script; everything else goes
 * to the background by typed messages. Nothing shows while no thread is open.
 */
export function SidebarApp(props: { link: SidebarLink }) {
  const { link } = props;
  // The same snapshot on a server render (the unit tests render the app to markup).
  const state = useSyncExternalStore(link.subscribe, link.getState, link.getState);
  const thread = state?.thread ?? null;
  if (!state || !thread) return <aside className="sidebar" aria-label="CRM sidebar" hidden />;
  if (state.collapsed) {
    return (
      <aside className="sidebar sidebar-collapsed" aria-label="CRM sidebar">
        <button type="button" className="sidebar-tab" aria-expanded={false} aria-controls="sidebar-body" aria-label="CRM: show the sidebar" onClick={() => link.setCollapsed(false)}>
          CRM
        </button>
      </aside>
    );
  }
  return (
    <aside className="sidebar" aria-label="CRM sidebar">
      <header className="sidebar-head">
        <span className="sidebar-brand">CRM</span>
        <button type="button" className="btn btn-ghost sidebar-collapse" aria-expanded={true} aria-controls="sidebar-body" aria-label="Hide the CRM sidebar" onClick={() => link.setCollapsed(true)}>
          Hide
        </button>
      </header>
      <div id="sidebar-body" className="sidebar-body">
        <h1 className="sidebar-subject">{thread.subject || '(no subject)'}</h1>
        <ThreadPanel key={`${state.webmail}:${thread.threadKey}`} webmail={state.webmail} thread={thread} />
      </div>
    </aside>
  );
}
