import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import type { Mailbox } from '@/lib/domain';
import { openOptionsPage } from '@/lib/platform';
import { Button } from '../ui/button';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import type { Disconnected } from './disconnect-panel';
import { MailboxCard } from './mailbox-card';
import { ReviewPromptsNotice } from './options-links';
import { laneJobs, useJobs } from './use-jobs';

/** Why access may still be there after a disconnect, per provider (R34). */
const NOT_REVOKED: Record<Mailbox['provider'], string> = {
  gmail: 'Google could not be reached or did not confirm that access was revoked.',
  outlook: 'Outlook offers no way for the extension to revoke its own access.',
  imap: 'The mail server could not be told.',
};

/**
 * After a disconnect: the access left to remove by hand and a CRM record the CRM kept (R34), and
 * the test send the team waits for (R35).
 */
function AfterDisconnect(props: { last: Disconnected; remaining: Mailbox[] }) {
  const { last, remaining } = props;
  const openTestSend = useMutation({ mutationFn: () => openOptionsPage('checklist') });
  return (
    <>
      {!last.revoked && (
        <Notice tone="error" title={`${last.address} is disconnected, but access was not revoked`}>
          <p>
            {NOT_REVOKED[last.provider]} Its data is gone from this browser; to remove the extension&apos;s access, visit{' '}
            {last.removeAccessUrl && (
              <a href={last.removeAccessUrl} target="_blank" rel="noreferrer">
                {last.removeAccessUrl}
              </a>
            )}
            {last.provider === 'outlook' && ' (personal Microsoft accounts: account.live.com/consent/Manage)'}.
          </p>
        </Notice>
      )}
      {last.crmRecordError && (
        <Notice tone="error" title={`${last.address} is disconnected, but the CRM still lists it`}>
          <p>{last.crmRecordError}</p>
        </Notice>
      )}
      {remaining.length > 0 && (
        <Notice
          tone="info"
          title={`Send a test from ${remaining.map((m) => m.address).join(' or ')}`}
          action={
            <Button pending={openTestSend.isPending} onClick={() => openTestSend.mutate()}>
              Send a test email
            </Button>
          }
        >
          <p>{last.address} is disconnected. Before the team resumes customer email, send a test from the mailbox that takes over and check it comes back through sync.</p>
          <MutationStatus mutation={openTestSend} />
        </Notice>
      )}
    </>
  );
}

/** The connected mailboxes, status first (R36), or the empty state with the way to connect one. */
export function MailboxList(props: { mailboxes: Mailbox[]; emptyAction?: ReactNode }) {
  const jobs = useJobs();
  // Kept here, not in the card: the card is gone once its mailbox is disconnected.
  const [disconnected, setDisconnected] = useState<Disconnected | null>(null);
  const after = disconnected && <AfterDisconnect last={disconnected} remaining={props.mailboxes.filter((m) => m.id !== disconnected.id)} />;
  if (props.mailboxes.length === 0) {
    return (
      <>
        {after}
        <Notice tone="empty" title="No mailbox connected yet" action={props.emptyAction}>
          <p>Connect Gmail or Outlook to log customer email on your CRM contacts.</p>
        </Notice>
      </>
    );
  }
  return (
    <>
      {after}
      <ReviewPromptsNotice />
      {jobs.isError && <MutationStatus mutation={{ isPending: false, isSuccess: false, error: jobs.error }} />}
      <ul className="card-list" aria-label="Mailboxes">
        {props.mailboxes.map((mailbox) => (
          <MailboxCard
            key={mailbox.id}
            mailbox={mailbox}
            jobs={laneJobs(jobs.data, mailbox.id)}
            previewJob={jobs.data?.jobs.find((j) => j.lane === mailbox.id && j.kind === 'preview') ?? null}
            onDisconnected={setDisconnected}
          />
        ))}
      </ul>
    </>
  );
}
