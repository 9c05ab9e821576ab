import type { Endpoints } from '../config/endpoints';
import type { OAuthClient } from './oauth';

/** Read mail and settings (identity, R7) and send the test email (R31); nothing broader. */
export const GOOGLE_SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'];

/** R2's Graph scopes, plus the sign-in scopes that give an id token and a refresh token. */
export const MICROSOFT_SCOPES = ['openid', 'profile', 'offline_access', 'User.Read', 'Mail.Read', 'Mail.Send', 'MailboxSettings.Read'];

export const CRM_SCOPES = ['contacts:read', 'contacts:write', 'emails:write', 'mailboxes:write'];

/**
 * Google's web-application client: `access_type=offline` asks for a refresh token (the connect
 * flow also sends `prompt=consent`, so Google hands one out again on a reconnect).
 */
export const GOOGLE_AUTHORIZE_PARAMS = { access_type: 'offline', include_granted_scopes: 'true' };

/**
 * The Google OAuth client of this build (web-application type, code + PKCE). Google's issuer is
 * the origin of its authorize endpoint, `https://accounts.google.com`; its authorization
 * responses carry it as `iss` (RFC 9207).
 */
export function googleClient(endpoints: Endpoints, redirectUri: string): OAuthClient {
  const g = endpoints.google;
  return {
    source: 'gmail',
    issuer: new URL(g.authUrl).origin,
    issuerRequired: false,
    revocationEndsAuthorization: true,
    authorizeUrl: g.authUrl,
    tokenUrl: g.tokenUrl,
    revokeUrl: g.revokeUrl,
    clientId: g.clientId,
    clientSecret: g.clientSecret,
    scopes: GOOGLE_SCOPES,
    redirectUri,
  };
}

/**
 * The Microsoft identity platform has no token revocation endpoint for this client type: a
 * disconnect forgets the tokens, and the refresh token dies within its 24 h lifetime. Its issuer
 * is per tenant; the multi-tenant authorities (`common`, `organizations`) document it as
 * `https://login.microsoftonline.com/{tenantid}/v2.0`. The v2.0 endpoint does not send `iss` in
 * authorization responses today; should it start to, the answer is checked against that form.
 */
export function microsoftClient(endpoints: Endpoints, redirectUri: string): OAuthClient {
  const m = endpoints.microsoft;
  return {
    source: 'outlook',
    issuer: `${new URL(m.authorityUrl).origin}/{tenantid}/v2.0`,
    issuerRequired: false,
    revocationEndsAuthorization: false,
    authorizeUrl: `${m.authorityUrl}/authorize`,
    tokenUrl: `${m.authorityUrl}/token`,
    revokeUrl: null,
    clientId: m.clientId,
    clientSecret: '',
    scopes: MICROSOFT_SCOPES,
    redirectUri,
  };
}

/** The CRM's OAuth endpoints sit under its base URL (see `lib/crm/openapi.yaml`), which is its issuer too. */
export function crmClient(endpoints: Endpoints, baseUrl: string, redirectUri: string): OAuthClient {
  return {
    source: 'crm',
    issuer: baseUrl,
    issuerRequired: true,
    revocationEndsAuthorization: false,
    authorizeUrl: `${baseUrl}/oauth/authorize`,
    tokenUrl: `${baseUrl}/oauth/token`,
    revokeUrl: `${baseUrl}/oauth/revoke`,
    clientId: endpoints.crm.clientId,
    clientSecret: '',
    scopes: CRM_SCOPES,
    redirectUri,
  };
}
