import { useMutation, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { originMatchPattern } from '@/lib/config/endpoints';
import { crmBaseUrlSchema, sendToBackground } from '@/lib/messaging';
import { requestOriginAccess } from '@/lib/platform';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { RadioGroup, TextField } from '../ui/field';
import { Notice } from '../ui/notice';
import { refusedFields, useZodForm } from '../ui/use-zod-form';

/** The connect form's values; the background checks the address and the token again. */
const crmFormSchema = z
  .object({
    baseUrl: z.string().trim().pipe(crmBaseUrlSchema),
    authMethod: z.enum(['oauth', 'personal_token']),
    token: z.string().trim(),
  })
  .refine((v) => v.authMethod === 'oauth' || v.token.length >= 8, { path: ['token'], message: 'Paste the whole personal access token (at least 8 characters).' });
type CrmForm = z.output<typeof crmFormSchema>;

/**
 * The CRM connection (R8): base URL, then OAuth sign-in or a pasted personal access token. The
 * CRM origin's host permission is asked for here, in the click, because the browser only shows
 * that prompt during a user gesture; the token itself goes straight to the background.
 */
export function CrmConnectionForm(props: { defaultBaseUrl: string }) {
  const queryClient = useQueryClient();
  const form = useZodForm(crmFormSchema, { baseUrl: props.defaultBaseUrl, authMethod: 'oauth', token: '' });
  const connect = useMutation({
    mutationFn: async ({ baseUrl, authMethod, token }: CrmForm) => {
      if (!(await requestOriginAccess(originMatchPattern(baseUrl)))) throw new Error('The browser did not allow access to the CRM address. Connect again and choose Allow.');
      return authMethod === 'oauth'
        ? sendToBackground('connectCrm', { baseUrl, authMethod: 'oauth' })
        : sendToBackground('connectCrm', { baseUrl, authMethod: 'personal_token', token });
    },
    // The background checks the input again: a field it refuses is shown on that field.
    onError: (error) => {
      const refused = refusedFields(error);
      if (refused) form.setErrors(refused);
    },
    onSuccess: () => {
      form.set('token', '');
      return queryClient.invalidateQueries({ queryKey: ['overview'] });
    },
  });

  return (
    <form onSubmit={form.submit((values) => connect.mutate(values))} aria-label="Connect the CRM" noValidate>
      <TextField
        label="CRM address"
        type="url"
        placeholder="https://crm.example.com"
        {...form.text('baseUrl')}
      />
      <RadioGroup
        legend="Sign in with"
        name="crm-method"
        value={form.values.authMethod}
        options={[
          { value: 'oauth', label: 'Your CRM login (OAuth)' },
          { value: 'personal_token', label: 'A personal access token' },
        ]}
        onChange={(value) => form.set('authMethod', value)}
      />
      {form.values.authMethod === 'personal_token' && (
        <TextField
          label="Personal access token"
          type="password"
          autoComplete="off"
          {...form.text('token')}
        />
      )}
      <div className="button-row">
        <Button type="submit" pending={connect.isPending}>
          Connect CRM
        </Button>
        {connect.isPending && <p role="status">Connecting…</p>}
      </div>
      {connect.isError && (
        <Notice tone="error" title="Could not connect the CRM">
          <ErrorMessage error={connect.error} />
        </Notice>
      )}
    </form>
  );
}
