import { useState } from 'react';

/**
 * The sidebar shell injected into the webmail (R26, R29): collapsible, and out of the page's
 * way. What it shows for an open thread arrives with the page readers.
 */
export function Sidebar(props: { webmail: 'Gmail' | 'Outlook' }) {
  const [open, setOpen] = useState(false);
  return (
    <aside className={open ? 'sidebar open' : 'sidebar'} aria-label="CRM sidebar">
      <button type="button" className="toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        CRM
      </button>
      {open && (
        <div className="body">
          <p>Open a conversation in {props.webmail} to see who is in your CRM.</p>
        </div>
      )}
    </aside>
  );
}
