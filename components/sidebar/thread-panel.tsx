import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { ThreadMailbox } from '@/lib/domain';
import { openOptionsPage } from '@/lib/platform';
import type { SidebarState } from '@/lib/webmail/channel';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { SelectField } from '../ui/field';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { PROVIDER_NAMES, threadStateWords } from '../words';
import { ParticipantList } from './participant-list';
import { type PageThread, type ThreadView, useThreadView } from './queries';
import { ThreadActions } from './thread-actions';
import { actionMailboxes } from './thread-view';

/** The open thread in the sidebar: where it stands (R28), who is in it (R26), and what to do about it (R27). */
export function ThreadPanel(props: { webmail: SidebarState['webmail']; thread: PageThread }) {
  const view = useThreadView(props.webmail, props.thread);
  if (view.isPending) {
    return (
      <p className="sidebar-section small muted" role="status">
        Looking up the participants…
      </p>
    );
  }
  if (view.isError) {
    return (
      <div className="sidebar-section" role="alert">
        <ErrorMessage error={view.error} />
        <Button variant="secondary" onClick={() => view.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  return <ThreadViewBody webmail={props.webmail} thread={props.thread} view={view.data} />;
}

function ThreadViewBody(props: { webmail: SidebarState['webmail']; thread: PageThread; view: ThreadView }) {
  const { view, thread } = props;
  const candidates = actionMailboxes(view.mailboxes);
  const [chosenId, setChosenId] = useState<string | null>(null);
  const mailbox = candidates.find((m) => m.mailboxId === chosenId) ?? candidates[0] ?? null;
  return (
    <>
      {!view.crm.connected && <CrmNotConnected />}
      {view.mailboxes.length === 0 ? (
        <Notice tone="warning" title={`No ${PROVIDER_NAMES[props.webmail]} mailbox is connected`}>
          <p className="small">Connect this mailbox from the extension&apos;s toolbar button to log its mail.</p>
        </Notice>
      ) : (
        <SyncState mailboxes={candidates} />
      )}
      <ParticipantList target={{ mailbox, threadKey: thread.threadKey }} participants={view.participants} crmOrigin={view.crm.origin} missing={thread.missing} />
      {mailbox && (
        <>
          {candidates.length > 1 && (
            <SelectField
              label="Mailbox for these actions"
              value={mailbox.mailboxId}
              onChange={(event) => setChosenId(event.target.value)}
              options={candidates.map((m) => ({ value: m.mailboxId, label: m.address }))}
            />
          )}
          <ThreadActions key={mailbox.mailboxId} mailbox={mailbox} threadKey={thread.threadKey} />
        </>
      )}
    </>
  );
}

/** The thread's state in one sentence per mailbox (R28), named by its address when several hold it. */
function SyncState(props: { mailboxes: readonly ThreadMailbox[] }) {
  const several = props.mailboxes.length > 1;
  return (
    <section className="sidebar-section" aria-label="Sync state">
      <ul className="sync-state" aria-live="polite">
        {props.mailboxes.map((m) => {
          const words = threadStateWords(m);
          return (
            <li key={m.mailboxId} className={`sync-state-line tone-${words.tone}`}>
              {several && <span className="sync-state-mailbox">{m.address}: </span>}
              {words.text}
              {m.status === 'reconnect_needed' && <span className="small"> This mailbox needs you to sign in again from the extension&apos;s toolbar button.</span>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The CRM is not connected: nothing is logged, and the options page's CRM section fixes it. */
function CrmNotConnected() {
  const open = useMutation({ mutationFn: () => openOptionsPage('crm') });
  return (
    <Notice tone="warning" title="The CRM is not connected" action={<Button onClick={() => open.mutate()}>Connect the CRM</Button>}>
      <p className="small">Nothing is logged until it is. Matches below are from the last contacts the extension read.</p>
      <MutationStatus mutation={open} />
    </Notice>
  );
}
