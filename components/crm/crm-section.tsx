import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sendToBackground } from '@/lib/messaging';
import { CrmConnectionForm } from './crm-connection-form';

const METHOD_WORDS = { oauth: 'your CRM login', personal_token: 'a personal access token' } as const;

/** The options page's CRM panel: the connection and how it signs in, or the form to make one. */
export function CrmSection(props: { crm: { baseUrl: string | null; authMethod: 'oauth' | 'personal_token' | null; defaultBaseUrl: string } }) {
  const queryClient = useQueryClient();
  const disconnect = useMutation({
    mutationFn: () => sendToBackground('disconnectCrm', {}),
    // The background forgets the connection even when the CRM could not be told: refresh either way.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  const { baseUrl, authMethod } = props.crm;
  if (!baseUrl || !authMethod) {
    return (
      <>
        <p>No CRM connected yet.</p>
        <CrmConnectionForm defaultBaseUrl={props.crm.defaultBaseUrl} />
      </>
    );
  }
  return (
    <>
      <p>
        Connected to {baseUrl} with {METHOD_WORDS[authMethod]}.
      </p>
      {disconnect.isError && <p className="error-text">{disconnect.error.message}</p>}
      <button type="button" className="secondary" disabled={disconnect.isPending} onClick={() => disconnect.mutate()}>
        Disconnect CRM
      </button>
    </>
  );
}
