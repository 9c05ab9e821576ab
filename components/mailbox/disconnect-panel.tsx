import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Mailbox } from '@/lib/domain';
import { type MessageOutput, sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';
import { formatCount, formatWhen } from '../ui/format';
import { MutationStatus } from '../ui/mutation-status';
import { JOB_NAMES } from '../words';

/** What a disconnect did, for the notices that outlive the mailbox's card. */
export type Disconnected = MessageOutput<'disconnectMailbox'>;

/**
 * Disconnect (R34): first what still relies on the mailbox, the CRM's workflows and templates, its
 * open jobs and the emails only it still has to push; then "Yes, disconnect", which revokes the access, stops its jobs and purges its
 * data in this browser. What is in the CRM stays there.
 */
export function DisconnectPanel(props: { id: string; mailbox: Mailbox; onCancel: () => void; onDisconnected: (result: Disconnected) => void }) {
  const { mailbox } = props;
  const queryClient = useQueryClient();
  const impact = useQuery({ queryKey: ['disconnectImpact', mailbox.id], queryFn: () => sendToBackground('getDisconnectImpact', { id: mailbox.id }), retry: false });
  const disconnect = useMutation({
    mutationFn: () => sendToBackground('disconnectMailbox', { id: mailbox.id }),
    onSuccess: (result) => props.onDisconnected(result),
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['overview'] }), queryClient.invalidateQueries({ queryKey: ['jobs'] })]),
  });
  const crm = impact.data?.crm;
  const relied = crm ? crm.workflows.length + crm.templates.length : 0;

  return (
    <div id={props.id} className="card-panel" role="group" aria-label={`Disconnect ${mailbox.address}`}>
      <h3>Before you disconnect</h3>
      {impact.isPending && <p role="status">Checking what relies on this mailbox…</p>}
      {impact.isError && (
        <div role="alert">
          <p className="small">Could not check what relies on this mailbox:</p>
          <ErrorMessage error={impact.error} />
        </div>
      )}
      {impact.data && (
        <>
          {crm && relied > 0 && (
            <>
              <p className="small">The CRM still relies on {mailbox.address}. Move these to another mailbox first, or they stop working:</p>
              {crm.workflows.length > 0 && (
                <>
                  <h4>CRM workflows</h4>
                  <ul className="impact-list" aria-label="CRM workflows">
                    {crm.workflows.map((w) => (
                      <li key={w.id}>{w.name}</li>
                    ))}
                  </ul>
                </>
              )}
              {crm.templates.length > 0 && (
                <>
                  <h4>CRM templates</h4>
                  <ul className="impact-list" aria-label="CRM templates">
                    {crm.templates.map((t) => (
                      <li key={t.id}>{t.name}</li>
                    ))}
                  </ul>
                </>
              )}
            </>
          )}
          {crm && relied === 0 && <p className="small">No CRM workflow or template uses this mailbox.</p>}
          {!crm && <p className="small">{impact.data.crmError ?? 'No CRM is connected, so no CRM workflow relies on this mailbox.'}</p>}
          {impact.data.waitingPushes > 0 && (
            <p className="small warn-text">
              {formatCount(impact.data.waitingPushes)} {impact.data.waitingPushes === 1 ? 'email only this mailbox holds is' : 'emails only this mailbox holds are'} still waiting to be
              logged in the CRM; disconnecting now drops {impact.data.waitingPushes === 1 ? 'it' : 'them'}.
            </p>
          )}
          {impact.data.jobs.length > 0 ? (
            <>
              <h4>Open jobs, stopped by the disconnect</h4>
              <ul className="impact-list" aria-label="Open jobs">
                {impact.data.jobs.map((job) => (
                  <li key={job.id}>
                    {JOB_NAMES[job.kind]}
                    {job.params.days ? ` of the last ${job.params.days} days` : ''} ({job.status === 'running' ? 'running' : `${job.status}, since ${formatWhen(job.updatedAt)}`})
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="small">No job of this mailbox is open.</p>
          )}
        </>
      )}
      <p className="small">Disconnecting revokes the extension&apos;s access, stops its jobs and deletes its data in this browser. Email already in the CRM stays there.</p>
      <div className="button-row">
        <Button variant="danger" pending={disconnect.isPending} disabled={impact.isPending} onClick={() => disconnect.mutate()}>
          Yes, disconnect
        </Button>
        <Button variant="secondary" onClick={props.onCancel}>
          Keep it
        </Button>
      </div>
      <MutationStatus mutation={disconnect} pending="Disconnecting…" />
    </div>
  );
}
