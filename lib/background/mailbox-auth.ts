import type { AccessTokenSource } from '../auth/access-token';
import { GOOGLE_AUTHORIZE_PARAMS, GOOGLE_SCOPES, googleClient, microsoftClient } from '../auth/clients';
import { chromeAuthFailure, chromeTokenSource } from '../auth/google-chrome';
import { authorize, type OAuthClient, revoke } from '../auth/oauth';
import { type Grant, mailboxIdFor, type OAuthMailProvider } from '../domain';
import { OAuthTokenSource } from '../auth/token-source';
import { forgetAccount, readAccess, readRefresh, replaceGrant } from '../platform/token-store';
import { type BackgroundDeps, requireLockedStorage } from './deps';

function clientFor(deps: BackgroundDeps, provider: OAuthMailProvider): OAuthClient {
  return provider === 'gmail' ? googleClient(deps.endpoints, deps.redirectUris.google) : microsoftClient(deps.endpoints, deps.redirectUris.microsoft);
}

/**
 * Where the user removes the extension's access by hand when the provider did not confirm a
 * revocation. Outlook: the My Apps page of work and school accounts, which is who connects a
 * mailbox here (a rep's or a shared support mailbox); personal Microsoft accounts manage theirs
 * at account.live.com/consent/Manage, which the popup names as well.
 */
export const REMOVE_ACCESS_PAGES: Record<OAuthMailProvider, string> = {
  gmail: 'https://myaccount.google.com/connections',
  outlook: 'https://myapps.microsoft.com',
};

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
  await requireLockedStorage(deps, provider);
  if (provider === 'gmail' && deps.chromeGoogle) {
    try {
      return { accessToken: await deps.chromeGoogle.getToken(true, GOOGLE_SCOPES), grant: null };
    } catch (error) {
      throw chromeAuthFailure(error);
    }
  }
  const grant = await authorize(clientFor(deps, provider), deps.flow, {
    interactive: true,
    loginHint,
    // Google hands out a refresh token only with consent; Microsoft lets the user pick the account.
    prompt: provider === 'gmail' ? 'consent' : 'select_account',
    extraParams: provider === 'gmail' ? GOOGLE_AUTHORIZE_PARAMS : undefined,
  });
  return { accessToken: grant.accessToken, grant };
}

/** Whether revoking a token of this provider ends every token of the user and client (Google). */
export function revocationEndsAuthorization(deps: BackgroundDeps, provider: OAuthMailProvider): boolean {
  return clientFor(deps, provider).revocationEndsAuthorization;
}

/** Revokes one token at the provider (a fresh sign-in that is not kept); true when the provider confirmed it. */
export function revokeToken(deps: BackgroundDeps, provider: OAuthMailProvider, token: string): Promise<boolean> {
  return revoke(clientFor(deps, provider), token);
}

/**
 * Keeps the grant of a new sign-in for a mailbox in place of the one it had (connect, reconnect).
 * The replaced tokens are forgotten, and a renewal of them still in flight stores nothing (a new
 * generation), but they are not revoked: Google's revocation ends the app's whole access to the
 * account, every token of that user and client, the new ones included; Microsoft has none.
 */
export async function replaceMailboxGrant(provider: OAuthMailProvider, address: string, grant: Grant): Promise<void> {
  await replaceGrant(mailboxIdFor(provider, address), grant);
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
 * forgotten even when the provider cannot be reached, so a disconnect always disconnects, and a
 * renewal still in flight stores nothing afterwards. True only when the provider confirmed the
 * revocation; false when it refused, could not be reached, or has no revocation (Outlook).
 */
export async function revokeMailbox(deps: BackgroundDeps, provider: OAuthMailProvider, address: string): Promise<boolean> {
  const account = mailboxIdFor(provider, address);
  const client = clientFor(deps, provider);
  try {
    if (provider === 'gmail' && deps.chromeGoogle) {
      const token = await deps.chromeGoogle.getToken(false, GOOGLE_SCOPES);
      const revoked = await revoke(client, token);
      await deps.chromeGoogle.removeToken(token);
      return revoked;
    }
    // Revoking the refresh token ends the whole grant; the access token alone when there is none.
    const token = (await readRefresh(account))?.token ?? (await readAccess(account))?.token;
    return token ? await revoke(client, token) : false;
  } finally {
    await forgetAccount(account);
  }
}
