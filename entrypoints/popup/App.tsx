import { useMutation } from '@tanstack/react-query';
import { ConnectForm } from '@/components/mailbox/connect-form';
import { MailboxList } from '@/components/mailbox/mailbox-list';
import { OverviewError } from '@/components/ui/overview-error';
import { useOverview } from '@/components/mailbox/use-overview';
import { Button } from '@/components/ui/button';
import { MutationStatus } from '@/components/ui/mutation-status';
import { openOptionsPage } from '@/lib/platform';

/**
 * The toolbar popup, read at a glance (R36): each mailbox's status and the everyday actions first,
 * then the way to connect another one; the long forms are in the settings.
 */
export function App() {
  const overview = useOverview();
  const settings = useMutation({ mutationFn: () => openOptionsPage() });
  return (
    <main>
      <header className="popup-head">
        <h1>Mailbox to CRM</h1>
        <Button variant="ghost" pending={settings.isPending} onClick={() => settings.mutate()}>
          Open settings
        </Button>
      </header>
      <MutationStatus mutation={settings} />
      {overview.isPending && <p role="status">Loading…</p>}
      {overview.isError && <OverviewError error={overview.error} onRetry={() => overview.refetch()} />}
      {overview.isSuccess && (
        <>
          <MailboxList mailboxes={overview.data.mailboxes} />
          <ConnectForm lastFailure={overview.data.lastConnectFailure} />
        </>
      )}
    </main>
  );
}
