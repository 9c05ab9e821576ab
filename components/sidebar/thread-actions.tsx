import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { z } from 'zod';
import type { ContactRef, ThreadMailbox, ThreadParticipant } from '@/lib/domain';
import { protocol, sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { TextField } from '../ui/field';
import { MutationStatus } from '../ui/mutation-status';
import { useZodForm } from '../ui/use-zod-form';
import { useContactSearch, useRefreshThreadView } from './queries';
import { canLogOnPurpose, linkedContacts, matchedContacts } from './thread-view';

/** Every action on the thread changes the mailbox's decision, then the view is read again. */
function useDecision(mailbox: ThreadMailbox, threadKey: string) {
  const refresh = useRefreshThreadView();
  return useMutation({
    mutationFn: (decision: { contactIds: string[]; dontSync: boolean }) => sendToBackground('setThreadDecision', { mailboxId: mailbox.mailboxId, threadKey, ...decision }),
    onSuccess: () => refresh(),
  });
}

/**
 * The thread's actions in one mailbox (R27): link to a contact of the mirror, "don't sync" and its
 * undo, "log this thread" in a personal-scope mailbox (R5), and "sync now". Each shows its pending,
 * success and failure.
 */
export function ThreadActions(props: { mailbox: ThreadMailbox; threadKey: string; participants: readonly ThreadParticipant[] }) {
  const { mailbox, threadKey, participants } = props;
  const refresh = useRefreshThreadView();
  const dontSync = useDecision(mailbox, threadKey);
  const logIt = useDecision(mailbox, threadKey);
  const syncNow = useMutation({ mutationFn: () => sendToBackground('syncNow', { mailboxId: mailbox.mailboxId }), onSuccess: () => refresh() });
  const matched = matchedContacts(participants);
  const reasonId = useId();
  const skipped = mailbox.link?.dontSync === true;
  return (
    <section className="sidebar-section" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      {!skipped && <LinkToContact mailbox={mailbox} threadKey={threadKey} linked={linkedContacts(mailbox, participants)} />}
      {canLogOnPurpose(mailbox) && (
        <div className="action">
          <Button
            pending={logIt.isPending}
            disabled={matched.length === 0}
            aria-describedby={matched.length === 0 ? reasonId : undefined}
            onClick={() => logIt.mutate({ contactIds: matched.map((c) => c.id), dontSync: false })}
          >
            Log this thread
          </Button>
          <p id={reasonId} className="small muted">
            {matched.length === 0 ? 'No participant is in the CRM: create or link a contact first.' : `This mailbox is personal: its mail is logged only on purpose. Logs it to ${matched.map((c) => c.name).join(', ')}.`}
          </p>
          <MutationStatus mutation={logIt} pending="Logging the thread…" success="Logging the thread to the CRM." />
        </div>
      )}
      <div className="button-row">
        {skipped ? (
          <Button variant="secondary" pending={dontSync.isPending} onClick={() => dontSync.mutate({ contactIds: [], dontSync: false })}>
            Sync this thread again
          </Button>
        ) : (
          <Button variant="secondary" pending={dontSync.isPending} onClick={() => dontSync.mutate({ contactIds: [], dontSync: true })}>
            Don&apos;t sync this thread
          </Button>
        )}
        <Button variant="secondary" pending={syncNow.isPending} onClick={() => syncNow.mutate()}>
          Sync now
        </Button>
      </div>
      <MutationStatus
        mutation={dontSync}
        pending="Saving…"
        success={dontSync.variables?.dontSync ? 'This thread is not synced from now on.' : 'This thread is synced again from now on.'}
      />
      <MutationStatus mutation={syncNow} pending="Starting the sync…" success="Sync started." />
    </section>
  );
}

const searchSchema = z.object({ text: protocol.searchContacts.input.shape.text });

/** "Link to contact" (R27): search the contacts mirror, pick one; the thread then goes to it besides the ones it already goes to. */
function LinkToContact(props: { mailbox: ThreadMailbox; threadKey: string; linked: readonly ContactRef[] }) {
  const form = useZodForm(searchSchema, { text: '' });
  const [asked, setAsked] = useState<string | null>(null);
  const found = useContactSearch(asked);
  const link = useDecision(props.mailbox, props.threadKey);
  const linkedIds = new Set(props.linked.map((c) => c.id));
  return (
    <div className="action">
      <form role="search" aria-label="Link to contact" className="search-form" onSubmit={form.submit((v) => setAsked(v.text))} noValidate>
        <TextField label="Link to contact" placeholder="Name, company or email" autoComplete="off" {...form.text('text')} />
        <Button type="submit" variant="secondary" pending={found.isFetching}>
          Search
        </Button>
      </form>
      {found.isError && (
        <div role="alert">
          <ErrorMessage error={found.error} />
        </div>
      )}
      {found.isSuccess && asked !== null && (
        <div role="status" aria-label="Contacts found">
          {found.data.length === 0 ? (
            <p className="small muted">No contact in the CRM matches &quot;{asked}&quot;.</p>
          ) : (
            <ul className="search-results">
              {found.data.map((contact) => (
                <li key={contact.id}>
                  <span>
                    <span className="person-name">{contact.name}</span>
                    <span className="small muted"> {[contact.company, contact.emails[0]].filter(Boolean).join(' · ')}</span>
                  </span>
                  {linkedIds.has(contact.id) ? (
                    <span className="small muted">Linked</span>
                  ) : (
                    <Button
                      variant="secondary"
                      pending={link.isPending && link.variables?.contactIds.includes(contact.id)}
                      aria-label={`Link ${contact.name} to this thread`}
                      onClick={() => link.mutate({ contactIds: [...linkedIds, contact.id], dontSync: false })}
                    >
                      Link
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <MutationStatus mutation={link} pending="Linking…" success="Linked: the thread is logged to that contact from now on." />
    </div>
  );
}
