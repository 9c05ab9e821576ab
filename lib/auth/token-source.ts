import { ProviderError, providerError } from '../domain';
import type { AccessTokenSource } from './access-token';
import { authorize, type Grant, type OAuthClient, refresh, type WebAuthFlow } from './oauth';
import { forgetAccess, readAccess, readRefresh, saveGrant } from './token-store';

/** Renew this long before expiry, so a token never dies in flight. */
const EARLY_MS = 60_000;

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
 * engine turns into the mailbox's "Reconnect" state. Concurrent callers share one renewal.
 */
export class OAuthTokenSource implements AccessTokenSource {
  private renewal: Promise<string> | null = null;

  constructor(private readonly options: OAuthTokenSourceOptions) {}

  async token(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cached = await readAccess(this.options.account);
    if (cached && cached.expiresAt - EARLY_MS > Date.now()) return cached.token;
    this.renewal ??= this.renew().finally(() => {
      this.renewal = null;
    });
    return this.renewal;
  }

  async invalidate(token: string): Promise<void> {
    const cached = await readAccess(this.options.account);
    if (cached?.token === token) await forgetAccess(this.options.account);
  }

  private async renew(): Promise<string> {
    const { account, client, flow, silentRenewalFor, extraParams } = this.options;
    const stored = await readRefresh(account);
    let grant: Grant | null = null;
    if (stored && (stored.expiresAt === null || stored.expiresAt > Date.now())) {
      try {
        grant = await refresh(client, stored.token);
      } catch (error) {
        const lost = error instanceof ProviderError && error.code === 'reauth_required';
        if (!lost || !silentRenewalFor) throw error;
      }
    }
    if (!grant) {
      if (!silentRenewalFor) throw providerError('reauth_required', client.source);
      grant = await authorize(client, flow, { interactive: false, prompt: 'none', loginHint: silentRenewalFor, extraParams });
    }
    await saveGrant(account, grant);
    return grant.accessToken;
  }
}
