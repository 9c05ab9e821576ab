import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ChecklistItem, checklistItemNeeded, type ConfirmableItem, type Mailbox } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { Panel } from '../ui/panel';
import { StatusBadge } from '../ui/status-badge';
import { useZodForm } from '../ui/use-zod-form';
import { testSendSchema } from './forms';
import { goTo, mailboxPartId } from './navigation';
import { CHECKLIST_ITEMS } from '../words';

/** The element id of a mailbox's "Send test email" address field, where the checklist and prompts lead. */
export function testSendFieldId(index: number): string {
  return `${mailboxPartId('test-send', index)}-to`;
}

/** The launch checklist (R32) per mailbox: each item's state from what happened, and how to tick the open ones. */
export function ChecklistSection(props: { mailboxes: readonly Mailbox[] }) {
  return (
    <Panel id="checklist" title="Launch checklist" description="Before the team relies on a mailbox. Items tick themselves when what they check has happened.">
      {props.mailboxes.length === 0 && <p>No mailbox connected yet.</p>}
      {props.mailboxes.map((mailbox, index) => (
        <section key={mailbox.id} id={mailboxPartId('checklist', index)} className="subsection" aria-labelledby={`${mailboxPartId('checklist', index)}-heading`}>
          <h3 id={`${mailboxPartId('checklist', index)}-heading`}>{mailbox.address}</h3>
          <ul className="checklist">
            {CHECKLIST_ITEMS.map(({ item, label, tickedBy }) => (
              <ChecklistRow key={item} mailbox={mailbox} index={index} item={item} label={label} tickedBy={tickedBy} />
            ))}
          </ul>
          <TestSend mailbox={mailbox} index={index} />
        </section>
      ))}
    </Panel>
  );
}

function ChecklistRow(props: { mailbox: Mailbox; index: number; item: ChecklistItem; label: string; tickedBy: (typeof CHECKLIST_ITEMS)[number]['tickedBy'] }) {
  const { mailbox, index, item, label, tickedBy } = props;
  const doneAt = mailbox.checklist[item];
  const notNeeded = !checklistItemNeeded(mailbox, item) && doneAt === undefined;
  return (
    <li className="checklist-item">
      <span className="checklist-label">{label}</span>
      {doneAt !== undefined ? (
        <span>
          <StatusBadge tone="ok">Done</StatusBadge> {formatWhen(doneAt)}
        </span>
      ) : notNeeded ? (
        <StatusBadge tone="ok">Not needed for a personal mailbox</StatusBadge>
      ) : (
        <span className="checklist-open">
          <StatusBadge tone="warn">Open</StatusBadge>
          {tickedBy === 'confirm' && <ConfirmItem mailbox={mailbox} item={item as ConfirmableItem} label={label} />}
          {tickedBy === 'sender' && <LinkTo id={mailboxPartId('mailbox', index)}>Review the sender in mailbox details</LinkTo>}
          {tickedBy === 'test_send' && <LinkTo id={testSendFieldId(index)}>Ticked by a test email below</LinkTo>}
          {tickedBy === 'review' && <LinkTo id="history">Ticked by reviewing a run in the sync history</LinkTo>}
        </span>
      )}
    </li>
  );
}

/** An in-page link that also moves the focus to where it leads. */
function LinkTo(props: { id: string; children: string }) {
  return (
    <a
      href={`#${props.id}`}
      onClick={(e) => {
        e.preventDefault();
        goTo(props.id);
      }}
    >
      {props.children}
    </a>
  );
}

function ConfirmItem(props: { mailbox: Mailbox; item: ConfirmableItem; label: string }) {
  const queryClient = useQueryClient();
  const confirm = useMutation({
    mutationFn: () => sendToBackground('confirmChecklistItem', { id: props.mailbox.id, item: props.item }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  return (
    <>
      <Button variant="secondary" pending={confirm.isPending} onClick={() => confirm.mutate()} aria-label={`Confirm: ${props.label}`}>
        Confirm
      </Button>
      <MutationStatus mutation={confirm} pending="Confirming…" />
    </>
  );
}

/** "Send test email" (R31) to a safe address, then watching for it to come back through sync. */
function TestSend(props: { mailbox: Mailbox; index: number }) {
  const queryClient = useQueryClient();
  const form = useZodForm(testSendSchema, { to: props.mailbox.testEmail?.to ?? '' });
  const send = useMutation({
    mutationFn: (to: string) => sendToBackground('sendTestEmail', { mailboxId: props.mailbox.id, to }),
    onSuccess: (mailbox) => {
      queryClient.setQueryData(['overview'], (old: { mailboxes: Mailbox[] } | undefined) => old && { ...old, mailboxes: old.mailboxes.map((m) => (m.id === mailbox.id ? mailbox : m)) });
      return queryClient.invalidateQueries({ queryKey: ['overview'] });
    },
  });
  const test = props.mailbox.testEmail;
  return (
    <form id={mailboxPartId('test-send', props.index)} className="test-send" aria-label={`Send a test email from ${props.mailbox.address}`} onSubmit={form.submit(({ to }) => send.mutate(to))} noValidate>
      <h4>Test email</h4>
      <TextField
        id={testSendFieldId(props.index)}
        label="Safe address for a test email"
        hint="An address you read that is not a customer. The test goes there from this mailbox, then sync should bring it back."
        type="email"
        autoComplete="off"
        {...form.text('to')}
      />
      <div className="button-row">
        <Button type="submit" pending={send.isPending}>
          Send test email
        </Button>
        <MutationStatus mutation={send} pending="Sending the test email…" />
      </div>
      {test && (
        <p role="status">
          {test.receivedAt === null
            ? `Sent to ${test.to} ${formatWhen(test.sentAt)}. Watching for it to come back through sync…`
            : `Sent to ${test.to} ${formatWhen(test.sentAt)}; it came back through sync ${formatWhen(test.receivedAt)}.`}
        </p>
      )}
    </form>
  );
}
