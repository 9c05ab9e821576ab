import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Mailbox, Scope } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { RadioGroup, TextAreaField, TextField } from '../ui/field';
import { formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { Panel } from '../ui/panel';
import { StatusBadge } from '../ui/status-badge';
import { useZodForm } from '../ui/use-zod-form';
import { CrmUses } from './crm-uses';
import { detailsSchema } from './forms';
import { mailboxPartId } from './navigation';
import { PROVIDER_NAMES, SCOPE_NAMES } from '../words';

/** Scopes whose mail reaches customers: their sender identity must be confirmed (R7). */
function isCustomerFacing(scope: Scope): boolean {
  return scope !== 'personal';
}

/** Mailbox details: one part per mailbox (`#mailbox-<index>`), with its owner, kind, recovery note and sender identity. */
export function MailboxDetailsSection(props: { mailboxes: readonly Mailbox[] }) {
  return (
    <Panel id="mailboxes" title="Mailbox details" description="Who owns each mailbox, how access is recovered, and the sender customers see.">
      {props.mailboxes.length === 0 && <p>No mailbox connected yet. Connect one from the toolbar popup.</p>}
      {props.mailboxes.map((mailbox, index) => (
        <section key={mailbox.id} id={mailboxPartId('mailbox', index)} className="subsection" aria-labelledby={`${mailboxPartId('mailbox', index)}-heading`}>
          <h3 id={`${mailboxPartId('mailbox', index)}-heading`}>{mailbox.address}</h3>
          <p>
            {PROVIDER_NAMES[mailbox.provider]}, {SCOPE_NAMES[mailbox.scope].toLowerCase()} scope, connected {formatWhen(mailbox.createdAt)}.
          </p>
          {mailbox.crmRecordError && (
            <Notice tone="warning" title="The CRM's record of this mailbox is behind">
              <p>{mailbox.crmRecordError}</p>
            </Notice>
          )}
          <DetailsForm mailbox={mailbox} />
          <SenderIdentity mailbox={mailbox} />
          <CrmUses mailbox={mailbox} />
        </section>
      ))}
    </Panel>
  );
}

function DetailsForm(props: { mailbox: Mailbox }) {
  const queryClient = useQueryClient();
  const { mailbox } = props;
  const form = useZodForm(detailsSchema, { kind: mailbox.kind, owner: mailbox.owner ?? '', recoveryNote: mailbox.recoveryNote ?? '' });
  const save = useMutation({
    mutationFn: (details: z.output<typeof detailsSchema>) => sendToBackground('updateMailbox', { id: mailbox.id, ...details }),
    // A new owner may raise review prompts (R33).
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['overview'] }), queryClient.invalidateQueries({ queryKey: ['prompts'] })]),
  });
  return (
    <form aria-label={`Details of ${mailbox.address}`} onSubmit={form.submit((details) => save.mutate(details))} noValidate>
      <RadioGroup
        legend="Kind"
        name={`kind-${mailbox.id}`}
        value={form.values.kind}
        options={[
          { value: 'personal', label: 'Personal', hint: 'One person reads it.' },
          { value: 'shared', label: 'Shared', hint: 'A team reads it; it needs an owner and a recovery note.' },
        ]}
        onChange={(value) => form.set('kind', value)}
        error={form.errors.kind}
      />
      <TextField
        label="Owner"
        hint="Their email address: the CRM keeps the owner of a mailbox as an address."
        {...form.text('owner')}
      />
      <TextAreaField
        label="Recovery note"
        hint="Who can get back into this mailbox if its owner leaves, and how."
        rows={2}
        {...form.text('recoveryNote')}
      />
      <div className="button-row">
        <Button type="submit" pending={save.isPending}>
          Save details
        </Button>
        <MutationStatus mutation={save} pending="Saving the details…" success="Details saved." />
      </div>
    </form>
  );
}

/** The sender identity read from the provider (R7), confirmed by the user ("sender verified"). */
function SenderIdentity(props: { mailbox: Mailbox }) {
  const queryClient = useQueryClient();
  const { mailbox } = props;
  const confirm = useMutation({
    mutationFn: () => sendToBackground('confirmChecklistItem', { id: mailbox.id, item: 'sender_verified' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  const verifiedAt = mailbox.checklist.sender_verified;
  return (
    <div className="sender-identity">
      <h4>Sender identity</h4>
      {mailbox.identity ? (
        <dl className="facts">
          <div>
            <dt>Display name</dt>
            <dd>{mailbox.identity.displayName || '(none set)'}</dd>
          </div>
          <div>
            <dt>Reply-to</dt>
            <dd>{mailbox.identity.replyTo ?? '(replies go to the mailbox itself)'}</dd>
          </div>
          {mailbox.identity.aliases.length > 0 && (
            <div>
              <dt>Aliases</dt>
              <dd>{mailbox.identity.aliases.join(', ')}</dd>
            </div>
          )}
        </dl>
      ) : (
        <p>The sender name and reply-to have not been read from the provider yet. Reconnect the mailbox to read them.</p>
      )}
      {verifiedAt !== undefined ? (
        <p>
          <StatusBadge tone="ok">Sender verified</StatusBadge> {formatWhen(verifiedAt)}
        </p>
      ) : mailbox.identity === null ? (
        isCustomerFacing(mailbox.scope) && <p>The launch checklist&apos;s &quot;sender verified&quot; item stays open until the sender is read and confirmed.</p>
      ) : (
        <>
          {isCustomerFacing(mailbox.scope) && (
            <p>Customers see this sender: the launch checklist&apos;s &quot;sender verified&quot; item stays open until you confirm it.</p>
          )}
          <div className="button-row">
            <Button variant="secondary" pending={confirm.isPending} onClick={() => confirm.mutate()}>
              Confirm sender
            </Button>
            <MutationStatus mutation={confirm} pending="Confirming…" success="Sender confirmed." />
          </div>
        </>
      )}
    </div>
  );
}
