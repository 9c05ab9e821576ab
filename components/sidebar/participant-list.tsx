import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { ContactRef, ThreadMailbox, ThreadParticipant } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { crmRecordLink } from '../crm-record';
import { Button } from '../ui/button';
import { MutationStatus } from '../ui/mutation-status';
import { StatusBadge } from '../ui/status-badge';
import { ROW_ACTION_WORDS, hiddenParticipantsWords, missingPartsWords } from '../words';
import { ContactTimeline } from './contact-timeline';
import { CreateContactForm } from './create-contact-form';
import { useRefreshThreadView } from './queries';
import { externalParticipants, linkedContacts } from './thread-view';
import { useGuard } from './use-visible';

/** What a row acts on: the thread in the chosen mailbox (null when no mailbox of the provider is connected). */
export interface ThreadTarget {
  mailbox: ThreadMailbox | null;
  threadKey: string;
}

/**
 * The thread's external participants (R26) with their CRM match, then the contacts the user linked
 * who are not among them; colleagues, the user and blocked addresses are only counted. Every name,
 * address and company is page or CRM text, rendered as text.
 */
export function ParticipantList(props: { target: ThreadTarget; participants: readonly ThreadParticipant[]; crmOrigin: string | null; missing: readonly string[] }) {
  const { target, participants } = props;
  const external = externalParticipants(participants);
  const hidden = hiddenParticipantsWords(participants);
  const linked = target.mailbox ? linkedContacts(target.mailbox) : [];
  const shownIds = new Set(external.flatMap((p) => (p.contact ? [p.contact.id] : [])));
  const alsoLinked = linked.filter((c) => !shownIds.has(c.id));
  const act = useRowAction();
  const partial = missingPartsWords(props.missing);
  // The first contact's timeline shows at once; the others open on demand (each is a CRM read).
  const firstContactId = external.find((p) => p.contact)?.contact?.id ?? alsoLinked[0]?.id ?? null;
  return (
    <section className="sidebar-section" aria-labelledby="people-heading">
      <h2 id="people-heading">People</h2>
      {/* Said above the list, not on the row: a row leaves or changes once the view is read again. */}
      <MutationStatus mutation={act} pending={act.variables?.pending} success={act.variables?.success} />
      {partial.map((words) => (
        <p key={words} className="small muted">
          {words}
        </p>
      ))}
      {external.length === 0 && alsoLinked.length === 0 && partial.length === 0 && <p className="small muted">No external participant on this thread.</p>}
      <ul className="people">
        {external.map((p) =>
          p.contact ? (
            <ContactRow key={p.address} target={target} contact={p.contact} address={p.address} linked={linked} crmOrigin={props.crmOrigin} timelineOpen={p.contact.id === firstContactId} act={act} />
          ) : (
            <NotInCrmRow key={p.address} participant={p} act={act} />
          ),
        )}
        {alsoLinked.map((c) => (
          <ContactRow key={c.id} target={target} contact={c} address={null} linked={linked} crmOrigin={props.crmOrigin} timelineOpen={c.id === firstContactId} act={act} />
        ))}
      </ul>
      {hidden && <p className="small muted">{hidden}</p>}
    </section>
  );
}

/** One row action as the list runs it: what it does, the row it belongs to, and its words. */
export interface RowActionRun {
  key: string;
  run: () => Promise<unknown>;
  pending: string;
  success: string;
}

/**
 * The list's one mutation for every row action (link, unlink, create): its pending, success and
 * failure show above the list, and a new action clears the last one's. The view is read again after.
 */
function useRowAction() {
  const refresh = useRefreshThreadView();
  return useMutation({ mutationFn: (action: RowActionRun) => action.run(), onSuccess: () => refresh() });
}
export type RowAction = ReturnType<typeof useRowAction>;

/** A participant the CRM knows, or a contact the user linked: its match, its link to the thread, its record and timeline. */
function ContactRow(props: {
  target: ThreadTarget;
  contact: ContactRef;
  address: string | null;
  linked: readonly ContactRef[];
  crmOrigin: string | null;
  timelineOpen: boolean;
  act: RowAction;
}) {
  const { target, contact, act } = props;
  const guard = useGuard();
  const href = crmRecordLink(contact.url, props.crmOrigin);
  const isLinked = props.linked.some((c) => c.id === contact.id);
  const mailboxId = target.mailbox?.mailboxId ?? null;
  const key = `contact:${contact.id}`;
  const busy = act.isPending && act.variables?.key === key;
  const unlink = () =>
    act.mutate({
      key,
      run: () => sendToBackground('unlinkThreadContact', { mailboxId: mailboxId!, threadKey: target.threadKey, contactId: contact.id }),
      pending: ROW_ACTION_WORDS.unlinking(contact.name),
      success: ROW_ACTION_WORDS.unlinked(contact.name),
    });
  const relink = () =>
    act.mutate({
      key,
      run: () => sendToBackground('setThreadDecision', { mailboxId: mailboxId!, threadKey: target.threadKey, contactIds: [...props.linked.map((c) => c.id), contact.id], dontSync: false }),
      pending: ROW_ACTION_WORDS.linking(contact.name),
      success: ROW_ACTION_WORDS.linked(contact.name),
    });
  return (
    <li className="person">
      <div className="person-head">
        <span className="person-name">{contact.name}</span>
        <StatusBadge tone={isLinked ? 'ok' : 'busy'}>{isLinked ? 'Linked' : 'In CRM'}</StatusBadge>
      </div>
      {contact.company && <div className="person-company">{contact.company}</div>}
      {props.address && <div className="small muted person-address">{props.address}</div>}
      <div className="button-row person-actions">
        {href && (
          <a href={href} target="_blank" rel="noopener noreferrer" aria-label={`Open in CRM: ${contact.name} (new tab)`}>
            Open in CRM
          </a>
        )}
        {mailboxId &&
          (isLinked ? (
            <Button variant="secondary" pending={busy} aria-label={`Unlink ${contact.name} from this thread`} onClick={guard(unlink)}>
              Unlink
            </Button>
          ) : (
            <Button variant="secondary" pending={busy} aria-label={`Link ${contact.name} to this thread`} onClick={guard(relink)}>
              Link
            </Button>
          ))}
      </div>
      <ContactTimeline contact={contact} initiallyOpen={props.timelineOpen} />
    </li>
  );
}

/** A participant the CRM does not know: "not in CRM", and the form to create it. */
function NotInCrmRow(props: { participant: ThreadParticipant; act: RowAction }) {
  const { participant } = props;
  const [creating, setCreating] = useState(false);
  return (
    <li className="person">
      <div className="person-head">
        <span className="person-name">{participant.name || participant.address}</span>
        <StatusBadge tone="warn">Not in CRM</StatusBadge>
      </div>
      {participant.name && <div className="small muted person-address">{participant.address}</div>}
      {creating ? (
        <CreateContactForm name={participant.name} address={participant.address} onClose={() => setCreating(false)} act={props.act} />
      ) : (
        <div className="button-row person-actions">
          <Button variant="secondary" aria-label={`Create contact for ${participant.address}`} onClick={() => setCreating(true)}>
            Create contact
          </Button>
        </div>
      )}
    </li>
  );
}
