import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ContactSample, Mailbox, SyncRun } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { crmRecordLink } from '../crm-record';
import { useOptionsOverview, useRunSample } from './queries';
import { messageStateWords, RUN_KIND_NAMES } from '../words';

type SampleMessage = ContactSample['messages'][number];

/**
 * The review after import (R24): a sample of a run's messages per contact. "Wrong contact" unlinks
 * one message from one contact in the CRM; "Looks right" ticks "timeline reviewed" and "matching verified".
 */
export function RunReview(props: { mailbox: Mailbox; run: SyncRun; onClose: () => void }) {
  const queryClient = useQueryClient();
  const sample = useRunSample(props.run.id);
  const crmBaseUrl = useOptionsOverview().data?.crm.baseUrl ?? null;
  // Said here, not on the row: the sample is read again and the unlinked message leaves it.
  const [unlinked, setUnlinked] = useState<string | null>(null);
  const reviewed = useMutation({
    mutationFn: () => sendToBackground('markSampleReviewed', { mailboxId: props.mailbox.id, runId: props.run.id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  const title = `Review of the ${RUN_KIND_NAMES[props.run.kind].toLowerCase()} of ${formatWhen(props.run.startedAt)}`;
  return (
    <section className="run-review" aria-label={title}>
      <h4>{title}</h4>
      <p>Check that each message went to the right contact. A wrong one is unlinked from that contact in the CRM and stays unlinked.</p>
      {unlinked && (
        <p role="status" className="mutation-status mutation-status-success">
          {unlinked}
        </p>
      )}
      {sample.isPending && <p role="status">Loading the sample…</p>}
      {sample.isError && (
        <div role="alert">
          <ErrorMessage error={sample.error} />
          <Button variant="secondary" onClick={() => sample.refetch()}>
            Try again
          </Button>
        </div>
      )}
      {sample.isSuccess && sample.data.length === 0 && <Notice tone="empty" title="Nothing to review">This run logged no message to a contact.</Notice>}
      {sample.isSuccess &&
        sample.data.map((contact) => (
          <div key={contact.contact.id} className="sample-contact">
            <p className="sample-contact-name">
              {contact.contact.name ?? contact.contact.id}
              {contact.contact.company && `, ${contact.contact.company}`} — {contact.total} {contact.total === 1 ? 'message' : 'messages'} in this run
              <ContactRecordLink name={contact.contact.name ?? contact.contact.id} href={crmRecordLink(contact.contact.url, crmBaseUrl)} />
            </p>
            <ul className="sample-messages" aria-label={`Messages logged to ${contact.contact.name ?? contact.contact.id}`}>
              {contact.messages.map((message) => (
                <SampleRow key={message.providerId} mailboxId={props.mailbox.id} runId={props.run.id} contact={contact.contact} message={message} onUnlinked={setUnlinked} />
              ))}
            </ul>
          </div>
        ))}
      <div className="button-row">
        {sample.isSuccess && sample.data.length > 0 && (
          <Button pending={reviewed.isPending} onClick={() => reviewed.mutate()}>
            Looks right
          </Button>
        )}
        <Button variant="secondary" onClick={props.onClose}>
          Close the review
        </Button>
        <MutationStatus mutation={reviewed} pending="Saving the review…" success={'Reviewed: "timeline reviewed" and "matching verified" are ticked.'} />
      </div>
    </section>
  );
}

/** The seed's "open the related contact record": in a new tab, sending the CRM no referrer. */
function ContactRecordLink(props: { name: string; href: string | null }) {
  if (!props.href) return null;
  return (
    <>
      {' · '}
      <a href={props.href} target="_blank" rel="noreferrer" aria-label={`Open contact record of ${props.name} in the CRM (new tab)`}>
        Open contact record
      </a>
    </>
  );
}

function SampleRow(props: { mailboxId: string; runId: string; contact: ContactSample['contact']; message: SampleMessage; onUnlinked: (words: string) => void }) {
  const queryClient = useQueryClient();
  const { contact, message } = props;
  const subject = message.subject ?? '(no subject)';
  const name = contact.name ?? 'this contact';
  const wrong = useMutation({
    mutationFn: () => sendToBackground('wrongContact', { mailboxId: props.mailboxId, providerId: message.providerId, contactId: contact.id }),
    // The background unlinks the whole thread from the contact: the sample is read again.
    onSuccess: () => {
      props.onUnlinked(`"${subject}" and the rest of its thread are no longer under ${name} in the CRM.`);
      return queryClient.invalidateQueries({ queryKey: ['runSample', props.runId] });
    },
  });
  const linked = message.contacts.some((c) => c.id === contact.id);
  return (
    <li className="sample-message">
      <div>
        <span className="sample-subject">{subject}</span>
        <span className="muted">
          {' '}
          {message.direction === 'sent' ? 'to' : 'from'} {message.direction === 'sent' ? (message.contacts.map((c) => c.name).join(', ') || contact.name) : (message.from ?? 'unknown')}, {formatWhen(message.date)}
        </span>
        <span className="muted"> · {linked ? messageStateWords(message) : `Unlinked from ${name}`}</span>
      </div>
      {linked && (
        <Button variant="secondary" pending={wrong.isPending} aria-label={`Wrong contact: "${subject}" is not ${name}'s`} onClick={() => wrong.mutate()}>
          Wrong contact
        </Button>
      )}
      <MutationStatus mutation={wrong} pending="Unlinking in the CRM…" />
    </li>
  );
}
