import { CrmSection } from './crm-section';
import type { MessageOutput } from '@/lib/messaging';
import { Panel } from '../ui/panel';

type Overview = MessageOutput<'getOverview'>;

const REDIRECT_LABELS = [
  ['google', 'Google'],
  ['microsoft', 'Microsoft'],
  ['crm', 'CRM'],
] as const;

/** The CRM connection (R8): the address and sign-in, "Test connection", and the OAuth redirect URLs to register. */
export function CrmPanel(props: { crm: Overview['crm']; oauthRedirectUrls: Overview['oauthRedirectUrls'] }) {
  return (
    <Panel id="crm" title="CRM connection" description="Where matched customer email is logged, and who the extension signs in as.">
      <CrmSection crm={props.crm} />
      <h3>OAuth redirect URLs</h3>
      <p>Register each service&apos;s own redirect URL with its OAuth client (a sign-in answer on another one is refused):</p>
      <dl className="redirect-urls">
        {REDIRECT_LABELS.map(([server, label]) => (
          <div key={server}>
            <dt>{label}</dt>
            <dd>
              <code data-testid={`oauth-redirect-url-${server}`}>{props.oauthRedirectUrls[server]}</code>
            </dd>
          </div>
        ))}
      </dl>
    </Panel>
  );
}
