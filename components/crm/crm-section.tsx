import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { MutationStatus } from '../ui/mutation-status';
import { Notice } from '../ui/notice';
import { CrmConnectionForm } from './crm-connection-form';
import { CrmTestConnection } from './crm-test-connection';

const METHOD_WORDS = { oauth: 'your CRM login', personal_token: 'a personal access token' } as const;

/** The options page's CRM panel: the connection and how it signs in, or the form to make one. */
export function CrmSection(props: { crm: { baseUrl: string | null; authMethod: 'oauth' | 'personal_token' | null; defaultBaseUrl: string } }) {
  const queryClient = useQueryClient();
  // What stays valid at the CRM after a disconnect (a pasted token, or a grant the CRM did not
  // confirm revoking): kept here to say where to end it by hand.
  const [leftAt, setLeftAt] = useState<{ baseUrl: string; what: 'token' | 'grant' } | null>(null);
  const { baseUrl, authMethod } = props.crm;
  const disconnect = useMutation({
    mutationFn: () => sendToBackground('disconnectCrm', {}),
    onSuccess: (result) => {
      if (!baseUrl || (!result.pastedToken && result.revoked)) return setLeftAt(null);
      setLeftAt({ baseUrl, what: result.pastedToken ? 'token' : 'grant' });
    },
    // The background forgets the connection even when the CRM could not be told: refresh either way.
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['overview'] }),
  });
  if (!baseUrl || !authMethod) {
    return (
      <>
        {leftAt?.what === 'token' && (
          <Notice tone="error" title="Revoke the personal access token at the CRM">
            <p>
              The extension forgot the token you pasted, but the CRM still accepts it. Revoke it in your CRM&apos;s settings → personal access tokens, at{' '}
              {leftAt.baseUrl}.
            </p>
          </Notice>
        )}
        {leftAt?.what === 'grant' && (
          <Notice tone="error" title="Remove the extension's access at the CRM">
            <p>
              The extension forgot its sign-in, but the CRM did not confirm that it ended it. Remove this extension from the connected apps in your CRM&apos;s
              settings, at {leftAt.baseUrl}.
            </p>
          </Notice>
        )}
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
      <CrmTestConnection />
      {authMethod === 'personal_token' && <p>Disconnecting forgets the token here; revoke it in your CRM&apos;s settings → personal access tokens.</p>}
      <div className="button-row">
        <Button variant="secondary" pending={disconnect.isPending} onClick={() => disconnect.mutate()}>
          Disconnect CRM
        </Button>
        <MutationStatus mutation={disconnect} pending="Disconnecting the CRM…" />
      </div>
    </>
  );
}
