import type { ReactNode } from 'react';
import type { Mailbox } from '@/lib/domain';
import { Notice } from '../ui/notice';

const PROVIDER_NAMES: Record<Mailbox['provider'], string> = { gmail: 'Gmail', outlook: 'Outlook', imap: 'IMAP/SMTP' };
const STATUS_WORDS: Record<Mailbox['status'], string> = {
  connected: 'Connected',
  syncing: 'Syncing',
  error: 'Provider error',
  reconnect_needed: 'Reconnect needed',
};

/** The connected mailboxes, or the empty state with the way to connect one. */
export function MailboxList(props: { mailboxes: Mailbox[]; emptyAction?: ReactNode }) {
  if (props.mailboxes.length === 0) {
    return (
      <Notice tone="empty" title="No mailbox connected yet" action={props.emptyAction}>
        <p>Connect Gmail or Outlook to log customer email on your CRM contacts.</p>
      </Notice>
    );
  }
  return (
    <ul className="mailbox-list" aria-label="Mailboxes">
      {props.mailboxes.map((mailbox) => (
        <li key={mailbox.id}>
          <span>
            {PROVIDER_NAMES[mailbox.provider]} · {mailbox.address}
          </span>
          <span className="status">{STATUS_WORDS[mailbox.status]}</span>
        </li>
      ))}
    </ul>
  );
}
