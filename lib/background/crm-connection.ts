import { bestEffort } from '../async';
import { type AccessTokenSource, staticToken } from '../auth/access-token';
import { crmClient } from '../auth/clients';
import { authorize, revoke } from '../auth/oauth';
import { OAuthTokenSource } from '../auth/token-source';
import { forgetAccount, readPersonalToken, readRefresh, saveGrant, savePersonalToken } from '../platform/token-store';
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
  const client = crmClient(deps.endpoints, baseUrl, deps.redirectUri);
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

  // The connection in place (if any) ends here: its grant revoked, its tokens forgotten, and the
  // host access to its origin given up unless the new connection uses that origin too.
  const replaced = await readCrmConnection();
  await bestEffort('end the replaced CRM connection', endConnection(deps, replaced));
  if (replaced && originMatchPattern(replaced.baseUrl) !== originMatchPattern(baseUrl)) await giveUpOrigin(replaced);
  if (grant) await saveGrant(CRM_ACCOUNT, grant);
  else await savePersonalToken(CRM_ACCOUNT, token);
  await crmConnectionItem.setValue({ baseUrl, authMethod: input.authMethod });
  return { baseUrl, name: me.name, email: me.email };
}

/**
 * Disconnects the CRM: revokes an OAuth grant, forgets every CRM token and the connection, and
 * gives up the host access to its origin (R8). A pasted personal token cannot be revoked from
 * here; the options page says where to revoke it at the CRM.
 */
export async function disconnectCrm(deps: BackgroundDeps): Promise<void> {
  const connection = await readCrmConnection();
  try {
    await endConnection(deps, connection);
  } finally {
    if (connection) await giveUpOrigin(connection);
  }
}

/** Revokes the connection's OAuth grant and forgets its tokens and the connection, even when the CRM cannot be told. */
async function endConnection(deps: BackgroundDeps, connection: CrmConnection | null): Promise<void> {
  try {
    const refresh = await readRefresh(CRM_ACCOUNT);
    if (connection?.authMethod === 'oauth' && refresh) await revoke(crmClient(deps.endpoints, connection.baseUrl, deps.redirectUri), refresh.token);
  } finally {
    await forgetAccount(CRM_ACCOUNT);
    await crmConnectionItem.setValue(null);
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
    return new OAuthTokenSource({ account: CRM_ACCOUNT, client: crmClient(deps.endpoints, connection.baseUrl, deps.redirectUri), flow: deps.flow });
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
