import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { originMatchPattern } from '@/lib/config/endpoints';
import { crmBaseUrlSchema, sendToBackground } from '@/lib/messaging';
import { requestOriginAccess } from '@/lib/platform';
import { ErrorMessage } from '../ui/error-message';
import { Notice } from '../ui/notice';

type Method = 'oauth' | 'personal_token';

/**
 * The CRM connection (R8): base URL, then OAuth sign-in or a pasted personal access token. The
 * CRM origin's host permission is asked for here, in the click, because the browser only shows
 * that prompt during a user gesture; the token itself goes straight to the background.
 */
export function CrmConnectionForm(props: { defaultBaseUrl: string }) {
  const queryClient = useQueryClient();
  const [baseUrl, setBaseUrl] = useState(props.defaultBaseUrl);
  const [method, setMethod] = useState<Method>('oauth');
  const [token, setToken] = useState('');
  // Why the address cannot be used, shown on the field; the background checks it again.
  const [addressProblem, setAddressProblem] = useState<string | null>(null);
  const ids = { url: useId(), urlProblem: useId(), token: useId() };
  const connect = useMutation({
    mutationFn: async () => {
      const origin = originMatchPattern(baseUrl.trim());
      if (!(await requestOriginAccess(origin))) throw new Error('The browser did not allow access to the CRM address. Connect again and choose Allow.');
      return method === 'oauth'
        ? sendToBackground('connectCrm', { baseUrl: baseUrl.trim(), authMethod: 'oauth' })
        : sendToBackground('connectCrm', { baseUrl: baseUrl.trim(), authMethod: 'personal_token', token });
    },
    onSuccess: () => {
      setToken('');
      return queryClient.invalidateQueries({ queryKey: ['overview'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const address = crmBaseUrlSchema.safeParse(baseUrl.trim());
    setAddressProblem(address.success ? null : (address.error.issues[0]?.message ?? 'The CRM address is not valid.'));
    if (address.success) connect.mutate();
  };

  return (
    <form onSubmit={submit} aria-label="Connect the CRM">
      <div className="field-row">
        <label htmlFor={ids.url}>CRM address</label>
        <input
          id={ids.url}
          type="url"
          required
          placeholder="https://crm.example.com"
          value={baseUrl}
          aria-invalid={addressProblem !== null}
          aria-describedby={addressProblem ? ids.urlProblem : undefined}
          onChange={(e) => {
            setBaseUrl(e.target.value);
            setAddressProblem(null);
          }}
        />
      </div>
      {addressProblem && (
        <p id={ids.urlProblem} className="error-text">
          {addressProblem}
        </p>
      )}
      <fieldset className="choices">
        <legend>Sign in with</legend>
        <label>
          <input type="radio" name="crm-method" checked={method === 'oauth'} onChange={() => setMethod('oauth')} /> Your CRM login (OAuth)
        </label>
        <label>
          <input type="radio" name="crm-method" checked={method === 'personal_token'} onChange={() => setMethod('personal_token')} /> A personal access token
        </label>
      </fieldset>
      {method === 'personal_token' && (
        <div className="field-row">
          <label htmlFor={ids.token}>Personal access token</label>
          <input id={ids.token} type="password" required minLength={8} autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        </div>
      )}
      <button type="submit" disabled={connect.isPending}>
        Connect CRM
      </button>
      {connect.isPending && <p role="status">Connecting…</p>}
      {connect.isError && (
        <Notice tone="error" title="Could not connect the CRM">
          <ErrorMessage error={connect.error} />
        </Notice>
      )}
    </form>
  );
}
