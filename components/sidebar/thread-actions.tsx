import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { z } from 'zod';
import type { ContactRef, ThreadMailbox } from '@/lib/domain';
import { protocol, sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { TextField } from '../ui/field';
import { MutationStatus } from '../ui/mutation-status';
import { ROW_ACTION_WORDS, SEARCH_TRUNCATED_SENTENCE } from '../words';
import { useZodForm } from '../ui/use-zod-form';
import { useContactSearch, useRefreshThreadView } from './queries';
import { canLogOnPurpose, linkedContacts, storedMatches } from './thread-view';
import { useGuard } from './use-visible';

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
export function ThreadActions(props: { mailbox: ThreadMailbox; threadKey: string }) {
  const { mailbox, threadKey } = props;
  const refresh = useRefreshThreadView();
  const dontSync = useDecision(mailbox, threadKey);
  const logIt = useDecision(mailbox, threadKey);
  const syncNow = useMutation({ mutationFn: () => sendToBackground('syncNow', { mailboxId: mailbox.mailboxId }), onSuccess: () => refresh() });
  const guard = useGuard();
  const matched = storedMatches(mailbox);
  const logReason = logThreadReason(mailbox, matched);
  const reasonId = useId();
  const skipped = mailbox.link?.dontSync === true;
  return (
    <section className="sidebar-section" aria-labelledby="actions-heading">
      <h2 id="actions-heading">Actions</h2>
      {!skipped && <LinkToContact mailbox={mailbox} threadKey={threadKey} linked={linkedContacts(mailbox)} />}
      {canLogOnPurpose(mailbox) && (
        <div className="action">
          <Button
            pending={logIt.isPending}
            disabled={logReason !== null}
            aria-describedby={reasonId}
            onClick={guard(() => logIt.mutate({ contactIds: matched.map((c) => c.id), dontSync: false }))}
          >
            Log this thread
          </Button>
          <p id={reasonId} className="small muted">
            {logReason ?? `This mailbox is personal: its mail is logged only on purpose. Logs it to ${matched.map((c) => c.name).join(', ')}.`}
          </p>
          <MutationStatus mutation={logIt} pending="Logging the thread…" success="Logging the thread to the CRM." />
        </div>
      )}
      <div className="button-row">
        {skipped ? (
          <Button variant="secondary" pending={dontSync.isPending} onClick={guard(() => dontSync.mutate({ contactIds: [], dontSync: false }))}>
            Sync this thread again
          </Button>
        ) : (
          <Button variant="secondary" pending={dontSync.isPending} onClick={guard(() => dontSync.mutate({ contactIds: [], dontSync: true }))}>
            Don&apos;t sync this thread
          </Button>
        )}
        <Button variant="secondary" pending={syncNow.isPending} onClick={guard(() => syncNow.mutate())}>
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

/** Why "Log this thread" cannot run, or null when it can: it needs stored mail that matches a contact. */
export function logThreadReason(mailbox: Pick<ThreadMailbox, 'messages'>, matched: readonly ContactRef[]): string | null {
  if (mailbox.messages.length === 0) return 'Not synced yet: press Sync now first.';
  if (matched.length === 0) return 'The stored mail matches no contact in the CRM: create or link a contact first.';
  return null;
}

const searchSchema = z.object({ text: protocol.searchContacts.input.shape.text });

/** "Link to contact" (R27): search the contacts mirror, pick one; the thread then goes to it besides the ones it already goes to. */
function LinkToContact(props: { mailbox: ThreadMailbox; threadKey: string; linked: readonly ContactRef[] }) {
  const form = useZodForm(searchSchema, { text: '' });
  const [asked, setAsked] = useState<string | null>(null);
  const found = useContactSearch(asked);
  const link = useDecision(props.mailbox, props.threadKey);
  const guard = useGuard();
  const [linking, setLinking] = useState<string | null>(null);
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
          {found.data.truncated && <p className="small muted">{SEARCH_TRUNCATED_SENTENCE}</p>}
          {found.data.contacts.length === 0 ? (
            <p className="small muted">No contact in the CRM matches &quot;{asked}&quot;.</p>
          ) : (
            <ul className="search-results">
              {found.data.contacts.map((contact) => (
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
                      onClick={guard(() => {
                        setLinking(contact.name);
                        link.mutate({ contactIds: [...linkedIds, contact.id], dontSync: false });
                      })}
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
      <MutationStatus mutation={link} pending={linking ? ROW_ACTION_WORDS.linking(linking) : undefined} success={linking ? ROW_ACTION_WORDS.linked(linking) : undefined} />
    </div>
  );
}
