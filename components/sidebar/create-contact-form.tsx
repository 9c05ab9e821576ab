import { z } from 'zod';
import { protocol, sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { TextField } from '../ui/field';
import { refusedFields, useZodForm } from '../ui/use-zod-form';
import { ROW_ACTION_WORDS } from '../words';
import type { RowAction } from './participant-list';
import { useGuard } from './use-visible';

const fields = protocol.createContact.input.shape;

/** "Create contact" as the form edits it: the message's own fields, the company left empty when not known. */
export const createContactFormSchema = z.object({ name: fields.name, email: fields.email, company: z.string().trim().max(200, 'Keep the company under 200 characters.') });

/**
 * "Create contact" (R25, R27) for a participant the CRM does not know: prefilled from what the page
 * shows, checked before it is sent, and each refusal of the background shown on its field. The
 * engine then retro-matches the stored mail, so the thread's past messages are logged.
 */
export function CreateContactForm(props: { name: string; address: string; onClose: () => void; act: RowAction }) {
  const { act } = props;
  const guard = useGuard();
  const form = useZodForm(createContactFormSchema, { name: props.name || props.address.split('@')[0] || '', email: props.address, company: '' });
  const key = `create:${props.address}`;
  const mine = act.variables?.key === key;
  const create = (values: z.output<typeof createContactFormSchema>) =>
    act.mutate(
      {
        key,
        run: () => sendToBackground('createContact', { name: values.name, email: values.email, ...(values.company ? { company: values.company } : {}) }),
        // The participant's row turns into the contact's once the view is read again: the list says it.
        pending: ROW_ACTION_WORDS.creating(values.name),
        success: ROW_ACTION_WORDS.created(values.name),
      },
      {
        onError: (error) => {
          const refused = refusedFields(error);
          if (refused) form.setErrors(refused);
        },
      },
    );
  return (
    <form className="create-contact" aria-label={`Create a CRM contact for ${props.address}`} onSubmit={form.submit((values) => guard(() => create(values))())} noValidate>
      <TextField label="Name" autoComplete="off" {...form.text('name')} />
      <TextField label="Email" type="email" autoComplete="off" {...form.text('email')} />
      <TextField label="Company (optional)" autoComplete="off" {...form.text('company')} />
      {form.errors.form && <p className="field-error">{form.errors.form}</p>}
      <div className="button-row">
        <Button type="submit" pending={mine && act.isPending} disabled={mine && act.isSuccess}>
          Create contact
        </Button>
        <Button variant="secondary" onClick={props.onClose}>
          {mine && act.isSuccess ? 'Close' : 'Cancel'}
        </Button>
      </div>
    </form>
  );
}
