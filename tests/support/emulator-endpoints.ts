import type { EmulatorUrls } from '@/emulators';
import type { BackgroundDeps } from '@/lib/background/deps';
import { type Endpoints, resolveEndpoints } from '@/lib/config/endpoints';
import { MailboxCrmDatabase } from '@/lib/db';
import { fetchWebAuthFlow } from './web-auth-flow';

/** The redirect URLs of the pinned extension id, one per authorization server (README, "Extension id and OAuth redirect URLs"). */
export const TEST_REDIRECT_URIS = {
  google: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/google',
  microsoft: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/microsoft',
  crm: 'https://caciholiefihaajpdhopelakjjeojlim.chromiumapp.org/crm',
} as const;

/** The extension's endpoints pointed at running emulators, as `.env.e2e` does for the e2e build. */
export function emulatorEndpoints(urls: EmulatorUrls): Endpoints {
  return resolveEndpoints({
    WXT_GOOGLE_AUTH_URL: `${urls.google}/o/oauth2/v2/auth`,
    WXT_GOOGLE_TOKEN_URL: `${urls.google}/token`,
    WXT_GOOGLE_REVOKE_URL: `${urls.google}/revoke`,
    WXT_GMAIL_API_URL: urls.google,
    WXT_GOOGLE_CLIENT_ID: 'test-google',
    WXT_MICROSOFT_AUTHORITY_URL: `${urls.microsoft}/common/oauth2/v2.0`,
    WXT_GRAPH_API_URL: urls.microsoft,
    WXT_MICROSOFT_CLIENT_ID: 'test-microsoft',
    WXT_CRM_BASE_URL: urls.crm,
  });
}

/** The background's dependencies against the emulators, with a fresh database and no Chrome sign-in. */
export function emulatorBackgroundDeps(urls: EmulatorUrls): BackgroundDeps {
  return {
    db: new MailboxCrmDatabase(`test-${Math.random()}`),
    endpoints: emulatorEndpoints(urls),
    redirectUris: TEST_REDIRECT_URIS,
    flow: fetchWebAuthFlow,
    chromeGoogle: null,
    storageLocked: Promise.resolve(true),
  };
}
