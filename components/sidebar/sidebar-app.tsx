import { useState, useSyncExternalStore } from 'react';
import '../ui/theme.css';
import './sidebar.css';
import { Button } from '../ui/button';
import { COVERED_SENTENCE } from '../words';
import type { SidebarLink } from './sidebar-link';
import { ThreadPanel } from './thread-panel';
import { type Guard, GuardProvider, useVisibleSince, visibleLongEnough } from './use-visible';

/**
 * The sidebar frame's app (R26–R30): the open thread's CRM view, or a thin "CRM" tab while
 * collapsed. The page state arrives over the link from the content script; everything else goes
 * to the background by typed messages. Nothing shows while no thread is open. Action clicks count
 * only once the sidebar has been really visible for a while, so the page cannot steal one.
 */
export function SidebarApp(props: { link: SidebarLink }) {
  const { link } = props;
  // The same snapshot on a server render (the unit tests render the app to markup).
  const state = useSyncExternalStore(link.subscribe, link.getState, link.getState);
  const [root, setRoot] = useState<HTMLElement | null>(null);
  const visibleSince = useVisibleSince(root);
  const [covered, setCovered] = useState(false);
  const guard: Guard = (action) => () => {
    const ok = visibleLongEnough(visibleSince(), performance.now());
    setCovered(!ok);
    if (ok) action();
  };
  const thread = state?.thread ?? null;
  if (!state || !thread) return <aside className="sidebar" aria-label="CRM sidebar" hidden />;
  if (state.collapsed) {
    return (
      <aside className="sidebar sidebar-collapsed" aria-label="CRM sidebar">
        <button type="button" className="sidebar-tab" aria-expanded={false} aria-label="CRM: show the sidebar" onClick={() => link.setCollapsed(false)}>
          CRM
        </button>
      </aside>
    );
  }
  return (
    <aside className="sidebar" aria-label="CRM sidebar" ref={setRoot}>
      <header className="sidebar-head">
        <span className="sidebar-brand">CRM</span>
        <Button variant="secondary" className="sidebar-collapse" aria-expanded={true} aria-controls="sidebar-body" aria-label="Hide the CRM sidebar" onClick={() => link.setCollapsed(true)}>
          Hide
        </Button>
      </header>
      <div id="sidebar-body" className="sidebar-body">
        <h1 className="sidebar-subject">{thread.subject || '(no subject)'}</h1>
        {covered && (
          <p className="mutation-status field-error" role="alert">
            {COVERED_SENTENCE}
          </p>
        )}
        <GuardProvider value={guard}>
          <ThreadPanel key={`${state.webmail}:${thread.threadKey}`} webmail={state.webmail} thread={thread} />
        </GuardProvider>
      </div>
    </aside>
  );
}
