import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../core/context';
import { expiryReaches } from '../core/expiry';
import { OAuthCore } from '../core/oauth';

/** Every scope of the contract; a `:write` scope includes the `:read` one of its resource. */
export const CRM_SCOPES = ['contacts:read', 'contacts:write', 'emails:read', 'emails:write', 'mailboxes:read', 'mailboxes:write'] as const;
export type CrmScope = (typeof CRM_SCOPES)[number];

/** The well-known personal access token of the demo user (the first rep), seeded on every reset. */
export const DEMO_PAT = 'crm_pat_demo';

const REFRESH_TTL_SEC = 30 * 86_400;

interface Pat {
  user: string;
  scope: string;
  /** Null: never expires (until `POST /__admin/expire` or a revoke). */
  expiresAt: number | null;
}

/** Who a request acts for, once its bearer token is accepted. */
export interface CrmSession {
  user: string;
  scopes: Set<string>;
}

/** Whether `scopes` allow `needed`, a write scope counting for its read scope. */
export function grants(scopes: Set<string>, needed: CrmScope): boolean {
  return scopes.has(needed) || (needed.endsWith(':read') && scopes.has(needed.replace(':read', ':write')));
}

/** OAuth tokens (code + PKCE, rotating refresh) and personal access tokens of the CRM users. */
export class CrmAuth {
  readonly oauth: OAuthCore;
  private pats = new Map<string, Pat>();

  constructor(ctx: EmulatorContext) {
    this.oauth = new OAuthCore({
      accessPrefix: 'crm_at_',
      refreshPrefix: 'crm_rt_',
      accessTtlSec: () => ctx.config.accessTokenTtlSec,
      refreshTtlSec: () => REFRESH_TTL_SEC,
      revokes: 'grant',
    });
  }

  /** Personal access tokens start over; OAuth tokens survive a reseed, as Microsoft's do. */
  reset(demoUser: string | undefined): void {
    this.pats.clear();
    if (demoUser) this.pats.set(DEMO_PAT, { user: demoUser, scope: CRM_SCOPES.join(' '), expiresAt: null });
  }

  issuePat(user: string, scope: string): string {
    const token = `crm_pat_${randomBytes(24).toString('base64url')}`;
    this.pats.set(token, { user, scope, expiresAt: null });
    return token;
  }

  /** A bearer token's session, or why it is refused. */
  authenticate(header: string | undefined): CrmSession | 'invalid_token' | 'token_expired' {
    const token = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
    const pat = token ? this.pats.get(token) : undefined;
    if (pat) {
      if (pat.expiresAt !== null && pat.expiresAt < Date.now()) return 'token_expired';
      return { user: pat.user, scopes: new Set(pat.scope.split(' ').filter(Boolean)) };
    }
    const result = this.oauth.authenticate(header);
    if (typeof result === 'string') return result === 'token_expired' ? 'token_expired' : 'invalid_token';
    return { user: result.user, scopes: new Set(result.scope.split(' ').filter(Boolean)) };
  }

  revoke(token: string): void {
    if (!this.pats.delete(token)) this.oauth.revoke(token);
  }

  /** `POST /__admin/expire {what:'access_tokens'}` expires personal access tokens too. */
  expireAccessTokens(user?: string): void {
    this.oauth.expireAccessTokens(user);
    for (const pat of this.pats.values()) if (expiryReaches(user, pat.user)) pat.expiresAt = 0;
  }
}
