import { useId, useState } from 'react';
import type { ContactRef } from '@/lib/domain';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { formatWhen } from '../ui/format';
import { useContactTimeline } from './queries';

/**
 * The contact's recent emails in the CRM (the sidebar's timeline), behind a disclosure: read from
 * the CRM only once opened. Subjects come from the CRM and are shown as text.
 */
export function ContactTimeline(props: { contact: ContactRef; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(props.initiallyOpen);
  const timeline = useContactTimeline(props.contact.id, open);
  const listId = useId();
  return (
    <div className="timeline">
      <button type="button" className="timeline-toggle" aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
        Recent emails in the CRM
      </button>
      <div id={listId} hidden={!open}>
        {open && timeline.isPending && (
          <p className="small muted" role="status">
            Reading the CRM…
          </p>
        )}
        {open && timeline.isError && (
          <div role="alert">
            <ErrorMessage error={timeline.error} />
            <Button variant="secondary" onClick={() => timeline.refetch()}>
              Try again
            </Button>
          </div>
        )}
        {open && timeline.isSuccess && timeline.data.length === 0 && <p className="small muted">No email with {props.contact.name} in the CRM yet.</p>}
        {open && timeline.isSuccess && timeline.data.length > 0 && (
          <ul className="timeline-list" aria-label={`Recent emails with ${props.contact.name}`}>
            {timeline.data.map((email) => (
              <li key={email.id}>
                <span className="timeline-subject" title={email.subject ?? undefined}>
                  {email.subject ?? '(no subject)'}
                </span>
                <span className="small muted">
                  {email.direction === 'sent' ? 'Sent' : 'Received'} {formatWhen(email.date)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
