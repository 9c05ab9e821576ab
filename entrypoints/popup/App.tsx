import { ConnectForm } from '@/components/mailbox/connect-form';
import { MailboxList } from '@/components/mailbox/mailbox-list';
import { OverviewError } from '@/components/mailbox/overview-error';
import { useOverview } from '@/components/mailbox/use-overview';
import { openOptionsPage } from '@/lib/platform';

/** The toolbar popup: the mailboxes, one-click connect, and the way to the settings. */
export function App() {
  const overview = useOverview();
  return (
    <main>
      <h1>Mailbox to CRM</h1>
      {overview.isPending && <p role="status">Loading…</p>}
      {overview.isError && <OverviewError error={overview.error} onRetry={() => overview.refetch()} />}
      {overview.isSuccess && (
        <>
          <MailboxList mailboxes={overview.data.mailboxes} />
          <ConnectForm lastFailure={overview.data.lastConnectFailure} />
          <button type="button" className="secondary" onClick={() => openOptionsPage()}>
            Open settings
          </button>
        </>
      )}
    </main>
  );
}
