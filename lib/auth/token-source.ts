import { type Grant, ProviderError, providerError } from '../domain';
import { accountGeneration, forgetAccess, holdsGrant, readAccess, readRefresh, saveGrant } from '../platform/token-store';
import { bestEffort, untilAborted } from '../async';
import type { AccessTokenSource } from './access-token';
import { authorize, type OAuthClient, refresh, revoke, type WebAuthFlow } from './oauth';

/** Renew this long before expiry, so a token never dies in flight. */
const EARLY_MS = 60_000;

/**
 * Renewals in progress, per account, shared by every token source of this worker. Microsoft and
 * the CRM rotate refresh tokens: two refreshes with the same token would make the second fail
 * and look like a lost sign-in.
 */
const renewals = new Map<string, Promise<string>>();

export interface OAuthTokenSourceOptions {
  account: string;
  client: OAuthClient;
  flow: WebAuthFlow;
  /**
   * Microsoft (R2): when the refresh token is refused, try a silent sign-in (`prompt=none`,
   * no window) for this address before giving up with `reauth_required`.
   */
  silentRenewalFor?: string;
  extraParams?: Record<string, string>;
}

/**
 * Access tokens for one account from the stored grant: the cached access token while it is
 * valid, else a refresh, else (Microsoft) a silent renewal, else `reauth_required`, which the
 * engine turns into the mailbox's "Reconnect" state. All callers of an account share one renewal.
 */
export class OAuthTokenSource implements AccessTokenSource {
  constructor(private readonly options: OAuthTokenSourceOptions) {}

  async token(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const { account } = this.options;
    const cached = await readAccess(account);
    if (cached && cached.expiresAt - EARLY_MS > Date.now()) return cached.token;
    // The renewal is shared, so it runs on no caller's signal; each caller stops waiting on its own.
    return untilAborted(signal, () => {
      let renewal = renewals.get(account);
      if (!renewal) {
        renewal = this.renew().finally(() => renewals.delete(account));
        renewals.set(account, renewal);
      }
      return renewal;
    });
  }

  async invalidate(token: string): Promise<void> {
    const cached = await readAccess(this.options.account);
    if (cached?.token === token) await forgetAccess(this.options.account);
  }

  /**
   * Refresh, else silent sign-in. A silent sign-in renews a grant the account still holds (its
   * refresh token expired or was refused); it never signs in an account that was disconnected,
   * whoever still holds this source. The grant is stored only if the account is still the one the
   * renewal started for: a disconnect or a new sign-in meanwhile means the grant belongs to
   * nobody, so it is revoked where the peer allows and the caller is told to sign in again.
   */
  private async renew(): Promise<string> {
    const { account, client, flow, silentRenewalFor, extraParams } = this.options;
    const generation = accountGeneration(account);
    const silent = silentRenewalFor !== undefined && (await holdsGrant(account));
    const grant = (await this.refreshStored()) ?? (silent ? await authorize(client, flow, { interactive: false, prompt: 'none', loginHint: silentRenewalFor, extraParams }) : null);
    if (!grant) throw providerError('reauth_required', client.source);
    if (!(await saveGrant(account, grant, generation))) {
      // Nobody holds this grant: it is revoked where that ends only this grant (a failure leaves it
      // to expire). Google's revocation would end every token of the account, a new sign-in's
      // included, and a disconnect has revoked them all already: there it is only dropped.
      if (!client.revocationEndsAuthorization) await bestEffort('revoke a renewed grant nobody holds any more', revoke(client, grant.refreshToken ?? grant.accessToken));
      throw providerError('reauth_required', client.source, { detail: 'It was disconnected or signed in again while its sign-in was being renewed.' });
    }
    return grant.accessToken;
  }

  /**
   * Refreshes with the stored refresh token; null when there is none or the peer refused it.
   * A refusal is checked against storage first: another worker instance may have rotated the
   * token meanwhile, and then its new token is used instead of giving up.
   */
  private async refreshStored(): Promise<Grant | null> {
    const { account, client } = this.options;
    for (let tries = 0; tries < 2; tries++) {
      const stored = await readRefresh(account);
      if (!stored || (stored.expiresAt !== null && stored.expiresAt <= Date.now())) return null;
      try {
        return await refresh(client, stored.token);
      } catch (error) {
        if (!(error instanceof ProviderError) || error.code !== 'reauth_required') throw error;
        if ((await readRefresh(account))?.token === stored.token) return null;
      }
    }
    return null;
  }
}
