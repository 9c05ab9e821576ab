import { bestEffort } from '../async';
import { type AccessTokenSource, staticToken } from '../auth/access-token';
import { crmClient } from '../auth/clients';
import { authorize, type OAuthClient, revoke } from '../auth/oauth';
import { OAuthTokenSource } from '../auth/token-source';
import { forgetAccount, readAccess, readPersonalToken, readRefresh, replaceGrant, savePersonalToken } from '../platform/token-store';
import { originMatchPattern } from '../config/endpoints';
import { type CrmClient, createCrmClient } from '../crm';
import { type CrmConnection, type Grant, providerError } from '../domain';
import { crmConnectionItem, hasOriginAccess, readCrmConnection, removeOriginAccess } from '../platform';
import type { BackgroundDeps } from './deps';

/** The token-store account of the CRM connection. */
const CRM_ACCOUNT = 'crm';

export type ConnectCrmInput = { baseUrl: string; authMethod: 'oauth' } | { baseUrl: string; authMethod: 'personal_token'; token: string };

/**
 * Connects the CRM (R8). The options page has already asked for the CRM origin's host
 * permission during the user's click; without it nothing is sent. The sign-in (OAuth code +
 * PKCE, or a pasted personal access token) is checked with `GET /me` before it is kept.
 */
export async function connectCrm(deps: BackgroundDeps, input: ConnectCrmInput): Promise<{ baseUrl: string; name: string; email: string }> {
  const baseUrl = input.baseUrl.replace(/\/+$/, '');
  if (!(await hasOriginAccess(originMatchPattern(baseUrl)))) {
    throw providerError('insufficient_permissions', 'crm', { detail: `Allow the extension to reach ${new URL(baseUrl).origin} when the browser asks, then connect again.` });
  }
  // Sign in and check first; the connection in place is replaced only by one that works.
  const client = crmClient(deps.endpoints, baseUrl, deps.redirectUris.crm);
  let grant: Grant | null = null;
  let token: string;
  if (input.authMethod === 'oauth') {
    grant = await authorize(client, deps.flow, { interactive: true });
    token = grant.accessToken;
  } else {
    token = input.token.trim();
  }
  const me = await createCrmClient({ baseUrl, tokens: staticToken(token) })
    .me()
    .catch(async (error: unknown) => {
      // A sign-in that is not kept is not left valid at the CRM either.
      if (grant) await bestEffort('revoke the CRM sign-in that was not kept', revoke(client, grant.refreshToken ?? grant.accessToken));
      throw error;
    });

  // The new connection replaces the one in place (a new token generation, so a renewal of the
  // old one still in flight stores nothing over it). Once it is saved, the old grant is revoked
  // and the host access to the old origin given up, unless the new connection uses that origin.
  const replaced = await readCrmConnection();
  const previous = await oldGrant(deps, replaced);
  if (grant) await replaceGrant(CRM_ACCOUNT, grant);
  else await savePersonalToken(CRM_ACCOUNT, token);
  await crmConnectionItem.setValue({ baseUrl, authMethod: input.authMethod });
  // The CRM works on its new sign-in whatever happens here; an old grant the CRM would not revoke
  // ends with its own lifetime.
  if (previous) await bestEffort('revoke the replaced CRM grant', revoke(previous.client, previous.token));
  if (replaced && originMatchPattern(replaced.baseUrl) !== originMatchPattern(baseUrl)) await giveUpOrigin(replaced);
  return { baseUrl, name: me.name, email: me.email };
}

/** The OAuth grant of a connection, to revoke when it ends; null for a pasted token. */
async function oldGrant(deps: BackgroundDeps, connection: CrmConnection | null): Promise<{ client: OAuthClient; token: string } | null> {
  if (connection?.authMethod !== 'oauth') return null;
  const token = (await readRefresh(CRM_ACCOUNT))?.token ?? (await readAccess(CRM_ACCOUNT))?.token;
  return token ? { client: crmClient(deps.endpoints, connection.baseUrl, deps.redirectUris.crm), token } : null;
}

/**
 * Disconnects the CRM: revokes an OAuth grant, forgets every CRM token and the connection, and
 * gives up the host access to its origin (R8). A renewal still in flight stores nothing afterwards
 * (forgetting starts a new token generation). A pasted personal token cannot be revoked from
 * here; the options page says where to revoke it at the CRM.
 */
export async function disconnectCrm(deps: BackgroundDeps): Promise<void> {
  const connection = await readCrmConnection();
  try {
    const previous = await oldGrant(deps, connection);
    if (previous) await revoke(previous.client, previous.token);
  } finally {
    await forgetAccount(CRM_ACCOUNT);
    await crmConnectionItem.setValue(null);
    if (connection) await giveUpOrigin(connection);
  }
}

/** Removes the host permission of a connection's origin; a failure is recorded, not thrown. */
async function giveUpOrigin(connection: CrmConnection): Promise<void> {
  await bestEffort('remove the CRM host permission', removeOriginAccess(originMatchPattern(connection.baseUrl)));
}

/** The CRM client for the stored connection. */
export function crmApi(deps: BackgroundDeps, connection: CrmConnection): CrmClient {
  return createCrmClient({ baseUrl: connection.baseUrl, tokens: crmTokens(deps, connection) });
}

function crmTokens(deps: BackgroundDeps, connection: CrmConnection): AccessTokenSource {
  if (connection.authMethod === 'oauth') {
    return new OAuthTokenSource({ account: CRM_ACCOUNT, client: crmClient(deps.endpoints, connection.baseUrl, deps.redirectUris.crm), flow: deps.flow });
  }
  return {
    async token() {
      const token = await readPersonalToken(CRM_ACCOUNT);
      if (!token) throw providerError('reauth_required', 'crm');
      return token;
    },
    // A personal token cannot be renewed: a refused one needs a new paste (request.ts then says so).
    invalidate: async () => undefined,
  };
}
