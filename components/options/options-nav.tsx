/** The options page's sections, in page order, for the in-page navigation. */
export const OPTIONS_SECTIONS = [
  { id: 'crm', label: 'CRM connection' },
  { id: 'privacy', label: 'Privacy rules' },
  { id: 'mailboxes', label: 'Mailbox details' },
  { id: 'checklist', label: 'Launch checklist' },
  { id: 'history', label: 'Sync history' },
  { id: 'prompts', label: 'Review prompts' },
] as const;

/** A small in-page navigation to the sections (plain links: the hash scrolls, and it can be bookmarked). */
export function OptionsNav() {
  return (
    <nav aria-label="Settings sections" className="options-nav">
      <ul>
        {OPTIONS_SECTIONS.map((s) => (
          <li key={s.id}>
            <a href={`#${s.id}`}>{s.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
