import type { AccessTokenSource } from '../auth/access-token';
import { GOOGLE_AUTHORIZE_PARAMS, GOOGLE_SCOPES, googleClient, microsoftClient } from '../auth/clients';
import { chromeTokenSource } from '../auth/google-chrome';
import { authorize, type OAuthClient, revoke } from '../auth/oauth';
import { type Grant, mailboxIdFor, type OAuthMailProvider } from '../domain';
import { OAuthTokenSource } from '../auth/token-source';
import { forgetAccount, readAccess, readRefresh } from '../platform/token-store';
import type { BackgroundDeps } from './deps';

function clientFor(deps: BackgroundDeps, provider: OAuthMailProvider): OAuthClient {
  return provider === 'gmail' ? googleClient(deps.endpoints, deps.redirectUri) : microsoftClient(deps.endpoints, deps.redirectUri);
}

/** The access token of a sign-in, and its grant to keep; no grant when Chrome keeps the token. */
export interface SignInResult {
  accessToken: string;
  grant: Grant | null;
}

/**
 * The interactive sign-in of a connect or reconnect (R1, R2). Gmail uses Chrome's own sign-in
 * where it exists; everywhere else, and for Outlook, code + PKCE through `launchWebAuthFlow`.
 */
export async function signIn(deps: BackgroundDeps, provider: OAuthMailProvider, loginHint?: string): Promise<SignInResult> {
  if (provider === 'gmail' && deps.chromeGoogle) return { accessToken: await deps.chromeGoogle.getToken(true, GOOGLE_SCOPES), grant: null };
  const grant = await authorize(clientFor(deps, provider), deps.flow, {
    interactive: true,
    loginHint,
    // Google hands out a refresh token only with consent; Microsoft lets the user pick the account.
    prompt: provider === 'gmail' ? 'consent' : 'select_account',
    extraParams: provider === 'gmail' ? GOOGLE_AUTHORIZE_PARAMS : undefined,
  });
  return { accessToken: grant.accessToken, grant };
}

/** Revokes one token at the provider (a fresh sign-in that is not kept). */
export async function revokeToken(deps: BackgroundDeps, provider: OAuthMailProvider, token: string): Promise<void> {
  await revoke(clientFor(deps, provider), token);
}

/** Access tokens for a connected mailbox; Outlook renews silently before asking the user (R2). */
export function mailboxTokens(deps: BackgroundDeps, provider: OAuthMailProvider, address: string): AccessTokenSource {
  if (provider === 'gmail' && deps.chromeGoogle) return chromeTokenSource(deps.chromeGoogle);
  return new OAuthTokenSource({
    account: mailboxIdFor(provider, address),
    client: clientFor(deps, provider),
    flow: deps.flow,
    silentRenewalFor: provider === 'outlook' ? address : undefined,
  });
}

/**
 * Revokes the mailbox's grant at the provider and forgets its tokens (R34). The tokens are
 * forgotten even when the provider cannot be reached, so a disconnect always disconnects.
 */
export async function revokeMailbox(deps: BackgroundDeps, provider: OAuthMailProvider, address: string): Promise<void> {
  const account = mailboxIdFor(provider, address);
  const client = clientFor(deps, provider);
  try {
    if (provider === 'gmail' && deps.chromeGoogle) {
      const token = await deps.chromeGoogle.getToken(false, GOOGLE_SCOPES).catch(() => null);
      if (token) {
        await revoke(client, token);
        await deps.chromeGoogle.removeToken(token);
      }
      return;
    }
    // Revoking the refresh token ends the whole grant; the access token alone when there is none.
    const token = (await readRefresh(account))?.token ?? (await readAccess(account))?.token;
    if (token) await revoke(client, token);
  } finally {
    await forgetAccount(account);
  }
}
