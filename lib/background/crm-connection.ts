import { bestEffort } from '../async';
import { type AccessTokenSource, staticToken } from '../auth/access-token';
import { crmClient } from '../auth/clients';
import { authorize, type OAuthClient, revoke } from '../auth/oauth';
import { OAuthTokenSource } from '../auth/token-source';
import { forgetAccount, readAccess, readPersonalToken, readRefresh, replaceGrant, savePersonalToken } from '../platform/token-store';
import { originMatchPattern } from '../config/endpoints';
import { type CrmClient, createCrmClient, crmNotConnected } from '../crm';
import { canonicalCrmBaseUrl, type CrmConnection, type Grant, providerError } from '../domain';
import { crmConnectionItem, hasOriginAccess, readCrmConnection, removeOriginAccess } from '../platform';
import { type BackgroundDeps, requireLockedStorage } from './deps';

/**
 * The token-store account of a CRM connection, one per base URL: tokens belong to the CRM that
 * issued them, so a client still holding an earlier connection finds none of a later one's.
 */
export function crmAccount(baseUrl: string): string {
  return `crm:${baseUrl}`;
}

/** The one account every CRM connection used before tokens were kept per connection (issue 8). */
const LEGACY_CRM_ACCOUNT = 'crm';

export type ConnectCrmInput = { baseUrl: string; authMethod: 'oauth' } | { baseUrl: string; authMethod: 'personal_token'; token: string };

/**
 * Connects the CRM (R8). The options page has already asked for the CRM origin's host
 * permission during the user's click; without it nothing is sent. The sign-in (OAuth code +
 * PKCE, or a pasted personal access token) is checked with `GET /me` before it is kept. When it
 * fails, the connection in place stays as it was, and the host access just granted for a new
 * origin is given up again.
 */
export async function connectCrm(deps: BackgroundDeps, input: ConnectCrmInput): Promise<{ baseUrl: string; name: string; email: string }> {
  const baseUrl = canonicalCrmBaseUrl(input.baseUrl);
  if (!(await hasOriginAccess(originMatchPattern(baseUrl)))) {
    throw providerError('insufficient_permissions', 'crm', { detail: `Allow the extension to reach ${new URL(baseUrl).origin} when the browser asks, then connect again.` });
  }
  const replaced = await readCrmConnection();
  const signedIn = await signInToCrm(deps, baseUrl, input).catch(async (error: unknown) => {
    if (!replaced || originMatchPattern(replaced.baseUrl) !== originMatchPattern(baseUrl)) await giveUpOrigin(baseUrl);
    throw error;
  });

  // The new connection replaces the one in place (a new token generation, so a renewal of the
  // old one still in flight stores nothing over it). Once it is saved, the old one ends: its grant
  // revoked, its tokens forgotten, and the host access to its origin given up unless the new
  // connection uses that origin too.
  // The connection is written before its tokens and the old tokens are forgotten before the new
  // ones are stored, so a worker stopped halfway leaves no token that no connection names.
  const account = crmAccount(baseUrl);
  const previous = replaced && (await oldGrant(deps, replaced));
  await crmConnectionItem.setValue({ baseUrl, authMethod: input.authMethod });
  await forgetAccount(LEGACY_CRM_ACCOUNT);
  if (replaced && crmAccount(replaced.baseUrl) !== account) await forgetAccount(crmAccount(replaced.baseUrl));
  if (signedIn.grant) await replaceGrant(account, signedIn.grant);
  else await savePersonalToken(account, signedIn.token);
  // The CRM works on its new sign-in whatever happens here; an old grant the CRM would not revoke
  // ends with its own lifetime.
  if (previous) await bestEffort('revoke the replaced CRM grant', revoke(previous.client, previous.token));
  if (replaced && originMatchPattern(replaced.baseUrl) !== originMatchPattern(baseUrl)) await giveUpOrigin(replaced.baseUrl);
  return { baseUrl, name: signedIn.me.name, email: signedIn.me.email };
}

/** Signs in to the CRM at `baseUrl` and checks the sign-in with `GET /me`; a sign-in that fails the check is revoked again. */
async function signInToCrm(deps: BackgroundDeps, baseUrl: string, input: ConnectCrmInput): Promise<{ grant: Grant | null; token: string; me: { name: string; email: string } }> {
  await requireLockedStorage(deps, 'crm');
  const client = crmClient(deps.endpoints, baseUrl, deps.redirectUris.crm);
  let grant: Grant | null = null;
  let token: string;
  if (input.authMethod === 'oauth') {
    grant = await authorize(client, deps.flow, { interactive: true });
    token = grant.accessToken;
  } else {
    token = input.token.trim();
  }
  try {
    return { grant, token, me: await createCrmClient({ baseUrl, tokens: staticToken(token) }).me() };
  } catch (error) {
    // A sign-in that is not kept is not left valid at the CRM either.
    if (grant) await bestEffort('revoke the CRM sign-in that was not kept', revoke(client, grant.refreshToken ?? grant.accessToken));
    throw error;
  }
}

/** The OAuth grant of a connection, to revoke when it ends; null for a pasted token. */
async function oldGrant(deps: BackgroundDeps, connection: CrmConnection): Promise<{ client: OAuthClient; token: string } | null> {
  if (connection.authMethod !== 'oauth') return null;
  let token: string | undefined;
  for (const account of [crmAccount(connection.baseUrl), LEGACY_CRM_ACCOUNT]) token ??= (await readRefresh(account))?.token ?? (await readAccess(account))?.token;
  return token ? { client: crmClient(deps.endpoints, connection.baseUrl, deps.redirectUris.crm), token } : null;
}

/**
 * "Test connection" (R8): who the CRM's `GET /me` says the stored connection signs in as, through
 * the same client the engine uses (a refused sign-in is renewed once, then is `reauth_required`).
 */
export async function testCrmConnection(deps: BackgroundDeps): Promise<{ baseUrl: string; name: string; email: string }> {
  const connection = await readCrmConnection();
  if (!connection) throw crmNotConnected('test it');
  const me = await crmApi(deps, connection).me();
  return { baseUrl: connection.baseUrl, name: me.name, email: me.email };
}

/** What a CRM disconnect did: `revoked` only when the CRM confirmed the revocation of an OAuth grant. */
export interface CrmDisconnected {
  revoked: boolean;
  /** A pasted personal token cannot be revoked from here: the user revokes it at the CRM. */
  pastedToken: boolean;
}

/**
 * Disconnects the CRM: revokes an OAuth grant, forgets every CRM token and the connection, and
 * gives up the host access to its origin (R8). A renewal still in flight stores nothing afterwards
 * (forgetting starts a new token generation). The local part always happens; a revocation the CRM
 * refused or could not hear is recorded and reported as `revoked: false`.
 */
export async function disconnectCrm(deps: BackgroundDeps): Promise<CrmDisconnected> {
  const connection = await readCrmConnection();
  const previous = connection && (await oldGrant(deps, connection));
  await forgetAccount(LEGACY_CRM_ACCOUNT);
  if (!connection) return { revoked: false, pastedToken: false };
  const revoked = previous ? ((await bestEffort('revoke the disconnected CRM grant', revoke(previous.client, previous.token))) ?? false) : false;
  await forgetAccount(crmAccount(connection.baseUrl));
  await crmConnectionItem.setValue(null);
  await giveUpOrigin(connection.baseUrl);
  return { revoked, pastedToken: connection.authMethod === 'personal_token' };
}

/** Removes the host permission of a CRM's origin; a failure is recorded, not thrown. */
async function giveUpOrigin(baseUrl: string): Promise<void> {
  await bestEffort('remove the CRM host permission', removeOriginAccess(originMatchPattern(baseUrl)));
}

/** The CRM client for the stored connection. */
export function crmApi(deps: BackgroundDeps, connection: CrmConnection): CrmClient {
  return createCrmClient({ baseUrl: connection.baseUrl, tokens: crmTokens(deps, connection) });
}

function crmTokens(deps: BackgroundDeps, connection: CrmConnection): AccessTokenSource {
  if (connection.authMethod === 'oauth') {
    return new OAuthTokenSource({ account: crmAccount(connection.baseUrl), client: crmClient(deps.endpoints, connection.baseUrl, deps.redirectUris.crm), flow: deps.flow });
  }
  return {
    async token() {
      const token = await readPersonalToken(crmAccount(connection.baseUrl));
      if (!token) throw providerError('reauth_required', 'crm');
      return token;
    },
    // A personal token cannot be renewed: a refused one needs a new paste (request.ts then says so).
    invalidate: async () => undefined,
  };
}
