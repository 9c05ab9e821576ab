import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { type LastConnectFailure, mailboxKindSchema, scopeSchema, sharedMailboxIssues } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { RadioGroup, SelectField, TextAreaField, TextField } from '../ui/field';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { refusedFields, useZodForm } from '../ui/use-zod-form';
import { backfillDaysField, DaysField } from './days-field';
import { PROVIDER_NAMES, SCOPE_NAMES } from '../words';

// Personal scope logs who and when only (R5): the rep reads it before choosing.
const SCOPES = scopeSchema.options.map((scope) => ({ value: scope, label: scope === 'personal' ? `${SCOPE_NAMES[scope]} (metadata only)` : SCOPE_NAMES[scope] }));

const optionalText = z.string().trim().transform((text) => (text === '' ? null : text));

/**
 * What the rep chooses before connecting (R4–R6): scope, kind, and the backfill window. A shared
 * mailbox needs its owner and a note on recovery access, each asked for on its own field.
 */
const connectSchema = z
  .object({ scope: scopeSchema, kind: mailboxKindSchema, owner: optionalText, recoveryNote: optionalText, backfillDays: backfillDaysField })
  .superRefine((form, ctx) => {
    for (const issue of sharedMailboxIssues(form)) ctx.addIssue({ code: 'custom', path: [issue.field], message: issue.message });
  });

/**
 * One-click connect (R1, R2, R4–R6): the choices first, then one button per provider. A failed
 * sign-in says why in plain words and how to fix it; the background keeps that failure, because
 * Chrome closes the popup while the sign-in window is open.
 */
export function ConnectForm(props: { lastFailure: LastConnectFailure | null }) {
  const queryClient = useQueryClient();
  const form = useZodForm(connectSchema, { scope: 'sales', kind: 'personal', owner: '', recoveryNote: '', backfillDays: '14' });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['overview'] });
  const connect = useMutation({
    mutationFn: (input: z.output<typeof connectSchema> & { provider: 'gmail' | 'outlook' }) =>
      sendToBackground('connectMailbox', {
        ...input,
        // A personal mailbox keeps no owner or note the rep typed before switching back.
        owner: input.kind === 'shared' ? input.owner : null,
        recoveryNote: input.kind === 'shared' ? input.recoveryNote : null,
      }),
    // The background checks the input again: a field it refuses is shown on that field.
    onError: (error) => {
      const refused = refusedFields(error);
      if (refused) form.setErrors(refused);
    },
    onSettled: refresh,
  });
  const dismiss = useMutation({
    mutationFn: () => sendToBackground('dismissConnectFailure', {}),
    onSuccess: () => {
      connect.reset();
      return refresh();
    },
  });
  const busy = connect.isPending;
  const { values, errors, set } = form;

  return (
    <section className="connect" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect a mailbox</h2>
      <div className="connect-fields">
        <SelectField label="Used for" options={SCOPES} {...form.text('scope')} disabled={busy} />
        <RadioGroup
          legend="Kind"
          name="mailbox-kind"
          value={values.kind}
          onChange={(kind) => set('kind', kind)}
          disabled={busy}
          options={[
            { value: 'personal', label: 'Personal' },
            { value: 'shared', label: 'Shared', hint: 'a team inbox' },
          ]}
        />
        {values.kind === 'shared' && (
          <>
            <TextField label="Owner" type="email" hint="The email address of who answers for this inbox." {...form.text('owner')} disabled={busy} autoComplete="off" />
            <TextAreaField
              label="Recovery note"
              hint="Where the password and recovery codes are kept, and who can reset access."
              rows={2}
              {...form.text('recoveryNote')}
              disabled={busy}
            />
          </>
        )}
        <DaysField label="Backfill days" hint="1–365; longer windows are confirmed when they start." value={values.backfillDays} onChange={(days) => set('backfillDays', days)} error={errors.backfillDays} disabled={busy} />
        <div className="button-row">
          {(['gmail', 'outlook'] as const).map((provider) => (
            <Button key={provider} pending={busy && connect.variables.provider === provider} disabled={busy} onClick={form.submit((parsed) => connect.mutate({ ...parsed, provider }))}>
              Connect {PROVIDER_NAMES[provider]}
            </Button>
          ))}
        </div>
      </div>
      <MutationStatus
        mutation={{ ...connect, error: props.lastFailure ? null : connect.error }}
        pending={busy ? `Waiting for ${PROVIDER_NAMES[connect.variables.provider]} sign-in…` : undefined}
        success={connect.data ? `Connected ${connect.data.address}.` : undefined}
      />
      {props.lastFailure && !busy && (
        <Notice
          tone="error"
          title={`Could not connect ${PROVIDER_NAMES[props.lastFailure.provider]}`}
          action={
            <Button variant="secondary" pending={dismiss.isPending} onClick={() => dismiss.mutate()}>
              Dismiss
            </Button>
          }
        >
          <ErrorMessage error={props.lastFailure} />
          <MutationStatus mutation={dismiss} />
        </Notice>
      )}
    </section>
  );
}
