import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { type Mailbox, type Visibility, visibilitySchema } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { CheckboxField, RadioGroup } from '../ui/field';
import { MutationStatus } from '../ui/mutation-status';
import { useZodForm } from '../ui/use-zod-form';
import { ALL_MAIL, ONLY, syncOnlySchema } from './forms';
import { useFolders } from './queries';
import { VISIBILITY_NAMES } from '../words';

const VISIBILITY_OPTIONS = visibilitySchema.options.map((value) => ({ value, label: VISIBILITY_NAMES[value] }));
/** One mailbox's privacy (R22): how much the CRM receives, and which labels or folders sync. */
export function MailboxPrivacy(props: { mailbox: Mailbox }) {
  const { mailbox } = props;
  return (
    <section className="subsection" aria-label={`Privacy of ${mailbox.address}`}>
      <h3>{mailbox.address}</h3>
      <VisibilityForm mailbox={mailbox} />
      <SyncOnlyForm mailbox={mailbox} />
    </section>
  );
}

function VisibilityForm(props: { mailbox: Mailbox }) {
  const queryClient = useQueryClient();
  const [visibility, setVisibility] = useState<Visibility>(props.mailbox.visibility);
  const save = useMutation({
    mutationFn: () => sendToBackground('updateMailbox', { id: props.mailbox.id, visibility }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  return (
    <form
      aria-label={`What the CRM receives from ${props.mailbox.address}`}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <RadioGroup
        legend="What the CRM receives"
        name={`visibility-${props.mailbox.id}`}
        value={visibility}
        options={VISIBILITY_OPTIONS}
        onChange={setVisibility}
      />
      <div className="button-row">
        <Button type="submit" variant="secondary" pending={save.isPending}>
          Save visibility
        </Button>
        <MutationStatus mutation={save} pending="Saving…" success="Visibility saved. It applies to mail logged from now on." />
      </div>
    </form>
  );
}

function SyncOnlyForm(props: { mailbox: Mailbox }) {
  const queryClient = useQueryClient();
  const errorId = useId();
  const form = useZodForm(syncOnlySchema, { mode: props.mailbox.syncOnly ? ONLY : ALL_MAIL, only: props.mailbox.syncOnly ?? [] });
  const folders = useFolders(props.mailbox.id, form.values.mode === ONLY);
  const save = useMutation({
    mutationFn: (only: string[] | null) => sendToBackground('setSyncOnly', { mailboxId: props.mailbox.id, only }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  const toggle = (id: string, on: boolean) => form.set('only', on ? [...form.values.only, id] : form.values.only.filter((f) => f !== id));
  const what = props.mailbox.provider === 'gmail' ? 'labels' : 'folders';

  return (
    <form aria-label={`Mail that syncs from ${props.mailbox.address}`} onSubmit={form.submit((only) => save.mutate(only))} noValidate>
      <RadioGroup
        legend="Mail that syncs"
        name={`sync-only-${props.mailbox.id}`}
        value={form.values.mode}
        options={[
          { value: ALL_MAIL, label: 'All mail except excluded' },
          { value: ONLY, label: `Only the ${what} chosen below` },
        ]}
        onChange={(value) => form.set('mode', value === ONLY ? ONLY : ALL_MAIL)}
      />
      {form.values.mode === ONLY && (
        <fieldset className="choices folder-list" aria-describedby={form.errors.only ? errorId : undefined}>
          <legend>{what === 'labels' ? 'Labels' : 'Folders'}</legend>
          {folders.isPending && <p role="status">Loading the {what}…</p>}
          {folders.isError && (
            <div role="alert">
              <ErrorMessage error={folders.error} />
              <Button variant="secondary" onClick={() => folders.refetch()}>
                Try again
              </Button>
            </div>
          )}
          {folders.data?.map((folder) => (
            <CheckboxField key={folder.id} label={folder.name} checked={form.values.only.includes(folder.id)} onChange={(e) => toggle(folder.id, e.target.checked)} />
          ))}
          {form.errors.only && (
            <p id={errorId} className="error-text">
              {form.errors.only}
            </p>
          )}
        </fieldset>
      )}
      <div className="button-row">
        <Button type="submit" variant="secondary" pending={save.isPending}>
          Save synced {what}
        </Button>
        <MutationStatus mutation={save} pending="Saving…" success="Saved. It applies from the next page of mail the sync reads." />
      </div>
    </form>
  );
}
