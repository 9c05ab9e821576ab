import { CrmSection } from '@/components/crm/crm-section';
import { MailboxList } from '@/components/mailbox/mailbox-list';
import { OverviewError } from '@/components/mailbox/overview-error';
import { useOverview } from '@/components/mailbox/use-overview';

const REDIRECT_LABELS = [
  ['google', 'Google'],
  ['microsoft', 'Microsoft'],
  ['crm', 'CRM'],
] as const;

/** The options page: CRM connection and mailboxes; the long forms arrive here. */
export function App() {
  const overview = useOverview();
  return (
    <main>
      <h1>Mailbox to CRM settings</h1>
      {overview.isPending && <p role="status">Loading…</p>}
      {overview.isError && <OverviewError error={overview.error} onRetry={() => overview.refetch()} />}
      {overview.isSuccess && (
        <>
          <section className="panel" aria-labelledby="crm-heading">
            <h2 id="crm-heading">CRM connection</h2>
            <CrmSection crm={overview.data.crm} />
          </section>
          <section className="panel" aria-labelledby="mailboxes-heading">
            <h2 id="mailboxes-heading">Mailboxes</h2>
            <MailboxList mailboxes={overview.data.mailboxes} />
          </section>
          <section className="panel" aria-labelledby="oauth-heading">
            <h2 id="oauth-heading">OAuth redirect URLs</h2>
            <p>Register each service's own redirect URL with its OAuth client (a sign-in answer on another one is refused):</p>
            <dl>
              {REDIRECT_LABELS.map(([server, label]) => (
                <div key={server}>
                  <dt>{label}</dt>
                  <dd>
                    <code data-testid={`oauth-redirect-url-${server}`}>{overview.data.oauthRedirectUrls[server]}</code>
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        </>
      )}
    </main>
  );
}
