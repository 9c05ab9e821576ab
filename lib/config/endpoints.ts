import { z } from 'zod';

/**
 * Where the extension talks to Google, Microsoft and the CRM.
 *
 * Every value can be overridden at build time through `WXT_*` variables in a dotenv file
 * (see `.env.example`), so one build can target the local emulators. The defaults are the
 * real production hosts.
 */
export const endpointEnvSchema = z.object({
  WXT_GOOGLE_AUTH_URL: z.url().default('https://accounts.google.com/o/oauth2/v2/auth'),
  WXT_GOOGLE_TOKEN_URL: z.url().default('https://oauth2.googleapis.com/token'),
  WXT_GOOGLE_REVOKE_URL: z.url().default('https://oauth2.googleapis.com/revoke'),
  WXT_GMAIL_API_URL: z.url().default('https://gmail.googleapis.com'),
  WXT_GOOGLE_CLIENT_ID: z.string().default(''),
  /** Google hands web clients a secret; in an extension it is public, but the token endpoint wants it. */
  WXT_GOOGLE_CLIENT_SECRET: z.string().default(''),
  /** A "Chrome extension" OAuth client: when set, Chrome signs in through `getAuthToken` (R1). */
  WXT_GOOGLE_CHROME_CLIENT_ID: z.string().default(''),
  WXT_MICROSOFT_AUTHORITY_URL: z.url().default('https://login.microsoftonline.com/common/oauth2/v2.0'),
  WXT_GRAPH_API_URL: z.url().default('https://graph.microsoft.com'),
  WXT_MICROSOFT_CLIENT_ID: z.string().default(''),
  /** Pre-filled CRM base URL in the options page; the user can change it (R8). */
  WXT_CRM_BASE_URL: z.union([z.url(), z.literal('')]).default(''),
  /** The OAuth client id this extension has at the CRM (R8). */
  WXT_CRM_CLIENT_ID: z.string().default('mailbox-crm-extension'),
});

/** Resolved endpoints, with trailing slashes removed. */
export interface Endpoints {
  google: { authUrl: string; tokenUrl: string; revokeUrl: string; gmailApiUrl: string; clientId: string; clientSecret: string; chromeClientId: string };
  microsoft: { authorityUrl: string; graphApiUrl: string; clientId: string };
  crm: { defaultBaseUrl: string; clientId: string };
}

const trim = (url: string) => url.replace(/\/+$/, '');

/**
 * Parses build-time variables into endpoints. Empty strings count as "not set", so a
 * dotenv line like `WXT_GMAIL_API_URL=` falls back to the production default.
 */
export function resolveEndpoints(env: Record<string, string | undefined>): Endpoints {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const e = endpointEnvSchema.parse(present);
  return {
    google: {
      authUrl: e.WXT_GOOGLE_AUTH_URL,
      tokenUrl: e.WXT_GOOGLE_TOKEN_URL,
      revokeUrl: e.WXT_GOOGLE_REVOKE_URL,
      gmailApiUrl: trim(e.WXT_GMAIL_API_URL),
      clientId: e.WXT_GOOGLE_CLIENT_ID,
      clientSecret: e.WXT_GOOGLE_CLIENT_SECRET,
      chromeClientId: e.WXT_GOOGLE_CHROME_CLIENT_ID,
    },
    microsoft: {
      authorityUrl: trim(e.WXT_MICROSOFT_AUTHORITY_URL),
      graphApiUrl: trim(e.WXT_GRAPH_API_URL),
      clientId: e.WXT_MICROSOFT_CLIENT_ID,
    },
    crm: { defaultBaseUrl: trim(e.WXT_CRM_BASE_URL), clientId: e.WXT_CRM_CLIENT_ID },
  };
}

/**
 * Host permissions for the hosts the background fetches from (token, revoke and API hosts).
 * The sign-in pages themselves open through `launchWebAuthFlow`, which needs no host
 * permission.
 */
export function hostPermissionsFor(endpoints: Endpoints): string[] {
  const urls = [
    endpoints.google.tokenUrl,
    endpoints.google.revokeUrl,
    endpoints.google.gmailApiUrl,
    endpoints.microsoft.authorityUrl,
    endpoints.microsoft.graphApiUrl,
  ];
  return [...new Set(urls.map(originMatchPattern))];
}

/**
 * The match pattern for every path of a URL's origin, e.g. `https://crm.example.com:8443/*`.
 * It keeps the port: Chrome's match patterns take one (`<scheme>://<host>:<port>/<path>`), and
 * without it a grant for one local server would cover every server on that host.
 */
export function originMatchPattern(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}/*`;
}
