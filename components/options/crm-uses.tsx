import { useQuery } from '@tanstack/react-query';
import type { Mailbox } from '@/lib/domain';
import { sendToBackground } from '@/lib/messaging';
import { Button } from '../ui/button';
import { ErrorMessage } from '../ui/error-message';

/**
 * The CRM templates and workflows that use the mailbox, with the seed's caution: review the
 * mailbox before changing customer-facing templates or sender instructions. Read from the same
 * query as the popup's disconnect check (`getDisconnectImpact`).
 */
export function CrmUses(props: { mailbox: Mailbox }) {
  const { mailbox } = props;
  const impact = useQuery({ queryKey: ['disconnectImpact', mailbox.id], queryFn: () => sendToBackground('getDisconnectImpact', { id: mailbox.id }), retry: false });
  const crm = impact.data?.crm;
  const label = `Used in the CRM: ${mailbox.address}`;
  return (
    <section className="crm-uses" aria-label={label}>
      <h4>Used in the CRM</h4>
      {impact.isPending && <p role="status">Reading which CRM templates and workflows use this mailbox…</p>}
      {impact.isError && (
        <div role="alert">
          <p className="small">Could not read which CRM templates and workflows use this mailbox:</p>
          <ErrorMessage error={impact.error} />
          <Button variant="secondary" onClick={() => impact.refetch()}>
            Try again
          </Button>
        </div>
      )}
      {impact.data && !crm && <p className="small">{impact.data.crmError ?? 'No CRM is connected, so no CRM template or workflow uses this mailbox.'}</p>}
      {crm && crm.templates.length + crm.workflows.length === 0 && <p className="small">No CRM template or workflow uses this mailbox.</p>}
      {crm && crm.templates.length + crm.workflows.length > 0 && (
        <>
          <p className="small warn-text">
            Review this mailbox before you change these templates or the sender instructions customers follow: a template may point customers to a mailbox that no longer owns the
            conversation.
          </p>
          {crm.templates.length > 0 && (
            <ul className="impact-list" aria-label={`CRM templates using ${mailbox.address}`}>
              {crm.templates.map((t) => (
                <li key={t.id}>Template: {t.name}</li>
              ))}
            </ul>
          )}
          {crm.workflows.length > 0 && (
            <ul className="impact-list" aria-label={`CRM workflows using ${mailbox.address}`}>
              {crm.workflows.map((w) => (
                <li key={w.id}>Workflow: {w.name}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
