import { useIsFetching } from '@tanstack/react-query';
import { ChecklistSection } from '@/components/options/checklist-section';
import { CrmPanel } from '@/components/crm/crm-panel';
import { HistorySection } from '@/components/options/history-section';
import { MailboxDetailsSection } from '@/components/options/mailbox-details-section';
import { useScrollToHash } from '@/components/options/navigation';
import { OptionsNav } from '@/components/options/options-nav';
import { OverviewError } from '@/components/ui/overview-error';
import { PrivacySection } from '@/components/options/privacy-section';
import { PromptsSection } from '@/components/options/prompts-section';
import { useOptionsOverview } from '@/components/options/queries';

/** The options page: the long forms, one section each, reachable by their hash (`options.html#checklist`). */
export function App() {
  const overview = useOptionsOverview();
  // Every section's first read has settled: the one the hash names no longer moves.
  const fetching = useIsFetching();
  useScrollToHash(overview.isSuccess && fetching === 0);
  return (
    <div className="options-page">
      <header className="options-header">
        <h1>Mailbox to CRM settings</h1>
        <OptionsNav />
      </header>
      <main>
        {overview.isPending && <p role="status">Loading…</p>}
        {overview.isError && <OverviewError error={overview.error} onRetry={() => overview.refetch()} />}
        {overview.isSuccess && (
          <>
            <CrmPanel crm={overview.data.crm} oauthRedirectUrls={overview.data.oauthRedirectUrls} />
            <PrivacySection mailboxes={overview.data.mailboxes} />
            <MailboxDetailsSection mailboxes={overview.data.mailboxes} />
            <ChecklistSection mailboxes={overview.data.mailboxes} />
            <HistorySection mailboxes={overview.data.mailboxes} />
            <PromptsSection mailboxes={overview.data.mailboxes} />
          </>
        )}
      </main>
    </div>
  );
}
